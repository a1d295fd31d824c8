import Foundation
import JellyfinAPI
import JellyfortAudit
import JellyfortPassword

/// Applies a plan: backs up every object first, journals every step, sends the writes (user
/// policies with bounded concurrency), and records how the run ended.
public struct HardenExecutor: Sendable {
    public let client: JellyfinClient
    public let store: RunStore
    /// Writes in flight at once: enough to be quick on a big server, few enough to be gentle.
    public var concurrency = 8

    public init(client: JellyfinClient, store: RunStore) {
        self.client = client
        self.store = store
    }

    public struct Outcome: Sendable {
        public var applied: Int
        public var failures: [String]
        /// Each planned change, read back from the server after the run: did it take?
        public var verification: [ChangeVerification] = []
        /// New passwords, by user, as paths of 0600 files (never the passwords).
        public var passwordFiles: [(user: String, path: String)]
        public var folder: URL
        /// The run's own state (journal, record) could not be written: no write was sent after
        /// that, and rollback works from what was written before.
        public var stateProblem: String?
    }

    public func apply(_ plan: HardenPlan, progress: @Sendable (String) -> Void = { _ in }) async throws -> Outcome {
        let folder = try store.create(plan.runId)
        var record = RunRecord(
            runId: plan.runId, server: plan.server, startedAt: Date(), state: .applying, changes: plan.changes, skipped: plan.skipped)
        try store.save(record)
        // Every object is saved before the first write.
        for operation in plan.operations {
            guard let backup = operation.backup else { continue }
            let url = store.backupURL(plan.runId, backup.name)
            if !FileManager.default.fileExists(atPath: url.path) {
                try RunStore.writePrivate(Data(JSONWriter.bytes(.object(backup.object))), to: url)
            }
        }
        let journal = try Journal(url: store.journal(plan.runId))
        let steps = Array(plan.operations.enumerated())
        let configuration = steps.filter {
            if case .updateServerConfiguration = $0.element {
                true
            } else if case .updateNetworkConfiguration = $0.element {
                true
            } else {
                false
            }
        }
        let policies = steps.filter { if case .updatePolicy = $0.element { true } else { false } }
        let rest = steps.filter { step in
            !configuration.contains { $0.offset == step.offset } && !policies.contains { $0.offset == step.offset }
        }

        var failures: [String] = []
        var passwordFiles: [(String, String)] = []
        var done = 0
        for (index, operation) in configuration {
            if let failure = await perform(operation, step: index, journal: journal, folder: folder, passwordFiles: &passwordFiles) {
                failures.append(failure)
            } else {
                done += 1
            }
        }
        // User policies are independent of each other: send them a few at a time.
        var pending = policies[...]
        await withTaskGroup(of: String?.self) { group in
            var inFlight = 0
            func launch() {
                guard let (index, operation) = pending.popFirst() else { return }
                inFlight += 1
                group.addTask {
                    var unused: [(String, String)] = []
                    return await perform(operation, step: index, journal: journal, folder: folder, passwordFiles: &unused)
                }
            }
            for _ in 0..<concurrency { launch() }
            while inFlight > 0, let result = await group.next() {
                inFlight -= 1
                if let result { failures.append(result) } else { done += 1 }
                progress("Applied \(done + failures.count) of \(plan.operations.count) changes…")
                launch()
            }
        }
        for (index, operation) in rest {
            if let failure = await perform(operation, step: index, journal: journal, folder: folder, passwordFiles: &passwordFiles) {
                failures.append(failure)
            } else {
                done += 1
            }
        }
        progress("Reading every changed object back…")
        let verification = await verify(plan, passwordFiles: passwordFiles)
        for check in verification where check.verified == false {
            failures.append("\(check.change.subject) \(check.change.field): the server acknowledged the write but \(check.detail)")
        }
        record.state = failures.isEmpty ? .applied : .partial
        var stateProblem = journal.brokenBecause.map {
            "\($0); the writes after it were not sent, and jellyfort harden rollback \(plan.runId) undoes the ones before it"
        }
        do {
            try store.save(record)
        } catch {
            stateProblem =
                stateProblem
                ?? "\(error); the run's record still says 'applying', and jellyfort harden rollback \(plan.runId) works from its journal"
        }
        return Outcome(
            applied: done, failures: failures, verification: verification, passwordFiles: passwordFiles.map { (user: $0.0, path: $0.1) },
            folder: folder,
            stateProblem: stateProblem)
    }

