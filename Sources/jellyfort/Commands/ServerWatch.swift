import Foundation
import JellyfinAPI
import JellyfortAudit
import JellyfortBase
import JellyfortCore
import JellyfortWatch

/// `watch --server`: every few minutes, the server is audited again and compared with the last
/// time. A new administrator, or a control that passed and now fails (a policy changed through
/// the dashboard, a setting put back), becomes an alert. Jellyfin writes no activity entry for
/// policy changes (facts §5.3), so the re-audit is how drift is seen.
actor ServerWatch {
    static let interval: TimeInterval = 300
    let options: ServerOptions
    let resolved: RunSettings
    private var administrators: [String: String]?
    private var passing: Set<String>?
    private var reportedProblem = false
    /// Where the last audit's administrators and passing controls are kept, so that `--once`
    /// from cron compares with the run before.
    let store: WatchStore?
    static let baselineKey = "server-baseline"

    init(options: ServerOptions, resolved: RunSettings, store: WatchStore?) {
        self.options = options
        self.resolved = resolved
        self.store = store
        if let text = try? store?.meta(Self.baselineKey), let saved = try? JSONParser.parse(text) {
            var admins: [String: String] = [:]
            for pair in saved["administrators"]?.objectValue?.pairs ?? JSONObject([:]).pairs {
                if let name = pair.1.stringValue { admins[pair.0] = name }
            }
            administrators = admins
            passing = Set(saved["passing"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        }
    }

    func check(_ watcher: Watcher) async {
        // A client per check: its deadline (the audit's) starts now, not when watch started.
        let made = try? options.auditClient(deadlineSeconds: 60)
        guard let client = made?.0 else {
            if !reportedProblem {
                Terminal.warning(
                    "watch --server: \(made?.problems.first ?? "the server's address or credential cannot be used"); no server checks")
            }
            reportedProblem = true
            return
        }
        let run = await AuditRunner().run(client: client, settings: resolved.auditSettings(now: Date(), probe: false))
        await client.shutdown()
        if let problem = run.problems.first {
            if !reportedProblem { Terminal.warning("watch --server: \(problem); the server is checked again in 5 minutes") }
            reportedProblem = true
            return
        }
        reportedProblem = false
        var alerts: [WatchDecision] = []
        let users = run.objects.users
        let admins = Dictionary(
            users.filter { $0.policy.isAdministrator }.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        if let known = administrators {
            for (id, name) in admins.sorted(by: { $0.value < $1.value }) where known[id] == nil {
                alerts.append(
                    WatchDecision(
                        action: .alert, ip: nil,
                        reason: "a new administrator appeared on the server: \(Sanitized.terminal(name)); if you did not make it, "
                            + "remove it and change every administrator's password", users: [name], backend: "server"))
            }
        }
        administrators = admins
        let passingNow = Set(run.report.controls.filter { $0.status == .pass }.map(\.id))
        if let before = passing {
            for control in run.report.controls where control.status == .fail && before.contains(control.id) {
                alerts.append(
                    WatchDecision(
                        action: .alert, ip: nil,
                        reason: "\(control.id) passed and now fails: \(control.summary); jellyfort harden fixes it again",
                        backend: "server"))
            }
        }
        passing = passingNow
        let baseline: JSONValue = [
            "administrators": .object(JSONObject(admins.mapValues(JSONValue.string))), "passing": JSONValue(passingNow.sorted()),
        ]
        try? store?.setMeta(Self.baselineKey, JSONWriter.string(baseline))
        if !alerts.isEmpty { try? await watcher.raise(alerts) }
    }

}
