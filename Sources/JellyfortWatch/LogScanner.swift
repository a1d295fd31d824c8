import Foundation
import JellyfortBase

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Counts what was read, for the summary and the metrics.
public struct ReadCounts: Sendable, Equatable {
    public var lines = 0
    public var denyLines: [JellyfinAuthLine.DenyKind: Int] = [:]
    public var lockouts = 0
    /// Lines longer than `LogScanner.longestLine`, skipped whole (the parse errors of the metrics).
    public var overlong = 0
    public var bytes = 0

    public mutating func add(_ other: ReadCounts) {
        lines += other.lines
        denyLines.merge(other.denyLines, uniquingKeysWith: +)
        lockouts += other.lockouts
        overlong += other.overlong
        bytes += other.bytes
    }
}

/// Finds the sign-in lines in a block of log text. Each line's prefix is checked in a few dozen
/// bytes and only `UserManager`'s lines are read further. Linear in the block, and a line longer
/// than `longestLine` is skipped whole, whatever it holds.
public enum LogScanner {
    public static let longestLine = 64 << 10

    /// Reads the complete lines of `block` (up to its last newline) and returns how many bytes
    /// that was; the rest is an unfinished line, to be read again when it is complete.
    public static func scan(
        _ block: UnsafeRawBufferPointer, counts: inout ReadCounts, _ handle: (JellyfinAuthLine.Reading) -> Void
    ) -> Int {
        guard let base = block.baseAddress, block.count > 0 else { return 0 }
        var cursor = base
        let end = base + block.count
        while cursor < end, let found = memchr(cursor, 10, cursor.distance(to: end)) {
            let newline = UnsafeRawPointer(found)
            let length = cursor.distance(to: newline)
            counts.lines += 1
            if length > longestLine {
                counts.overlong += 1
            } else {
                // Most lines fail the header check within a few dozen bytes.
                let reading = JellyfinAuthLine.read(UnsafeBufferPointer(start: cursor.assumingMemoryBound(to: UInt8.self), count: length))
                switch reading {
                case .deny(let deny):
                    counts.denyLines[deny.kind, default: 0] += 1
                    handle(reading)
                case .lockout:
                    counts.lockouts += 1
                    handle(reading)
                case .other: break
                }
            }
            cursor = newline + 1
        }
        let complete = base.distance(to: cursor)
        counts.bytes += complete
        return complete
    }
}
