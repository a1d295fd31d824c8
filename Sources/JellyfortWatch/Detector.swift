import Foundation
import JellyfortBase

/// What is remembered of one address: its recent failures, its bans, when it was last reported.
public struct AddressRecord: Sendable, Codable, Equatable {
    public struct Failure: Sendable, Codable, Equatable {
        public var time: Double
        public var user: String?
    }
    public var failures: [Failure] = []
    public var banCount = 0
    public var bannedUntil: Double?
    /// The end of the window in which spraying or a spared address was last reported (one report per window).
    public var reportedUntil: Double?

    /// Nothing worth keeping: no failure in the window, no ban, no ban history.
    var isEmpty: Bool { failures.isEmpty && banCount == 0 && bannedUntil == nil }
}

/// Turns sign-in refusals into decisions: ban after `maxRetry` failures in `findTime`, report
/// spraying, a distributed attack on one name, lockouts and spared addresses. Pure: the times
/// come with the events, so a test replays a log and gets the same decisions every time.
public struct Detector: Sendable {
    public let settings: WatchSettings
    public let backend: String
    public private(set) var addresses: [IPAddress: AddressRecord] = [:]
    /// Addresses changed since the store last saved them.
    public private(set) var changed: Set<IPAddress> = []
    /// For each name, the recent addresses that tried it (bounded, for the distributed-attack alert).
    private var attemptsByName: [String: [(time: Double, address: IPAddress)]] = [:]
    private var nameReportedUntil: [String: Double] = [:]
    /// At most this many names and addresses are followed at once; the oldest are forgotten first.
    static let trackedLimit = 100_000
    static let failuresKept = 32

    public init(settings: WatchSettings, backend: String, restoring records: [IPAddress: AddressRecord] = [:]) {
        self.settings = settings
        self.backend = backend
        addresses = records
    }

    public mutating func markSaved() { changed.removeAll(keepingCapacity: true) }

    /// One refused sign-in at `time` (the line's own time), read at `now`.
    public mutating func observe(_ deny: JellyfinAuthLine.Deny, at time: Double, now: Double) -> [WatchDecision] {
        var decisions: [WatchDecision] = []
        let address = deny.address
        if let name = deny.userName { decisions += observeName(name, address: address, time: time) }
        if let until = addresses[address]?.bannedUntil, until > time { return decisions }
        // The record is changed in place (no copy of its failures per line).
        decisions += Self.decide(
            &addresses[address, default: AddressRecord()], address: address, user: deny.userName, time: time, now: now,
            settings: settings, backend: backend)
        changed.insert(address)
        return decisions
    }

    private static func decide(
        _ record: inout AddressRecord, address: IPAddress, user: String?, time: Double, now: Double, settings: WatchSettings,
        backend: String
    ) -> [WatchDecision] {
        var decisions: [WatchDecision] = []
        if let first = record.failures.first, first.time <= time - settings.findTime {
            record.failures.removeAll { $0.time <= time - settings.findTime }
        }
        record.failures.append(.init(time: time, user: user))
        if record.failures.count > failuresKept { record.failures.removeFirst(record.failures.count - failuresKept) }
        let reportable = (record.reportedUntil ?? 0) <= time

        if let spared = settings.exemptions.reason(address) {
            if record.failures.count >= settings.maxRetry, reportable {
                record.reportedUntil = time + settings.findTime
                decisions.append(
                    WatchDecision(
                        action: .alert, ip: address.description,
                        reason: "\(record.failures.count) failed sign-ins but not banned: \(spared)",
                        failures: record.failures.count, users: distinctNames(record.failures), backend: backend))
            }
            return decisions
        }
        if reportable, record.failures.count < settings.maxRetry, record.failures.count >= settings.sprayNames {
            let names = distinctNames(record.failures)
            if names.count >= settings.sprayNames {
                record.reportedUntil = time + settings.findTime
                decisions.append(
                    WatchDecision(
                        action: .alert, ip: address.description,
                        reason: "password spraying: \(names.count) names tried from one address", failures: record.failures.count,
                        users: names, backend: backend))
            }
        }
        guard record.failures.count >= settings.maxRetry else { return decisions }
        let failures = record.failures.count
        let names = distinctNames(record.failures)
        record.failures.removeAll()
        let duration = settings.banDuration(count: record.banCount + 1)
        // A replayed old log must not ban anyone today for what ended long ago.
        guard time + duration > now else { return decisions }
        record.banCount += 1
        record.bannedUntil = time + duration
        let repeatNote = record.banCount > 1 ? ", ban \(record.banCount) for this address" : ""
        decisions.append(
            WatchDecision(
                action: .ban, ip: address.description,
                reason: "\(failures) failed sign-ins within \(words(settings.findTime)); banned for "
                    + "\(words(duration))\(repeatNote)",
                failures: failures, users: names, until: time + duration, backend: backend))
        return decisions
    }

