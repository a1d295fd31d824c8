import Foundation
import JellyfortBase
import JellyfortTestSupport
import Testing

@testable import JellyfortWatch

@Suite("Following Jellyfin's log folder")
struct LogDirectoryTests {
    func poll(_ directory: LogDirectory) throws -> [String] {
        var counts = ReadCounts()
        var addresses: [String] = []
        try directory.poll(counts: &counts) { reading in
            if case .deny(let deny) = reading { addresses.append(deny.address.description) }
        }
        return addresses
    }

    @Test("new lines, the next day's file, truncation and replacement are each read once")
    func rotation() throws {
        let folder = temporaryDirectory("logdir")
        defer { try? FileManager.default.removeItem(at: folder) }
        let today = folder.appendingPathComponent("log_20261130.log")
        try appendLog(jellyfinDenyLine("203.0.113.1"), to: today)
        try appendLog("not a log of Jellyfin's\n", to: folder.appendingPathComponent("notes.log"))
        let directory = LogDirectory(folder: folder.path, positions: [:])
        #expect(try poll(directory) == ["203.0.113.1"])
        #expect(try poll(directory) == [])
        // An unfinished line waits for its end.
        let half = jellyfinDenyLine("203.0.113.2")
        try appendLog(String(half.prefix(40)), to: today)
        #expect(try poll(directory) == [])
        try appendLog(String(half.dropFirst(40)), to: today)
        #expect(try poll(directory) == ["203.0.113.2"])
        // The next day.
        try appendLog(jellyfinDenyLine("203.0.113.3"), to: folder.appendingPathComponent("log_20261201.log"))
        #expect(try poll(directory) == ["203.0.113.3"])
        // Truncated (copytruncate), then written again.
        try Data().write(to: today)
        try appendLog(jellyfinDenyLine("203.0.113.4"), to: today)
        #expect(try poll(directory) == ["203.0.113.4"])
        // Replaced by a new file under the same name (a new inode).
        let replacement = folder.appendingPathComponent("new")
        try (jellyfinDenyLine("203.0.113.5") + jellyfinDenyLine("203.0.113.5") + jellyfinDenyLine("203.0.113.5")).write(
            to: replacement, atomically: false, encoding: .utf8)
        _ = rename(replacement.path, today.path)
        #expect(try poll(directory) == ["203.0.113.5", "203.0.113.5", "203.0.113.5"])
        // Deleted: forgotten.
        try FileManager.default.removeItem(at: today)
        #expect(try poll(directory) == [])
        #expect(directory.positions.keys.sorted() == ["log_20261201.log"])
    }

    @Test("a 1 MB line, binary garbage and invalid UTF-8 are skipped; the lines after them are read")
    func garbage() throws {
        let folder = temporaryDirectory("logdir-garbage")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("log_20261130.log")
        var bytes = Array(jellyfinDenyLine("203.0.113.1").utf8)
        // A deny line whose name is a megabyte long, with a fake address inside.
        bytes += Array(
            ("[2026-11-30 10:00:00.000 +00:00] [INF] [50] Jellyfin.Server.Implementations.Users.UserManager: Authentication request for "
                + String(repeating: "A", count: 1 << 20) + " (IP: 1.2.3.4) has been denied (IP: \"203.0.113.66\").\n").utf8)
        bytes += (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 7919) }.map { $0 == 10 ? 11 : $0 } + [10]
        bytes += [0xFF, 0xFE, 0xC0, 0x80, 10]
        bytes += Array(jellyfinDenyLine("203.0.113.2").utf8)
        try Data(bytes).write(to: file)
        let directory = LogDirectory(folder: folder.path, positions: [:])
        var counts = ReadCounts()
        var seen: [String] = []
        try directory.poll(counts: &counts) { if case .deny(let deny) = $0 { seen.append(deny.address.description) } }
        #expect(seen == ["203.0.113.1", "203.0.113.2"])
        #expect(counts.overlong == 1)
        #expect(counts.lines == 5)
    }

    @Test("a FIFO or a folder named like a log is not opened")
    func specialFiles() throws {
        let folder = temporaryDirectory("logdir-special")
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(mkfifo(folder.appendingPathComponent("log_20261130.log").path, 0o600) == 0)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("log_20261201.log"), withIntermediateDirectories: false)
        #expect(try poll(LogDirectory(folder: folder.path, positions: [:])) == [])
    }

    @Test("only Jellyfin's own file names are followed")
    func names() {
        for name in ["log_20261130.log", "log_20261130_001.log"] { #expect(LogDirectory.isJellyfinLog(name), "\(name)") }
        for name in ["log_.log", "log_2026113.log", "jellyfin.log", "log_20261130.log.old", "log_20261130_.log", "log_2026x130.log"] {
            #expect(!LogDirectory.isJellyfinLog(name), "\(name)")
        }
    }
}

