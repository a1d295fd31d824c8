import Foundation
import JellyfortBase

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where reading of one log file stopped: the file is known by device and inode, so a file
/// replaced under the same name is read from its start, and a truncated one too.
public struct FilePosition: Sendable, Equatable {
    public var device: UInt64
    public var inode: UInt64
    public var offset: Int64

    public init(device: UInt64, inode: UInt64, offset: Int64) {
        self.device = device
        self.inode = inode
        self.offset = offset
    }
}

public struct LogSourceError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// Jellyfin's log folder: `log_YYYYMMDD.log` (and `log_YYYYMMDD_NNN.log` after a size roll), a new
/// file each day, three kept. Every poll reads what was added to each file since its position,
/// in name order (oldest first), and forgets files that are gone.
public final class LogDirectory {
    public let folder: String
    public private(set) var positions: [String: FilePosition]
    /// Files in which an overlong line was cut: the rest of that line is skipped.
    private var skippingLine: Set<String> = []
    private var buffer: [UInt8]
    static let chunkSize = 1 << 20

    public init(folder: String, positions: [String: FilePosition]) {
        self.folder = folder
        self.positions = positions
        buffer = [UInt8](repeating: 0, count: Self.chunkSize)
    }

    /// Jellyfin's own names only: a stray `notes.log` or `log_.log.old` is not read.
    public static func isJellyfinLog(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard bytes.count >= 16, name.hasPrefix("log_"), name.hasSuffix(".log") else { return false }
        let middle = bytes[4..<(bytes.count - 4)]
        let date = middle.prefix(8)
        guard date.count == 8, date.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return false }
        let rest = middle.dropFirst(8)
        return rest.isEmpty || (rest.first == UInt8(ascii: "_") && rest.count > 1 && rest.dropFirst().allSatisfy { $0 >= 48 && $0 <= 57 })
    }

    public var exists: Bool {
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) && isFolder.boolValue
    }

    /// Reads what is new, at most about `budget` bytes (so that memory stays flat whatever the
    /// size of the log); returns whether more is waiting. Throws only when the folder itself
    /// cannot be read.
    @discardableResult
    public func poll(counts: inout ReadCounts, budget: Int = 32 << 20, _ handle: (JellyfinAuthLine.Reading) -> Void) throws(LogSourceError)
        -> Bool
    {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder).filter(Self.isJellyfinLog).sorted()
        } catch {
            throw LogSourceError(description: "cannot read the log folder \(folder): \((error as NSError).localizedDescription)")
        }
        for gone in Set(positions.keys).subtracting(names) {
            positions[gone] = nil
            skippingLine.remove(gone)
        }
        let start = counts.bytes
        for name in names {
            let remaining = budget - (counts.bytes - start)
            guard remaining > 0 else { return true }
            if read(name, counts: &counts, budget: remaining, handle) { return true }
        }
        return false
    }

    /// Returns whether the file has more than the budget allowed.
    private func read(_ name: String, counts: inout ReadCounts, budget: Int, _ handle: (JellyfinAuthLine.Reading) -> Void) -> Bool {
        let path = folder + "/" + name
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return false }
        let device = UInt64(truncatingIfNeeded: status.st_dev)
        let inode = UInt64(truncatingIfNeeded: status.st_ino)
        let size = Int64(status.st_size)
        var position = positions[name] ?? FilePosition(device: device, inode: inode, offset: 0)
        if position.device != device || position.inode != inode || position.offset > size {
            // Replaced or truncated: a new file under the old name, read from its start.
            position = FilePosition(device: device, inode: inode, offset: 0)
            skippingLine.remove(name)
        }
        let startOffset = position.offset
        while position.offset < size {
            if position.offset - startOffset >= Int64(budget) {
                positions[name] = position
                return true
            }
            let wanted = min(Int64(buffer.count), size - position.offset)
            let got = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, Int(wanted), off_t(position.offset)) }
            guard got > 0 else { break }
            var consumed = buffer.withUnsafeBytes { bytes -> Int in
                var start = 0
                if skippingLine.contains(name) {
                    guard let base = bytes.baseAddress, let newline = memchr(base, 10, got) else { return -1 }
                    start = base.distance(to: UnsafeRawPointer(newline)) + 1
                    skippingLine.remove(name)
                }
                let rest = UnsafeRawBufferPointer(rebasing: bytes[start..<got])
                return start + LogScanner.scan(rest, counts: &counts, handle)
            }
            if consumed == -1 {
                consumed = got  // still inside the overlong line
            } else if consumed == 0 {
                guard got == buffer.count else { break }  // an unfinished last line: wait for the rest
                counts.overlong += 1
                counts.lines += 1
                skippingLine.insert(name)
                consumed = got
            }
            position.offset += Int64(consumed)
            if consumed < got, got < buffer.count { break }
        }
        positions[name] = position
        return false
    }
}

/// Console-format lines from standard input (`podman logs -f jellyfin | jellyfort watch --stdin`).
public final class LineStream {
    private var carry: [UInt8] = []
    private var skipping = false
    private var block = [UInt8](repeating: 0, count: 1 << 16)

    public init() {}

    /// Reads one block; returns false at the end of input.
    public func read(from descriptor: Int32, counts: inout ReadCounts, _ handle: (JellyfinAuthLine.Reading) -> Void) -> Bool {
        let got = block.withUnsafeMutableBytes { readBytes(descriptor, $0.baseAddress, $0.count) }
        guard got > 0 else {
            if !carry.isEmpty, !skipping {
                carry.append(10)
                feed(counts: &counts, handle)
            }
            return false
        }
        carry += block[0..<got]
        feed(counts: &counts, handle)
        return true
    }

    public func feed(_ bytes: [UInt8], counts: inout ReadCounts, _ handle: (JellyfinAuthLine.Reading) -> Void) {
        carry += bytes
        feed(counts: &counts, handle)
    }

    private func feed(counts: inout ReadCounts, _ handle: (JellyfinAuthLine.Reading) -> Void) {
        if skipping {
            guard let newline = carry.firstIndex(of: 10) else {
                carry.removeAll(keepingCapacity: true)
                return
            }
            carry.removeSubrange(...newline)
            skipping = false
        }
        let consumed = carry.withUnsafeBytes { LogScanner.scan($0, counts: &counts, handle) }
        carry.removeFirst(consumed)
        if carry.count > LogScanner.longestLine {
            counts.overlong += 1
            counts.lines += 1
            carry.removeAll(keepingCapacity: true)
            skipping = true
        }
    }
}

/// read(2), named apart from the methods called `read`.
private func readBytes(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}
