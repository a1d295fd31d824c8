import Foundation
import JellyfortBase
import Prometheus

/// Where the lines come from.
public enum WatchSource: Sendable {
    case logDirectory(String)
    case standardInput
}

public struct WatchFailure: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The loop: read what is new → decide → save → ban → tell. Saving comes before banning, so a
/// crash between the two leaves a ban that the next start applies again; reading positions are
/// saved with the windows they changed, so no line is counted twice.
public actor Watcher {
    public let source: WatchSource
    let backend: any BanBackend
    let dryRun: Bool
    let store: WatchStore?
    let metrics: WatchMetrics?
    let emit: @Sendable (WatchDecision) -> Void
    let warn: @Sendable (String) -> Void
    let notifier: Notifier?
    let clock: @Sendable () -> Double
    private var detector: Detector
    private var directory: LogDirectory?
    private let stream = LineStream()
    public private(set) var totals = ReadCounts()
    public private(set) var decisionCounts: [WatchDecision.Action: Int] = [:]
    private var missingFolderReported = false
    /// The reading positions last saved (or, without a state, last seen): a poll that changes
    /// nothing writes nothing.
    private var lastSavedPositions: [String: FilePosition] = [:]
    private var lastExpiry: Double = 0
    private var pendingNotices: [Task<Void, Never>] = []
    /// Whether the first ban of this run was followed by the backend's self-test.
    private var checkedAfterFirstBan = false

    public init(
        source: WatchSource, settings: WatchSettings, backend: any BanBackend, dryRun: Bool, store: WatchStore?,
        metrics: WatchMetrics? = nil, notifier: Notifier? = nil, clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 },
        emit: @escaping @Sendable (WatchDecision) -> Void, warn: @escaping @Sendable (String) -> Void
    ) throws(WatchFailure) {
        self.source = source
        self.backend = backend
        self.dryRun = dryRun
        self.store = store
        self.metrics = metrics
        self.notifier = notifier
        self.clock = clock
        self.emit = emit
        self.warn = warn
        do {
            let records = try store?.addresses() ?? [:]
            detector = Detector(settings: settings, backend: dryRun ? "dry-run" : backend.name, restoring: records)
            if case .logDirectory(let folder) = source {
                directory = LogDirectory(folder: folder, positions: try store?.positions() ?? [:])
            }
        } catch {
            throw WatchFailure(error.description)
        }
    }

    /// Before reading: lift the bans that ended while watch was stopped, and apply again the ones
    /// still in force (the backend may have lost them in a reboot or a reload).
    public func start() async throws(WatchFailure) {
        if !dryRun {
            do { try await backend.prepare() } catch { throw WatchFailure(error.description) }
        }
        let now = clock()
        try await expire(now: now)
        guard !dryRun else { return }
        let active = detector.activeBans(now: now)
        for ban in active {
            do {
                try await backend.ban(ban.address, until: ban.until, reason: "restored after a restart", now: now)
            } catch {
                warn(error.description)
            }
        }
        if !active.isEmpty {
            warn("\(active.count) ban\(active.count == 1 ? "" : "s") still in force, applied again through \(backend.name)")
        }
        metrics?.bansActive.set(Int64(active.count))
    }

    /// Reads what the log folder holds that is new; returns whether anything was read.
    @discardableResult
    public func poll() async throws(WatchFailure) -> Bool {
        guard let directory else { return false }
        guard directory.exists else {
            if !missingFolderReported {
                warn("the log folder \(directory.folder) does not exist (yet); waiting for Jellyfin to create it")
                missingFolderReported = true
            }
            return false
        }
        missingFolderReported = false
        var readAny = false
        var more = true
        // A block at a time: decided and saved before the next is read.
        while more {
            var counts = ReadCounts()
            var readings: [JellyfinAuthLine.Reading] = []
            do {
                more = try directory.poll(counts: &counts) { readings.append($0) }
            } catch {
                throw WatchFailure(error.description)
            }
            guard counts.bytes > 0 || directory.positions != lastSavedPositions else { break }
            try await process(readings, counts: counts, positions: directory.positions)
            readAny = readAny || counts.bytes > 0
        }
        return readAny
    }

    /// Reads one block of standard input; returns false at its end.
    public func readStandardInput() async throws(WatchFailure) -> Bool {
        var counts = ReadCounts()
        var readings: [JellyfinAuthLine.Reading] = []
        let more = stream.read(from: 0, counts: &counts) { readings.append($0) }
        try await process(readings, counts: counts, positions: nil)
        return more
    }

    /// Lines given directly (tests, and the demo).
    public func feed(_ text: String) async throws(WatchFailure) {
        var counts = ReadCounts()
        var readings: [JellyfinAuthLine.Reading] = []
        stream.feed(Array(text.utf8), counts: &counts) { readings.append($0) }
        try await process(readings, counts: counts, positions: nil)
    }

    private func process(_ readings: [JellyfinAuthLine.Reading], counts: ReadCounts, positions: [String: FilePosition]?)
        async throws(WatchFailure)
    {
        let now = clock()
        var decisions: [WatchDecision] = []
        var newest: Double?
        for reading in readings {
            switch reading {
            case .deny(let deny):
                let time: Double
                if case .instant(let instant) = deny.time {
                    time = instant
                    newest = max(newest ?? instant, instant)
                } else {
                    time = now
                }
                decisions += detector.observe(deny, at: time, now: now)
            case .lockout(let name, _):
                decisions.append(detector.lockout(userName: name))
            case .other:
                break
            }
        }
        totals.add(counts)
        metrics?.record(counts)
        if let newest { metrics?.secondsBehind.set(max(0, now - newest)) }
        try save(decisions, positions: positions, now: now)
        await apply(decisions, now: now)
        if now - lastExpiry >= 1 { try await expire(now: now) }
    }

    /// Alerts found elsewhere (the server's re-audit): journalled and reported like the log's.
    public func raise(_ alerts: [WatchDecision]) async throws(WatchFailure) {
        let now = clock()
        try save(alerts, positions: nil, now: now)
        await apply(alerts, now: now)
    }

    /// Lifts the bans whose time is over.
    public func expire(now: Double) async throws(WatchFailure) {
        lastExpiry = now
        let decisions = detector.expire(now: now)
        guard !decisions.isEmpty else { return }
        try save(decisions, positions: nil, now: now)
        await apply(decisions, now: now)
    }

    private func save(_ decisions: [WatchDecision], positions: [String: FilePosition]?, now: Double) throws(WatchFailure) {
        guard let store else {
            detector.markSaved()
            if let positions { lastSavedPositions = positions }
            return
        }
        let changed = Dictionary(uniqueKeysWithValues: detector.changed.map { ($0, detector.addresses[$0]) })
        let positionsChanged = positions.flatMap { $0 == lastSavedPositions ? nil : $0 }
        guard !changed.isEmpty || !decisions.isEmpty || positionsChanged != nil else { return }
        do {
            try store.save(positions: positionsChanged, records: changed, decisions: decisions, at: now)
        } catch {
            // Nothing is lost: the positions were not saved either, so these lines are read again.
            throw WatchFailure(error.description)
        }
        if let positionsChanged { lastSavedPositions = positionsChanged }
        detector.markSaved()
    }

    private func apply(_ decisions: [WatchDecision], now: Double) async {
        // The detector already holds these bans: the gauge says so before anyone is told.
        if decisions.contains(where: { $0.action != .alert }) {
            metrics?.bansActive.set(Int64(detector.activeBans(now: now).count))
        }
        for decision in decisions {
            if !dryRun, let text = decision.ip, let address = IPAddress(text) {
                do {
                    switch decision.action {
                    case .ban:
                        try await backend.ban(address, until: decision.until ?? now, reason: decision.reason, now: now)
                        if !checkedAfterFirstBan {
                            checkedAfterFirstBan = true
                            let check = await backend.selfTest()
                            if !check.effective {
                                warn(
                                    "THE BAN OF \(address) DOES NOT STOP ANYTHING: "
                                        + check.lines.filter { $0.contains("NOT") || $0.contains("MISSING") }.joined(separator: "; "))
                            }
                        }
                    case .unban: try await backend.unban(address)
                    case .alert: break
                    }
                } catch {
                    warn(error.description + " (the decision is saved and is applied again at the next start)")
                }
            }
            decisionCounts[decision.action, default: 0] += 1
            metrics?.record(decision)
            emit(decision)
            if let notifier, decision.action != .unban {
                let warn = self.warn
                pendingNotices.removeAll { $0.isCancelled }
                if pendingNotices.count < 32 {
                    pendingNotices.append(Task { if let problem = await notifier.send(decision) { warn(problem) } })
                } else {
                    warn("too many notices waiting; this one is dropped: \(decision.text)")
                }
            }
        }
    }

    /// Waits for the notices still being sent (at the end of `--once`), at most a few seconds each.
    public func finish() async {
        for notice in pendingNotices { await notice.value }
        pendingNotices.removeAll()
    }

    public func activeBans() -> [(address: IPAddress, until: Double)] { detector.activeBans(now: clock()) }
}
