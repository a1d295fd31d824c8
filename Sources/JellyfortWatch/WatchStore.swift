import Foundation
import GRDB
import JellyfortBase

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

public struct WatchStoreError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// What `jellyfort watch` must not forget across a restart or a SIGKILL: where each log file was
/// read to, every address's window and bans, and a journal of every action. A block of lines,
/// the windows it changed and the decisions it led to are saved in one transaction, so after a
/// crash no line is counted twice and no ban decided is lost (bans are applied after the commit
/// and applied again at start).
public final class WatchStore: Sendable {
    public let path: String
    private let queue: DatabaseQueue
    /// Held for the life of the store: two watchers on one state would count every line twice.
    private let lockDescriptor: Int32

    public init(path: String) throws(WatchStoreError) {
        self.path = path
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty, !FileManager.default.fileExists(atPath: folder) {
            do {
                try FileManager.default.createDirectory(
                    atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw WatchStoreError(description: "cannot create the state folder \(folder): \((error as NSError).localizedDescription)")
            }
        }
        // Created 0600 before SQLite opens it: the journal names addresses and accounts.
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw WatchStoreError(
                description: "cannot open the state \(path): \(String(cString: strerror(errno))); give --state FILE somewhere writable")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw WatchStoreError(
                description: "the state \(path) is in use by another jellyfort watch; stop it, or give each watch its own --state")
        }
        lockDescriptor = descriptor
        var configuration = Configuration()
        configuration.busyMode = .timeout(2)
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
            try queue.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA journal_mode = WAL")
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
            try Self.migrator.migrate(queue)
        } catch {
            close(descriptor)
            throw WatchStoreError(description: Self.explain(error, path: path))
        }
    }

    deinit { close(lockDescriptor) }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE files (name TEXT PRIMARY KEY, device INTEGER NOT NULL, inode INTEGER NOT NULL, offset INTEGER NOT NULL);
                    CREATE TABLE addresses (ip TEXT PRIMARY KEY, record TEXT NOT NULL);
                    CREATE TABLE journal (id INTEGER PRIMARY KEY, at REAL NOT NULL, action TEXT NOT NULL, ip TEXT,
                        reason TEXT NOT NULL, failures INTEGER NOT NULL, users TEXT NOT NULL, until REAL, backend TEXT NOT NULL);
                    """)
        }
        migrator.registerMigration("v2") { db in
            try db.execute(sql: "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        }
        return migrator
    }

    /// A small named value kept across runs (the server's last audit, for `--server`).
    public func meta(_ key: String) throws(WatchStoreError) -> String? {
        try read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key]) }
    }

    public func setMeta(_ key: String, _ value: String) throws(WatchStoreError) {
        do {
            try queue.write { db in
                try db.execute(
                    sql: "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    arguments: [key, value])
            }
        } catch {
            throw WatchStoreError(description: Self.explain(error, path: path))
        }
    }

    static func explain(_ error: any Error, path: String) -> String {
        if let database = error as? DatabaseError {
            switch database.resultCode {
            case .SQLITE_NOTADB, .SQLITE_CORRUPT:
                return "the state \(path) is not a readable Jellyfort state (SQLite: \(database.message ?? "corrupt")); "
                    + "move it aside and start again (bans already in the firewall stay until they expire)"
            case .SQLITE_BUSY, .SQLITE_LOCKED:
                return "the state \(path) is locked by another program; stop it and try again"
            case .SQLITE_FULL, .SQLITE_IOERR:
                return "cannot write the state \(path) (SQLite: \(database.message ?? "I/O error")): free some space on its disk"
            case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM:
                return "cannot write the state \(path) (SQLite: \(database.message ?? "read-only")); give --state FILE somewhere writable"
            default:
                return "the state \(path): SQLite: \(database.message ?? "\(database.resultCode)")"
            }
        }
        return "the state \(path): \(error)"
    }

    public func positions() throws(WatchStoreError) -> [String: FilePosition] {
        try read { db in
            var positions: [String: FilePosition] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT name, device, inode, offset FROM files") {
                let device: Int64 = row["device"]
                let inode: Int64 = row["inode"]
                positions[row["name"]] = FilePosition(
                    device: UInt64(bitPattern: device), inode: UInt64(bitPattern: inode), offset: row["offset"])
            }
            return positions
        }
    }

    public func addresses() throws(WatchStoreError) -> [IPAddress: AddressRecord] {
        try read { db in
            var records: [IPAddress: AddressRecord] = [:]
            let decoder = JSONDecoder()
            for row in try Row.fetchAll(db, sql: "SELECT ip, record FROM addresses") {
                let text: String = row["record"]
                guard let address = IPAddress(row["ip"] as String),
                    let record = try? decoder.decode(AddressRecord.self, from: Data(text.utf8))
                else { continue }
                records[address] = record
            }
            return records
        }
    }

    /// The journal, oldest first (for tests and `--format json` replays).
    public func journal() throws(WatchStoreError) -> [WatchDecision] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM journal ORDER BY id").map { row in
                let users = (try? JSONDecoder().decode([String].self, from: Data((row["users"] as String).utf8))) ?? []
                return WatchDecision(
                    action: WatchDecision.Action(rawValue: row["action"]) ?? .alert, ip: row["ip"], reason: row["reason"],
                    failures: row["failures"], users: users, until: row["until"], backend: row["backend"])
            }
        }
    }

    /// Saves one step: the files' positions, the changed addresses and the decisions, together.
    public func save(
        positions: [String: FilePosition]?, records: [IPAddress: AddressRecord?], decisions: [WatchDecision], at time: Double
    ) throws(WatchStoreError) {
        do {
            try queue.write { db in
                if let positions {
                    try db.execute(sql: "DELETE FROM files")
                    for (name, position) in positions {
                        try db.execute(
                            sql: "INSERT INTO files (name, device, inode, offset) VALUES (?, ?, ?, ?)",
                            arguments: [
                                name, Int64(bitPattern: position.device), Int64(bitPattern: position.inode), position.offset,
                            ])
                    }
                }
                let encoder = JSONEncoder()
                for (address, record) in records {
                    if let record, !record.isEmpty {
                        let text = String(decoding: try encoder.encode(record), as: UTF8.self)
                        try db.execute(
                            sql: "INSERT INTO addresses (ip, record) VALUES (?, ?) ON CONFLICT(ip) DO UPDATE SET record = excluded.record",
                            arguments: [address.description, text])
                    } else {
                        try db.execute(sql: "DELETE FROM addresses WHERE ip = ?", arguments: [address.description])
                    }
                }
                for decision in decisions {
                    let users = String(decoding: try encoder.encode(decision.users), as: UTF8.self)
                    try db.execute(
                        sql:
                            "INSERT INTO journal (at, action, ip, reason, failures, users, until, backend) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        arguments: [
                            time, decision.action.rawValue, decision.ip, decision.reason, decision.failures, users, decision.until,
                            decision.backend,
                        ])
                }
            }
        } catch {
            throw WatchStoreError(description: Self.explain(error, path: path))
        }
    }

    private func read<Value>(_ body: (Database) throws -> Value) throws(WatchStoreError) -> Value {
        do {
            return try queue.read(body)
        } catch {
            throw WatchStoreError(description: Self.explain(error, path: path))
        }
    }
}