    /// One write, journaled before and after. Returns a failure line, or nil.
    private func perform(_ operation: HardenOperation, step: Int, journal: Journal, folder: URL, passwordFiles: inout [(String, String)])
        async -> String?
    {
        let (kind, target) = Self.describe(operation)
        // No write the journal does not know of: it is what rollback reads.
        do {
            try journal.append(JournalEntry(step: step, kind: kind, target: target, label: operation.label, phase: .started, detail: nil))
        } catch {
            return "\(operation.label): not sent, because the journal could not be written"
        }
        do {
            switch operation {
            case .updatePolicy(let user, let policy):
                try await client.updatePolicy(userId: user.id, policy)
            case .renameUser(let user, let newName):
                // The user as it is now, so a policy write in the same run is not undone.
                var current = try await client.user(id: user.id)
                current.name = newName
                try await client.updateUser(current)
            case .updateServerConfiguration(_, let updated):
                try await client.updateServerConfiguration(updated)
            case .updateNetworkConfiguration(_, let updated):
                try await client.updateNetworkConfiguration(updated)
            case .createMediaUser(let name, let fields):
                let password = PasswordGenerator.generate()
                let file = folder.appendingPathComponent("password-\(Self.safeFileName(name)).txt")
                try RunStore.writePrivate(Data((password.exposedValue + "\n").utf8), to: file)
                let user = try await client.createUser(name: name, password: password)
                try? journal.append(
                    JournalEntry(
                        step: step, kind: kind, target: name, label: operation.label, phase: .started, detail: "created \(user.id)"))
                var policy = user.policy
                policy.json = policy.json.merging(fields)
                try await client.updatePolicy(userId: user.id, policy)
                passwordFiles.append((name, file.path))
            case .rotatePassword(let user):
                let password = PasswordGenerator.generate()
                let file = folder.appendingPathComponent("password-\(Self.safeFileName(user.name)).txt")
                try RunStore.writePrivate(Data((password.exposedValue + "\n").utf8), to: file)
                var current: Secret?
                if case .password(_, let own) = client.configuration.credential, client.signedInUserId == user.id { current = own }
                try await client.setPassword(userId: user.id, current: current, new: password)
                passwordFiles.append((user.name, file.path))
            case .revokeAPIKey(_, let token):
                try await client.revokeAPIKey(token)
            case .deleteDevice(let id, _):
                try await client.deleteDevice(id: id)
            }
            // The write happened; if this line is lost, the "started" line still lets rollback undo it.
            try? journal.append(JournalEntry(step: step, kind: kind, target: target, label: operation.label, phase: .done, detail: nil))
            return nil
        } catch {
            let message = "\(operation.label): \(error)"
            try? journal.append(
                JournalEntry(step: step, kind: kind, target: target, label: operation.label, phase: .failed, detail: "\(error)"))
            return message
        }
    }

