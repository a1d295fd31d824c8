import Foundation
import JellyfinAPI
import JellyfinEmulator
import JellyfortAudit
import JellyfortCore
import JellyfortHarden
import JellyfortPassword
import JellyfortTestSupport
import Testing

@Suite("Harden against the emulator")
struct HardenTests {
    static func fullOptions() -> HardenOptions {
        var options = HardenOptions()
        options.lanCIDRs = ["192.168.1.0/24"]
        options.proxies = ["127.0.0.1"]
        options.adminName = "quill-keeper"
        options.createMediaUser = "mira"
        return options
    }

    func statuses(_ client: JellyfinClient) async -> [String: Status] {
        let run = await AuditRunner().run(client: client, settings: AuditSettings(lanCIDRs: ["192.168.1.0/24"]))
        return Dictionary(uniqueKeysWithValues: run.report.controls.map { ($0.id, $0.status) })
    }

    @Test("plan only: the server and the state folder stay untouched")
    func planOnly() async throws {
        try await withEmulator("insecure") { fixture in
            let client = try fixture.client()
            let before = try await ServerSnapshot.read(client)
            let plan = try await HardenPlanner(client: client, options: Self.fullOptions()).plan()
            #expect(plan.changes.count > 15)
            #expect(try await ServerSnapshot.read(client) == before)
            await client.shutdown()
        }
    }

    @Test("accepted risks from jellyfort.yml are left alone: a whole control, or one subject; expired ones are not")
    func acceptedRisks() async throws {
        try await withEmulator("insecure") { fixture in
            let client = try fixture.client()
            var options = Self.fullOptions()
            options.suppressions = [
                Suppression(id: .serverLegacyAuth, reason: "an old Kodi add-on"),
                Suppression(id: .loginHiddenUsers, subject: "user:kids", reason: "the kids pick their name"),
                Suppression(id: .networkAutoDiscovery, reason: "old TV", expires: Date(timeIntervalSince1970: 0)),
            ]
            let plan = try await HardenPlanner(client: client, options: options).plan()
            #expect(!plan.changes.contains { $0.control == "server.legacy-auth" })
            #expect(plan.skipped.contains { $0.control == "server.legacy-auth" && $0.reason.contains("an old Kodi add-on") })
            #expect(!plan.changes.contains { $0.control == "login.hidden-users" && $0.subject == "user:kids" })
            #expect(plan.changes.contains { $0.control == "login.hidden-users" && $0.subject == "user:alice" })
            #expect(plan.skipped.contains { $0.control == "login.hidden-users" && $0.reason.contains("user:kids") })
            #expect(plan.changes.contains { $0.control == "network.autodiscovery" }, "an expired acceptance no longer holds")
            await client.shutdown()
        }
    }

    @Test("apply fixes every API-fixable control; a second run plans nothing")
    func applyAndIdempotence() async throws {
        let state = temporaryDirectory("state")
        defer { try? FileManager.default.removeItem(at: state) }
        try await withEmulator("insecure", modify: { $0.version = "12.1.0" }) { fixture in
            let client = try fixture.client()
            var options = Self.fullOptions()
            options.revokeKeysOlderThanDays = 180
            let plan = try await HardenPlanner(client: client, options: options).plan()
            let outcome = try await HardenExecutor(client: client, store: RunStore(root: state)).apply(plan)
            #expect(outcome.failures.isEmpty, "\(outcome.failures)")
            #expect(await fixture.server.restartCount == 0, "harden never restarts the server")
            await fixture.server.restart()
            let after = await statuses(client)
            for id in [
                "admin.remote-access", "login.hidden-users", "auth.lockout", "sessions.single", "media.no-deletion", "users.remote-control",
                "admin.renamed", "server.legacy-auth", "network.local-subnets", "proxy.known-proxies", "network.autodiscovery", "api.keys",
                "devices.stale",
            ] {
                #expect(after[id] == .pass, "\(id) is \(after[id].map { "\($0)" } ?? "missing") after harden")
            }
            let users = try await client.users()
            let mira = try #require(users.first { $0.name == "mira" })
            #expect(
                mira.policy.isHidden && mira.policy.maxActiveSessions == 1 && !mira.policy.isAdministrator
                    && mira.policy.loginAttemptsBeforeLockout == 5)
            let file = try #require(outcome.passwordFiles.first { $0.user == "mira" })
            let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
            let password = try String(contentsOfFile: file.path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(password.count == 24)
            #expect(try await client.authenticate(user: "mira", password: Secret(password)).user.name == "mira")

            let again = try await HardenPlanner(client: client, options: options).plan()
            #expect(again.changes.isEmpty, "a second run planned \(again.changes.map { "\($0.subject) \($0.field)" })")
            await client.shutdown()
        }
    }

