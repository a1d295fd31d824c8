import Foundation
import JellyfinAPI

/// Where runs are kept: `$XDG_STATE_HOME/jellyfort/runs/RUN_ID/` (folder 0700, files 0600), with
/// `run.json` (what the run is), `backup/` (every object before its first write) and
/// `journal.jsonl` (every step, appended and flushed as it happens).
public struct RunStore: Sendable {
    public let root: URL

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let state =
            environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/state")
        root = state.appendingPathComponent("jellyfort/runs")
    }

    public init(root: URL) { self.root = root }

    public func folder(for runId: String) -> URL { root.appendingPathComponent(runId) }

    /// Run ids, oldest first (they start with a UTC timestamp).
    public func runIds() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    public func record(_ runId: String) throws -> RunRecord {
        let url = folder(for: runId).appendingPathComponent("run.json")
        guard let data = FileManager.default.contents(atPath: url.path) else { throw HardenError.unknownRun(runId, known: runIds()) }
        do {
            return try JSONDecoder.jellyfort.decode(RunRecord.self, from: data)
        } catch {
            throw HardenError.damagedRun(runId, "run.json: \(error)")
        }
    }

    func create(_ runId: String) throws -> URL {
        let folder = folder(for: runId)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("backup"), withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: folder.path)
        return folder
    }

    /// Writes a file readable by its owner only, whole or not at all.
    /// Writes a 0600 file whole or not at all: a temporary file in the same folder, flushed to
    /// the disk, then renamed over the old one (atomic on POSIX), and the folder flushed. A full
    /// disk is an error naming the file; the old content stays as it was.
    static func writePrivate(_ data: Data, to url: URL) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp")
        func fail(_ what: String) -> HardenError {
            let reason = String(cString: strerror(errno))
            unlink(temporary.path)
            return HardenError.stateUnwritable("\(url.path) (\(what): \(reason))")
        }
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw fail("create") }
        var remaining = data[...]
        while !remaining.isEmpty {
            let written = remaining.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else {
                close(descriptor)
                throw fail("write")
            }
            remaining = remaining.dropFirst(written)
        }
        guard fsync(descriptor) == 0 else {
            close(descriptor)
            throw fail("flush")
        }
        close(descriptor)
        guard rename(temporary.path, url.path) == 0 else { throw fail("rename") }
        let folder = open(url.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folder >= 0 {
            fsync(folder)
            close(folder)
        }
    }

    func save(_ record: RunRecord) throws {
        try Self.writePrivate(try JSONEncoder.jellyfort.encode(record), to: folder(for: record.runId).appendingPathComponent("run.json"))
    }

    func backupURL(_ runId: String, _ name: String) -> URL { folder(for: runId).appendingPathComponent("backup/\(name)") }

    func journal(_ runId: String) -> URL { folder(for: runId).appendingPathComponent("journal.jsonl") }

    /// Every journal entry of a run; a line cut short by a kill is ignored.
    public func journalEntries(_ runId: String) -> [JournalEntry] {
        guard let text = try? String(contentsOf: journal(runId), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONDecoder.jellyfort.decode(JournalEntry.self, from: Data($0.utf8)) }
    }
}

/// What `run.json` holds.
public struct RunRecord: Sendable, Codable, Equatable {
    public enum State: String, Sendable, Codable {
        case applying, applied, partial
        case rolledBack = "rolled-back"
    }
    public var runId: String
    public var server: String
    public var startedAt: Date
    public var state: State
    public var changes: [PlannedChange]
    public var skipped: [SkippedControl]
}

/// One step of a run, as journaled.
public struct JournalEntry: Sendable, Codable, Equatable {
    public enum Phase: String, Sendable, Codable { case started, done, failed }
    public var step: Int
    public var kind: String
    /// The object: a user id, `config-server`, `config-network`, a user name for a created user.
    public var target: String
    public var label: String
    public var phase: Phase
    public var detail: String?
}

/// Appends journal lines and flushes each one, so a run killed at any point leaves a journal
/// that says exactly which writes may have happened. A line that cannot be written (a full
/// disk) is an error, and from then on the journal is broken: the executor sends no further
/// write, because a write the journal does not know of could not be rolled back.
final class Journal: @unchecked Sendable {
    private let descriptor: Int32
    private let path: String
    private let lock = NSLock()
    private var failure: HardenError?

    init(url: URL) throws {
        path = url.path
        descriptor = open(url.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw HardenError.stateUnwritable("\(url.path) (journal: \(String(cString: strerror(errno))))") }
    }

    /// Why the journal stopped taking lines, once it has.
    var brokenBecause: HardenError? {
        lock.lock()
        defer { lock.unlock() }
        return failure
    }

    func append(_ entry: JournalEntry) throws(HardenError) {
        lock.lock()
        defer { lock.unlock() }
        if let failure { throw failure }
        guard let encoded = try? JSONEncoder.jellyfort.encode(entry) else {
            throw HardenError.stateUnwritable("\(path) (journal: an entry could not be encoded)")
        }
        var remaining = (encoded + Data("\n".utf8))[...]
        while !remaining.isEmpty {
            let written = remaining.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { return try broken("write") }
            remaining = remaining.dropFirst(written)
        }
        guard fsync(descriptor) == 0 || errno == EINVAL else { return try broken("flush") }
    }

    private func broken(_ what: String) throws(HardenError) {
        let error = HardenError.stateUnwritable("\(path) (journal \(what): \(String(cString: strerror(errno))))")
        failure = error
        throw error
    }

    deinit { close(descriptor) }
}

extension JSONEncoder {
    static var jellyfort: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}

extension JSONDecoder {
    static var jellyfort: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}

public enum HardenError: Error, Sendable, CustomStringConvertible {
    case unknownRun(String, known: [String])
    case damagedRun(String, String)
    case noRuns(String)
    case stateUnwritable(String)
    /// The server could not be read well enough to plan.
    case unreadable(String)

    public var description: String {
        switch self {
        case .unknownRun(let id, let known):
            "no run \(id)"
                + (known.isEmpty ? "; there are no runs yet" : "; jellyfort harden runs lists them (latest: \(known.last ?? "?"))")
        case .damagedRun(let id, let reason): "the record of run \(id) is damaged (\(reason)); restore by hand from its backup folder"
        case .noRuns(let folder): "there are no harden runs in \(folder)"
        case .unreadable(let reason): reason
        case .stateUnwritable(let path): "cannot write \(path); check that the state folder ($XDG_STATE_HOME/jellyfort) is writable"
        }
    }
}