    /// Reads back what the run wrote and compares it with the plan: a server that answers 204
    /// and ignores the write must not be reported as hardened.
    func verify(_ plan: HardenPlan, passwordFiles: [(String, String)]) async -> [ChangeVerification] {
        async let usersRead = result { try await client.users() }
        async let serverRead = result { try await client.serverConfiguration() }
        async let networkRead = result { try await client.networkConfiguration() }
        async let keysRead = result { try await client.apiKeys() }
        async let devicesRead = result { try await client.devices() }
        let users = await usersRead
        let server = await serverRead
        let network = await networkRead
        let keys = await keysRead
        let devices = await devicesRead
        let usersByName = (try? users.get()).map { Dictionary($0.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first }) }
        func check(_ change: PlannedChange) -> ChangeVerification {
            func compare(_ value: JSONValue?, _ what: String) -> ChangeVerification {
                value == change.to
                    ? ChangeVerification(change: change, verified: true, detail: "read back as written")
                    : ChangeVerification(
                        change: change, verified: false, detail: "\(what) still reads \(value.map { JSONWriter.string($0) } ?? "nothing")")
            }
            func unreadable(_ error: any Error) -> ChangeVerification {
                ChangeVerification(change: change, verified: false, detail: "it could not be read back (\(error))")
            }
            let name = change.subject.hasPrefix("user:") ? String(change.subject.dropFirst(5)) : ""
            switch (change.subject, change.field) {
            case ("config:server", _):
                switch server {
                case .success(let configuration): return compare(configuration.json[change.field], change.field)
                case .failure(let error): return unreadable(error)
                }
            case ("config:network", _):
                switch network {
                case .success(let configuration): return compare(configuration.json[change.field], change.field)
                case .failure(let error): return unreadable(error)
                }
            case (_, "Name"):
                guard let usersByName else {
                    return unreadable(JellyfinAPIError.malformedResponse(endpoint: "GET /Users", detail: "unreadable"))
                }
                let renamed = change.to.stringValue.flatMap { usersByName[$0] } != nil
                return ChangeVerification(
                    change: change, verified: renamed, detail: renamed ? "the user has its new name" : "no user has the new name")
            case (_, "created"):
                guard let user = usersByName?[name] else {
                    return ChangeVerification(change: change, verified: false, detail: "no user \(name) exists")
                }
                let fields = change.to.objectValue ?? JSONObject()
                let wrong = fields.pairs.filter { user.policy.json[$0.0] != $0.1 }.map(\.0)
                return ChangeVerification(
                    change: change, verified: wrong.isEmpty,
                    detail: wrong.isEmpty
                        ? "created with its policy" : "its policy reads differently for \(wrong.sorted().joined(separator: ", "))")
            case (_, "Password"):
                let written = passwordFiles.contains { $0.0 == name }
                return ChangeVerification(
                    change: change, verified: written ? nil : false,
                    detail: written ? "set; a password cannot be read back (sign in with it to check)" : "no new password was set")
            case (_, "revoked"):
                guard case .success(let list) = keys else {
                    return unreadable(JellyfinAPIError.malformedResponse(endpoint: "GET /Auth/Keys", detail: "unreadable"))
                }
                let still = list.contains {
                    $0.accessToken.redacted == change.from.stringValue && ("apikey:" + ($0.appName ?? "unnamed")) == change.subject
                }
                return ChangeVerification(change: change, verified: !still, detail: still ? "the key is still listed" : "the key is gone")
            case (_, "signed in"):
                guard case .success(let list) = devices else {
                    return unreadable(JellyfinAPIError.malformedResponse(endpoint: "GET /Devices", detail: "unreadable"))
                }
                let deviceName = String(change.subject.dropFirst("device:".count))
                let still = list.contains {
                    ($0.customName.flatMap { $0.isEmpty ? nil : $0 } ?? $0.name ?? $0.id) == deviceName && $0.accessToken != nil
                }
                return ChangeVerification(
                    change: change, verified: !still, detail: still ? "the device is still signed in" : "the device is signed out")
            default:
                guard let user = plan.renamedUsers[name].flatMap({ usersByName?[$0] }) ?? usersByName?[name] else {
                    return ChangeVerification(change: change, verified: false, detail: "user \(name) could not be read back")
                }
                return compare(user.policy.json[change.field], change.field)
            }
        }
        return plan.changes.map(check)
    }

    static func describe(_ operation: HardenOperation) -> (kind: String, target: String) {
        switch operation {
        case .updatePolicy(let user, _): ("policy", user.id)
        case .renameUser(let user, _): ("rename", user.id)
        case .updateServerConfiguration: ("config", "config-server")
        case .updateNetworkConfiguration: ("config", "config-network")
        case .createMediaUser(let name, _): ("create-user", name)
        case .rotatePassword(let user): ("password", user.id)
        case .revokeAPIKey(let app, _): ("revoke-key", app)
        case .deleteDevice(let id, _): ("delete-device", id)
        }
    }

    static func safeFileName(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
    }
}