    @Test("fields this version does not know survive a policy write")
    func unknownFieldsSurvive() async throws {
        let state = temporaryDirectory("state")
        defer { try? FileManager.default.removeItem(at: state) }
        try await withEmulator(
            "insecure",
            modify: { scenario in
                scenario.extraPolicyFields = ["EnableHolodeck": false, "HolodeckMinutes": 0]
                scenario.users[1].policy["EnableHolodeck"] = true
                scenario.users[1].policy["HolodeckMinutes"] = 90
            }
        ) { fixture in
            let client = try fixture.client()
            let plan = try await HardenPlanner(client: client, options: HardenOptions()).plan()
            #expect(try await HardenExecutor(client: client, store: RunStore(root: state)).apply(plan).failures.isEmpty)
            let alice = try #require(await fixture.server.policy(ofUser: "alice"))
            #expect(alice["MaxActiveSessions"] == 1, "the change was made")
            #expect(alice["EnableHolodeck"] == true, "an unknown field was reset to the server's default")
            #expect(alice["HolodeckMinutes"] == 90)
            await client.shutdown()
        }
    }

    @Test("rollback restores every object exactly as it was")
    func rollbackExact() async throws {
        let state = temporaryDirectory("state")
        defer { try? FileManager.default.removeItem(at: state) }
        try await withEmulator("insecure") { fixture in
            let client = try fixture.client()
            let before = try await ServerSnapshot.read(client)
            let store = RunStore(root: state)
            var options = Self.fullOptions()
            options.skip = [.devicesStale]
            let plan = try await HardenPlanner(client: client, options: options).plan()
            #expect(try await HardenExecutor(client: client, store: store).apply(plan).failures.isEmpty)
            let changed = try await ServerSnapshot.read(client)
            #expect(changed != before)
            let outcome = try await HardenRollback(client: client, store: store).rollback(plan.runId)
            #expect(outcome.failures.isEmpty, "\(outcome.failures)")
            let restored = try await ServerSnapshot.read(client)
            #expect(restored == before, "\(restored.differences(from: before).prefix(8))")
            #expect(try store.record(plan.runId).state == .rolledBack)
            await client.shutdown()
        }
    }