@Suite("The watch state")
struct WatchStoreTests {
    @Test("a restart resumes where it stopped: no line counted twice, bans kept, expired ones lifted")
    func restart() async throws {
        let folder = temporaryDirectory("watch-restart")
        defer { try? FileManager.default.removeItem(at: folder) }
        let logs = folder.appendingPathComponent("log")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let file = logs.appendingPathComponent("log_20261130.log")
        let statePath = folder.appendingPathComponent("state/watch.sqlite").path
        try appendLog(String(repeating: jellyfinDenyLine("203.0.113.9"), count: 3), to: file)
        let decisions = DecisionLog()
        func watcher(now: Double? = nil) throws -> Watcher {
            try Watcher(
                source: .logDirectory(logs.path), settings: WatchSettings(), backend: NoBackend(), dryRun: false,
                store: try WatchStore(path: statePath), clock: { now ?? Date().timeIntervalSince1970 },
                emit: { decisions.add($0) }, warn: { _ in })
        }
        do {
            let first = try watcher()
            try await first.start()
            try await first.poll()
        }
        #expect(decisions.all.isEmpty)
        // Three failures are saved; two more after the restart make five (not eight: nothing is read twice).
        try appendLog(String(repeating: jellyfinDenyLine("203.0.113.9"), count: 2), to: file)
        do {
            let second = try watcher()
            try await second.start()
            try await second.poll()
            #expect(await second.totals.lines == 2)
        }
        #expect(decisions.all.map(\.action) == [.ban])
        let mode = try FileManager.default.attributesOfItem(atPath: statePath)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // Two hours later (watch was stopped): the ban is lifted at start, and journalled.
        do {
            let third = try watcher(now: Date().timeIntervalSince1970 + 7200)
            try await third.start()
        }
        #expect(decisions.all.map(\.action) == [.ban, .unban])
        let journal = try WatchStore(path: statePath).journal()
        #expect(journal.map(\.action) == [.ban, .unban])
    }

    @Test("a corrupt state, or one in use, is a clear error")
    func badState() throws {
        let folder = temporaryDirectory("watch-bad-state")
        defer { try? FileManager.default.removeItem(at: folder) }
        let corrupt = folder.appendingPathComponent("corrupt.sqlite")
        try Data(repeating: 0x41, count: 8192).write(to: corrupt)
        #expect {
            _ = try WatchStore(path: corrupt.path)
        } throws: { error in
            "\(error)".contains("not a readable Jellyfort state") && "\(error)".contains("move it aside")
        }
        let shared = folder.appendingPathComponent("shared.sqlite").path
        let holder = try WatchStore(path: shared)
        #expect {
            _ = try WatchStore(path: shared)
        } throws: { error in
            "\(error)".contains("in use by another jellyfort watch")
        }
        _ = holder
    }
}

/// Decisions collected from the watcher's callback (which may run on any thread).
final class DecisionLog: @unchecked Sendable {
    private let lock = NSLock()
    private var decisions: [WatchDecision] = []
    func add(_ decision: WatchDecision) { lock.withLock { decisions.append(decision) } }
    var all: [WatchDecision] { lock.withLock { decisions } }
}

@Suite("Reading a log written in pieces")
struct PieceByPieceTests {
    /// Jellyfin's writes do not end at line ends: whatever the pieces, every line is read exactly once.
    @Test("random write sizes, a file and a stream: every deny line read once, none twice", arguments: [1, 2, 3])
    func randomPieces(seed: UInt64) throws {
        var random = SplitMix(seed: seed)
        let folder = temporaryDirectory("pieces")
        defer { try? FileManager.default.removeItem(at: folder) }
        var text = ""
        var expected: [String] = []
        for index in 0..<400 {
            if random.below(3) == 0 {
                let ip = "198.51.100.\(index % 250 + 1)"
                text += jellyfinDenyLine(ip, user: "user\(index)")
                expected.append(ip)
            } else {
                text +=
                    "[2026-11-30 10:00:00.000 +00:00] [INF] [7] Emby.Server.Implementations.ScheduledTasks.TaskManager: task \(index) ran\n"
            }
        }
        let bytes = Array(text.utf8)
        let file = folder.appendingPathComponent("log_20261130.log")
        _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        let directory = LogDirectory(folder: folder.path, positions: [:])
        let stream = LineStream()
        var fromFile: [String] = []
        var fromStream: [String] = []
        var counts = ReadCounts()
        var offset = 0
        while offset < bytes.count {
            let size = min(bytes.count - offset, 1 + random.below(300))
            let piece = Array(bytes[offset..<(offset + size)])
            let handle = try FileHandle(forWritingTo: file)
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(piece))
            try handle.close()
            try directory.poll(counts: &counts) { if case .deny(let deny) = $0 { fromFile.append(deny.address.description) } }
            stream.feed(piece, counts: &counts) { if case .deny(let deny) = $0 { fromStream.append(deny.address.description) } }
            offset += size
        }
        #expect(fromFile == expected)
        #expect(fromStream == expected)
    }
}