/// One planned change as read back from the server after the run.
public struct ChangeVerification: Sendable {
    public var change: PlannedChange
    /// true: read back as planned; false: it did not take; nil: it cannot be read back (a password).
    public var verified: Bool?
    public var detail: String
}

/// Restores what a run changed, from its backups and journal.
public struct HardenRollback: Sendable {
    public let client: JellyfinClient
    public let store: RunStore

    public init(client: JellyfinClient, store: RunStore) {
        self.client = client
        self.store = store
    }

    public struct Outcome: Sendable {
        public var restored: [String]
        public var failures: [String]
        /// What a rollback cannot undo (revoked keys, signed-out devices, new passwords).
        public var notRestorable: [String]
    }

    public func rollback(_ runId: String) async throws -> Outcome {
        var record = try store.record(runId)
        let entries = store.journalEntries(runId)
        var touched: [String: JournalEntry] = [:]
        var order: [String] = []
        for entry in entries where entry.phase == .started {
            let key = "\(entry.kind)|\(entry.target)"
            if touched[key] == nil { order.append(key) }
            touched[key] = entry
        }
        var outcome = Outcome(restored: [], failures: [], notRestorable: [])
        var restoredUsers: Set<String> = []
        for key in order.reversed() {
            guard let entry = touched[key] else { continue }
            do {
                switch entry.kind {
                case "policy", "rename":
                    guard !restoredUsers.contains(entry.target) else { continue }
                    let backup = try loadBackup(runId, "user-\(entry.target).json")
                    let user = try UserDto(json: backup)
                    try await client.updateUser(user)
                    try await client.updatePolicy(userId: user.id, user.policy)
                    restoredUsers.insert(entry.target)
                    outcome.restored.append("user:\(user.name)")
                case "config":
                    let backup = try loadBackup(runId, "\(entry.target).json")
                    if entry.target == "config-server" {
                        try await client.updateServerConfiguration(try ServerConfiguration(json: backup))
                        outcome.restored.append("config:server")
                    } else {
                        try await client.updateNetworkConfiguration(try NetworkConfiguration(json: backup))
                        outcome.restored.append("config:network")
                    }
                case "create-user":
                    if let created = try await client.users().first(where: { $0.name == entry.target }) {
                        try await client.deleteUser(id: created.id)
                        outcome.restored.append("user:\(entry.target) (removed)")
                    }
                case "password":
                    outcome.notRestorable.append("\(entry.label): the old password is not kept; the new one is in the run's folder")
                default:
                    outcome.notRestorable.append("\(entry.label): cannot be undone through the API")
                }
            } catch {
                outcome.failures.append("\(entry.label): \(error)")
            }
        }
        record.state = outcome.failures.isEmpty ? .rolledBack : .partial
        try store.save(record)
        return outcome
    }

    private func loadBackup(_ runId: String, _ name: String) throws -> JSONObject {
        let url = store.backupURL(runId, name)
        guard let data = FileManager.default.contents(atPath: url.path), let object = try JSONParser.parse(Array(data)).objectValue else {
            throw HardenError.damagedRun(runId, "missing backup \(name)")
        }
        return object
    }
}

/// `jellyfort unlock USER`: re-enable a locked-out user and reset its counter.
public func unlockUser(named name: String, client: JellyfinClient) async throws -> Bool {
    guard let user = try await client.users().first(where: { $0.name.lowercased() == name.lowercased() }) else { return false }
    var policy = user.policy
    policy.isDisabled = false
    policy.invalidLoginAttemptCount = 0
    try await client.updatePolicy(userId: user.id, policy)
    return true
}