    @Test("backups are written before the first change, folder 0700 and files 0600")
    func backupsArePrivate() async throws {
        let state = temporaryDirectory("state")
        defer { try? FileManager.default.removeItem(at: state) }
        try await withEmulator("insecure") { fixture in
            let client = try fixture.client()
            let plan = try await HardenPlanner(client: client, options: Self.fullOptions()).plan()
            _ = try await HardenExecutor(client: client, store: RunStore(root: state)).apply(plan)
            let folder = state.appendingPathComponent(plan.runId)
            #expect((try FileManager.default.attributesOfItem(atPath: folder.path)[.posixPermissions] as? Int) == 0o700)
            let backups = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("backup").path)
            #expect(backups.count == 5, "3 users, server and network configuration: \(backups)")
            for name in backups {
                let path = folder.appendingPathComponent("backup/\(name)").path
                #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) == 0o600)
                #expect(!name.contains("6a2f0e"), "no secret in a backup's name")
            }
            let journal = RunStore(root: state).journalEntries(plan.runId)
            #expect(journal.filter { $0.phase == .started }.count == plan.operations.count + 1, "each write journaled (the new user twice)")
            #expect(journal.filter { $0.phase == .done }.count == plan.operations.count)
            await client.shutdown()
        }
    }

    @Test("a journal that cannot be written (a full disk) sends no write, says so, and the run stays rollback-able")
    func fullDiskJournal() async throws {
        let state = temporaryDirectory("state")
        defer { try? FileManager.default.removeItem(at: state) }
        try await withEmulator("insecure") { fixture in
            let client = try fixture.client()
            let before = try await ServerSnapshot.read(client)
            let plan = try await HardenPlanner(client: client, options: Self.fullOptions()).plan()
            let store = RunStore(root: state)
            // The journal lands on /dev/full: every write to it fails with ENOSPC.
            let folder = state.appendingPathComponent(plan.runId)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(
                atPath: folder.appendingPathComponent("journal.jsonl").path, withDestinationPath: "/dev/full")
            let outcome = try await HardenExecutor(client: client, store: store).apply(plan)
            #expect(outcome.applied == 0)
            #expect(outcome.failures.count >= plan.operations.count)
            #expect(outcome.failures.allSatisfy { $0.contains("journal") || $0.contains("acknowledged") })
            let problem = try #require(outcome.stateProblem)
            #expect(problem.contains("journal.jsonl") && problem.contains("No space left on device"), "\(problem)")
            #expect(problem.contains("rollback \(plan.runId)"))
            #expect(try await ServerSnapshot.read(client) == before, "nothing was sent")
            #expect(try store.record(plan.runId).state == .partial)
            let rollback = try await HardenRollback(client: client, store: store).rollback(plan.runId)
            #expect(rollback.failures.isEmpty)
            #expect(try await ServerSnapshot.read(client) == before)
            await client.shutdown()
        }
    }

    @Test("refuses to block remote access for the account it signs in as from outside; an explicit risk allows it")
    func selfRemoteBlock() async throws {
        try await withEmulator(
            "hardened",
            modify: {
                $0.devices = []
                $0.users[0].policy["EnableRemoteAccess"] = true
                $0.users[0].policy["MaxActiveSessions"] = 0
            }
        ) { fixture in
            let remote = try await fixture.client(user: "quill-keeper", headers: [("X-Forwarded-For", "203.0.113.20")])
            let plan = try await HardenPlanner(client: remote, options: HardenOptions()).plan()
            #expect(!plan.changes.contains { $0.control == "admin.remote-access" })
            #expect(plan.skipped.contains { $0.control == "admin.remote-access" && $0.reason.contains("lock you out") })
            var risky = HardenOptions()
            risky.acceptedRisks = [.selfRemoteBlock]
            #expect(try await HardenPlanner(client: remote, options: risky).plan().changes.contains { $0.control == "admin.remote-access" })
            await remote.shutdown()
            let lan = try await fixture.client(user: "quill-keeper", headers: [("X-Forwarded-For", "192.168.1.20")], deviceId: "lan-device")
            #expect(
                try await HardenPlanner(client: lan, options: HardenOptions()).plan().changes.contains {
                    $0.control == "admin.remote-access"
                })
            await lan.shutdown()
        }
    }

    @Test("refuses a lockout on the only admin while it can sign in from outside; prints the way back")
    func onlyAdminLockout() async throws {
        try await withEmulator("insecure") { fixture in
            let client = try fixture.client()
            var options = HardenOptions()
            options.skip = [.adminRemoteAccess]
            let plan = try await HardenPlanner(client: client, options: options).plan()
            #expect(!plan.changes.contains { $0.control == "auth.lockout" && $0.subject == "user:admin" })
            #expect(plan.changes.contains { $0.control == "auth.lockout" && $0.subject == "user:alice" })
            #expect(plan.skipped.contains { $0.control == "auth.lockout" && $0.reason.contains("only administrator") })
            #expect(plan.notes.contains { $0.contains("jellyfort unlock USER") })
            #expect(plan.notes.contains { $0.contains("10.11.11 does not enforce lockout") })
            // With remote access turned off in the same run, the lockout is safe.
            let together = try await HardenPlanner(client: client, options: HardenOptions()).plan()
            #expect(together.changes.contains { $0.control == "auth.lockout" && $0.subject == "user:admin" })
            await client.shutdown()
        }
    }

    @Test("--admin-name renames the one guessable admin, none when several are guessable")
    func renames() async throws {
        try await withEmulator(
            "insecure",
            modify: {
                $0.users[1].isAdministrator = true
                $0.users[1].name = "root"
            }
        ) { fixture in
            let client = try fixture.client()
            var options = HardenOptions()
            options.adminName = "quill-keeper"
            let plan = try await HardenPlanner(client: client, options: options).plan()
            #expect(!plan.changes.contains { $0.control == "admin.renamed" })
            #expect(plan.skipped.contains { $0.control == "admin.renamed" && $0.reason.contains("--rename OLD=NEW") })
            options.adminName = nil
            options.renames = [.init(old: "admin", new: "keeper-one"), .init(old: "root", new: "keeper-two")]
            let named = try await HardenPlanner(client: client, options: options).plan()
            #expect(named.changes.filter { $0.control == "admin.renamed" }.count == 2)
            await client.shutdown()
        }
    }

    @Test("a rotated admin password is generated, written 0600, and works")
    func rotatePassword() async throws {
        let state = temporaryDirectory("state")
        defer { try? FileManager.default.removeItem(at: state) }
        try await withEmulator("hardened", modify: { $0.devices = [] }) { fixture in
            let client = try fixture.client()
            var options = HardenOptions()
            options.rotateAdminPassword = true
            let plan = try await HardenPlanner(client: client, options: options).plan()
            let outcome = try await HardenExecutor(client: client, store: RunStore(root: state)).apply(plan)
            let file = try #require(outcome.passwordFiles.first)
            let password = try String(contentsOfFile: file.path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(PasswordGenerator.bits() >= 128)
            #expect(try await client.authenticate(user: "quill-keeper", password: Secret(password)).user.name == "quill-keeper")
            await #expect(throws: JellyfinAPIError.self) {
                try await client.authenticate(user: "quill-keeper", password: Secret("correct-horse-battery-staple-42"))
            }
            await client.shutdown()
        }
    }

    @Test("--set-missing-passwords gives each account without one a generated password that works; the admin is left alone")
    func setMissingPasswords() async throws {
        let state = temporaryDirectory("state")
        defer { try? FileManager.default.removeItem(at: state) }
        try await withEmulator("insecure") { fixture in
            let client = try fixture.client()
            let before = await statuses(client)
            #expect(before["auth.admin-password"] == .fail)
            var options = HardenOptions()
            options.only = [.authAdminPassword]
            options.setMissingPasswords = true
            let plan = try await HardenPlanner(client: client, options: options).plan()
            #expect(plan.changes.map(\.subject) == ["user:kids"], "only the account without a password: \(plan.changes)")
            let outcome = try await HardenExecutor(client: client, store: RunStore(root: state)).apply(plan)
            #expect(outcome.failures.isEmpty, "\(outcome.failures)")
            let file = try #require(outcome.passwordFiles.first { $0.user == "kids" })
            #expect((try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int) == 0o600)
            let password = try String(contentsOfFile: file.path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(try await client.authenticate(user: "kids", password: Secret(password)).user.name == "kids")
            await #expect(throws: JellyfinAPIError.self) { try await client.authenticate(user: "kids", password: Secret("")) }
            #expect(try await client.authenticate(user: "admin", password: Secret("hunter2-but-longer")).user.name == "admin")
            let after = await statuses(client)
            #expect(after["auth.admin-password"] == .unknown, "no account without a password is left; strength is unknowable")
            await client.shutdown()
        }
    }

    @Test("unlock re-enables a locked-out user and resets the counter")
    func unlock() async throws {
        try await withEmulator(
            "hardened",
            modify: {
                $0.devices = []
                $0.version = "12.1.0"
            }
        ) { fixture in
            let client = try fixture.client()
            for _ in 0..<5 { _ = try? await client.authenticate(user: "mira", password: Secret("wrong")) }
            #expect(try await client.users().first { $0.name == "mira" }?.policy.isDisabled == true)
            #expect(try await unlockUser(named: "mira", client: client))
            let mira = try #require(try await client.users().first { $0.name == "mira" })
            #expect(!mira.policy.isDisabled && mira.policy.invalidLoginAttemptCount == 0)
            #expect(try await client.authenticate(user: "mira", password: Secret("mira-has-a-long-passphrase")).user.id == mira.id)
            #expect(try await unlockUser(named: "nobody", client: client) == false)
            await client.shutdown()
        }
    }
}
