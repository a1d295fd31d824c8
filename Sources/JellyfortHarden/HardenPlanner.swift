import Foundation
import JellyfinAPI
import JellyfortAudit
import JellyfortControls
import JellyfortCore

/// Turns the controls' fixes into one plan of whole-object writes. It holds no rule of its own:
/// each fixable control plans its changes from the evidence (catalogue order, each seeing what
/// the earlier ones changed); the planner resolves conflicts on one field and groups the changes
/// to one object into one write.
public struct HardenPlanner: Sendable {
    public let client: JellyfinClient
    public let options: HardenOptions

    public init(client: JellyfinClient, options: HardenOptions) {
        self.client = client
        self.options = options
    }

    /// Reads the server as the audit does (one collector, the same evidence) and plans.
    public func plan(now: Date = Date()) async throws(HardenError) -> HardenPlan {
        let settings = AuditSettings(now: now, lanCIDRs: options.lanCIDRs, thresholds: options.thresholds)
        let run = await AuditRunner().run(client: client, settings: settings, selection: options.selection)
        guard case .observed = run.evidence.api else {
            throw .unreadable(run.problems.first ?? "the server could not be read as an administrator")
        }
        var plan = Self.plan(
            evidence: run.evidence, objects: run.objects, server: client.configuration.server.description, selection: options.selection,
            options: options.fix, now: now)
        plan.notes += run.problems.map { "could not read \($0); the controls that need it plan nothing" }
        return plan
    }

    /// Every control `harden` can fix, in catalogue order.
    public static let fixableControls: [any FixableControl.Type] = builtInControls.compactMap { $0 as? any FixableControl.Type }

    public static func plan(
        evidence: Evidence, objects: ServerObjects, server: String, selection: Selection = Selection(), options: FixOptions,
        now: Date = Date()
    ) -> HardenPlan {
        var plan = HardenPlan(runId: HardenPlan.newRunId(now: now), server: server, changes: [], operations: [], skipped: [], notes: [])
        var working = evidence
        var proposed: [FixChange] = []
        // Accepted risks (jellyfort.yml) are left alone: a whole control, or the subjects named.
        let accepted = selection.suppressions.filter { suppression in suppression.expires.map { $0 > now } ?? true }
        for control in fixableControls where selection.includes(control.description.id) {
            let id = control.description.id
            let mine = accepted.filter { $0.id == id }
            if let whole = mine.first(where: { $0.subject == nil }) {
                plan.skipped.append(SkippedControl(control: id.rawValue, reason: "an accepted risk in jellyfort.yml: \(whole.reason)"))
                continue
            }
            var fix = control.plan(working, options: options)
            let subjects = Set(mine.compactMap(\.subject))
            if !subjects.isEmpty {
                let kept = fix.changes.filter { !subjects.contains($0.subject) }
                for subject in Set(fix.changes.map(\.subject)).intersection(subjects).sorted() {
                    plan.skipped.append(SkippedControl(control: id.rawValue, reason: "\(subject) is an accepted risk in jellyfort.yml"))
                }
                fix.changes = kept
            }
            working.apply(fix.changes)
            proposed += fix.changes
            plan.skipped += fix.skipped.map { SkippedControl(control: control.description.id.rawValue, reason: $0) }
            for note in fix.notes where !plan.notes.contains(note) { plan.notes.append(note) }
        }
        let changes = resolveConflicts(proposed, skipped: &plan.skipped)
        plan.changes = changes.map {
            PlannedChange(control: $0.control.rawValue, subject: $0.subject, field: $0.field, from: $0.from, to: $0.to)
        }
        plan.operations = operations(for: changes, objects: objects, skipped: &plan.skipped)
        return plan
    }

    /// Two controls that want one field of one object to hold different values: neither is
    /// written, and both are named. Repeats of the same value are written once.
    static func resolveConflicts(_ changes: [FixChange], skipped: inout [SkippedControl]) -> [FixChange] {
        struct Key: Hashable {
            var target: FixTarget
            var field: String
        }
        var first: [Key: FixChange] = [:]
        var conflicting: Set<Key> = []
        for change in changes {
            let key = Key(target: change.target, field: change.field)
            if let earlier = first[key] {
                if earlier.to != change.to, !conflicting.contains(key) {
                    conflicting.insert(key)
                    skipped.append(
                        SkippedControl(
                            control: change.control.rawValue,
                            reason:
                                "\(earlier.control) and \(change.control) want \(change.field) of \(change.subject) set "
                                + "differently; neither is written"
                        ))
                }
            } else {
                first[key] = change
            }
        }
        var written: Set<Key> = []
        return changes.filter { change in
            let key = Key(target: change.target, field: change.field)
            return !conflicting.contains(key) && written.insert(key).inserted
        }
    }

    /// One write per object, in the order objects were first touched.
    static func operations(for changes: [FixChange], objects: ServerObjects, skipped: inout [SkippedControl]) -> [HardenOperation] {
        let users = Dictionary(objects.users.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var policies: [String: UserPolicy] = [:]
        var policyOrder: [String] = []
        var server = objects.configuration
        var network = objects.network
        var others: [HardenOperation] = []
        func missing(_ change: FixChange, _ what: String) {
            skipped.append(
                SkippedControl(
                    control: change.control.rawValue,
                    reason: "\(what) was not read from the server, so \(change.field) of \(change.subject) cannot be written"))
        }
        for change in changes {
            switch change.target {
            case .userPolicy(let id, _):
                guard let user = users[id] else {
                    missing(change, "the user")
                    continue
                }
                if policies[id] == nil {
                    policies[id] = user.policy
                    policyOrder.append(id)
                }
                policies[id]?.json[change.field] = change.to
            case .userName(let id, _):
                guard let user = users[id], let newName = change.to.stringValue else {
                    missing(change, "the user")
                    continue
                }
                others.append(.renameUser(user: user, newName: newName))
            case .userPassword(let id, _):
                guard let user = users[id] else {
                    missing(change, "the user")
                    continue
                }
                others.append(.rotatePassword(user: user))
            case .newMediaUser(let name):
                others.append(.createMediaUser(name: name, policy: change.to.objectValue ?? JSONObject()))
            case .serverConfiguration:
                guard server != nil else {
                    missing(change, "the server configuration")
                    continue
                }
                server?.json[change.field] = change.to
            case .networkConfiguration:
                guard network != nil else {
                    missing(change, "the network configuration")
                    continue
                }
                network?.json[change.field] = change.to
            case .apiKey(let index, let app):
                guard objects.apiKeys.indices.contains(index) else {
                    missing(change, "the key")
                    continue
                }
                others.append(.revokeAPIKey(app: app, token: objects.apiKeys[index].accessToken))
            case .device(let id, let name):
                others.append(.deleteDevice(id: id, name: name))
            }
        }
        var operations: [HardenOperation] = []
        if let original = objects.configuration, let server, server != original {
            operations.append(.updateServerConfiguration(original: original, updated: server))
        }
        if let original = objects.network, let network, network != original {
            operations.append(.updateNetworkConfiguration(original: original, updated: network))
        }
        for id in policyOrder {
            guard let user = users[id], let policy = policies[id], policy != user.policy else { continue }
            operations.append(.updatePolicy(user: user, policy: policy))
        }
        return operations + others
    }
}