    /// Jellyfin disabled an account after too many failures (its lockout).
    public func lockout(userName: String) -> WatchDecision {
        WatchDecision(
            action: .alert, ip: nil,
            reason: "the account \(Sanitized.terminal(userName)) was locked out by Jellyfin; once the guesser is banned, "
                + "enable it again with: jellyfort unlock '\(Sanitized.terminal(userName))' --server URL --api-key-file KEY",
            users: [userName], backend: backend)
    }

    /// Bans whose time is over, lifted (also those that ended while watch was not running).
    public mutating func expire(now: Double) -> [WatchDecision] {
        var decisions: [WatchDecision] = []
        for (address, record) in addresses {
            guard let until = record.bannedUntil, until <= now else { continue }
            var lifted = record
            lifted.bannedUntil = nil
            store(lifted, for: address)
            decisions.append(
                WatchDecision(
                    action: .unban, ip: address.description, reason: "the ban ended", users: [], until: until, backend: backend))
        }
        // Forget addresses with nothing left in their window and no ban history.
        if addresses.count > Self.trackedLimit / 2 {
            for (address, record) in addresses
            where record.bannedUntil == nil && record.banCount == 0 && (record.failures.last?.time ?? 0) <= now - settings.findTime {
                addresses[address] = nil
                changed.insert(address)
            }
        }
        return decisions.sorted { ($0.ip ?? "") < ($1.ip ?? "") }
    }

    /// The bans in force at `now`: what a backend must hold after a restart.
    public func activeBans(now: Double) -> [(address: IPAddress, until: Double)] {
        addresses.compactMap { address, record in record.bannedUntil.flatMap { $0 > now ? (address, $0) : nil } }
            .sorted { $0.until < $1.until }
    }

    private mutating func observeName(_ name: String, address: IPAddress, time: Double) -> [WatchDecision] {
        guard attemptsByName[name] != nil || attemptsByName.count < Self.trackedLimit else { return [] }
        let count = Self.remember(&attemptsByName[name, default: []], address: address, time: time, window: settings.findTime)
        guard count >= settings.distributedAddresses, (nameReportedUntil[name] ?? 0) <= time else { return [] }
        nameReportedUntil[name] = time + settings.findTime
        return [
            WatchDecision(
                action: .alert, ip: nil,
                reason: "distributed attack on one name: \(count) addresses tried \(Sanitized.terminal(name)) "
                    + "within \(Self.words(settings.findTime)); a strong password and a ban per address are the defence",
                failures: count, users: [name], backend: backend)
        ]
    }

    /// Keeps the addresses that tried one name within the window (each once, the latest last); returns how many.
    private static func remember(_ attempts: inout [(time: Double, address: IPAddress)], address: IPAddress, time: Double, window: Double)
        -> Int
    {
        if attempts.last?.address != address {
            attempts.removeAll { $0.time <= time - window || $0.address == address }
            attempts.append((time, address))
        } else {
            attempts[attempts.count - 1].time = time
            if let first = attempts.first, first.time <= time - window { attempts.removeAll { $0.time <= time - window } }
        }
        if attempts.count > failuresKept { attempts.removeFirst(attempts.count - failuresKept) }
        return attempts.count
    }

    private mutating func store(_ record: AddressRecord, for address: IPAddress) {
        addresses[address] = record
        changed.insert(address)
    }

    private static func distinctNames(_ failures: [AddressRecord.Failure]) -> [String] {
        var seen: Set<String> = []
        return failures.compactMap(\.user).filter { seen.insert($0).inserted }
    }

    /// `10m`, `1h`, `2d`: durations as the flags take them.
    static func words(_ seconds: Double) -> String {
        let whole = Int(seconds)
        for (unit, size) in [("w", 604_800), ("d", 86_400), ("h", 3600), ("m", 60)] where whole >= size && whole % size == 0 {
            return "\(whole / size)\(unit)"
        }
        return "\(whole)s"
    }
}
