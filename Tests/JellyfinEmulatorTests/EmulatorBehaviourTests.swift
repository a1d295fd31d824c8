import Foundation
import JellyfinAPI
import JellyfinEmulator
import JellyfortTestSupport
import Testing

@Suite("Users, policies and logs as a real server keeps them")
struct EmulatorBehaviourTests {
    @Test("a new user gets 10.11's defaults: hidden, lockout off, unlimited sessions, no Live TV management")
    func newUserDefaults() async throws {
        try await withEmulator("insecure") { fixture in
            let admin = try fixture.client()
            let user = try await admin.createUser(name: "newbie", password: nil)
            #expect(user.policy.isHidden)
            #expect(user.policy.loginAttemptsBeforeLockout == -1)
            #expect(user.policy.maxActiveSessions == 0)
            #expect(user.policy.enableRemoteAccess)
            #expect(!user.policy.isAdministrator)
            #expect(user.policy.json["EnableLiveTvManagement"] == false)
            #expect(user.hasPassword == false)
            #expect(try await admin.activityLog().items.first?.type == "UserCreated")
            await admin.shutdown()
        }
    }

    @Test("POST …/Policy replaces the whole policy: omitted fields fall back to the DTO defaults")
    func wholePolicyReplacement() async throws {
        try await withEmulator("insecure") { fixture in
            let admin = try fixture.client()
            let alice = try #require(try await admin.users().first { $0.name == "alice" })
            #expect(!alice.policy.isHidden)
            let partial: JSONValue = [
                "MaxActiveSessions": 1,
                "AuthenticationProviderId": .string(alice.policy.authenticationProviderId),
                "PasswordResetProviderId": .string(alice.policy.passwordResetProviderId),
            ]
            #expect(try await admin.send(.post, "/Users/\(alice.id)/Policy", body: partial).status == 204)
            let after = try await admin.user(id: alice.id)
            #expect(after.policy.maxActiveSessions == 1)
            #expect(after.policy.isHidden, "IsHidden was not sent, so it took the constructor's default")
            #expect(!after.policy.enableContentDeletion)
            #expect(after.policy.json["EnableLiveTvManagement"] == true, "the constructor still says true")
            await admin.shutdown()
        }
    }

    @Test("policy writes: required providers, wrong types, and the three 403 refusals")
    func policyRefusals() async throws {
        try await withEmulator("insecure") { fixture in
            let admin = try fixture.client()
            let users = try await admin.users()
            let root = try #require(users.first { $0.name == "admin" })
            let noProvider: JSONValue = ["IsHidden": true]
            #expect(try await admin.send(.post, "/Users/\(root.id)/Policy", body: noProvider).status == 400)
            var wrongType = root.policy.json
            wrongType["MaxActiveSessions"] = "one"
            #expect(try await admin.send(.post, "/Users/\(root.id)/Policy", body: .object(wrongType)).status == 400)

            var demote = root.policy
            demote.isAdministrator = false
            let last = try await admin.send(.post, "/Users/\(root.id)/Policy", body: .object(demote.json))
            #expect(last.status == 403)
            #expect(last.text == #""There must be at least one user in the system with administrative access.""#)
            var disable = root.policy
            disable.isDisabled = true
            let disabled = try await admin.send(.post, "/Users/\(root.id)/Policy", body: .object(disable.json))
            #expect(disabled.text == #""Administrators cannot be disabled.""#)
            #expect(try await admin.user(id: root.id).policy.isAdministrator)
            await admin.shutdown()
        }
    }

    @Test("renames refuse collisions and, on 10.11, case-only changes")
    func renames() async throws {
        try await withEmulator("insecure") { fixture in
            let admin = try fixture.client()
            var alice = try #require(try await admin.users().first { $0.name == "alice" })
            alice.name = "Admin"
            await #expect(throws: JellyfinAPIError.self) { try await admin.updateUser(alice) }
            alice.name = "Alice"
            await #expect(throws: JellyfinAPIError.self) { try await admin.updateUser(alice) }
            var missingConfiguration = alice.json
            missingConfiguration["Configuration"] = nil
            #expect(try await admin.send(.post, "/Users", query: [("userId", alice.id)], body: .object(missingConfiguration)).status == 400)
            await admin.shutdown()
        }
    }

    @Test("12.x reports HasPassword true for everyone")
    func hasPasswordOnTwelve() async throws {
        try await withEmulator("insecure", modify: { $0.version = "12.0.0" }) { fixture in
            let admin = try fixture.client()
            #expect(try await admin.users().allSatisfy { $0.hasPassword == true })
            #expect(try await admin.publicSystemInfo().version == "12.0.0")
            await admin.shutdown()
        }
    }

    @Test("the log file is log_YYYYMMDD.log in Jellyfin's file format, with all five deny messages, IPv4 and IPv6")
    func logFile() async throws {
        let folder = temporaryDirectory("jf-log")
        defer { try? FileManager.default.removeItem(at: folder) }
        try await withEmulator(
            "hardened", logDirectory: folder,
            modify: {
                $0.devices = []
                $0.networkConfiguration["KnownProxies"] = ["127.0.0.1"]
                $0.users[1].policy["AccessSchedules"] = [
                    ["DayOfWeek": "Everyday", "StartHour": 0, "EndHour": 0, "UserId": "00000000000000000000000000000000"]
                ]
            }
        ) { fixture in
            let anonymous = try fixture.client(credential: nil)
            let remote6 = try fixture.client(credential: nil, headers: [("X-Forwarded-For", "2001:db8::7")])
            _ = try? await anonymous.authenticate(user: "eve", password: Secret("x"))
            _ = try? await remote6.authenticate(user: "eve", password: Secret("x"))
            _ = try? await remote6.authenticate(user: "quill-keeper", password: Secret("x"))
            _ = try? await anonymous.authenticate(user: "mira", password: Secret("x"))
            // "without username" cannot be reached through AuthenticateByName (facts §5.2); write it as UserManager would.
            fixture.emulator.log.write(.deny(.withoutUsername, user: nil, ip: "198.51.100.3"))
            let admin = try fixture.client()
            let mira = try #require(try await admin.users().first { $0.name == "mira" })
            var policy = mira.policy
            policy.json["AccessSchedules"] = []
            policy.isDisabled = true
            try await admin.updatePolicy(userId: mira.id, policy)
            _ = try? await anonymous.authenticate(user: "mira", password: Secret("x"))

            let name = JellyfinLogEvent.fileName(for: Date())
            #expect(name.range(of: #"^log_\d{8}\.log$"#, options: .regularExpression) != nil)
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            let lines = text.split(separator: "\n").map(String.init)
            let prefix =
                #"^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} [+-]\d{2}:\d{2}\] \[INF\] \[\d+\] Jellyfin\.Server\.Implementations\.Users\.UserManager: "#
            let expected = [
                #"Authentication request for "eve" has been denied \(IP: "127\.0\.0\.1"\)\.$"#,
                #"Authentication request for "eve" has been denied \(IP: "2001:db8::7"\)\.$"#,
                #"Authentication request for "quill-keeper" forbidden: remote access disabled and user not in local network \(IP: "2001:db8::7"\)\.$"#,
                #"Authentication request for "mira" is not allowed at this time due parental restrictions \(IP: "127\.0\.0\.1"\)\.$"#,
                #"Authentication request without username has been denied \(IP: "198\.51\.100\.3"\)\.$"#,
                #"Authentication request for "mira" has been denied because this account is currently disabled \(IP: "127\.0\.0\.1"\)\.$"#,
            ]
            for pattern in expected {
                #expect(lines.contains { $0.range(of: prefix + pattern, options: .regularExpression) != nil }, "no line matches \(pattern)")
            }
            await admin.shutdown()
            await anonymous.shutdown()
            await remote6.shutdown()
        }
    }

    @Test("quoting follows Serilog: quotes and backslashes escaped in the file, raw on the console")
    func quoting() {
        let event = JellyfinLogEvent.deny(.denied, user: #"a"b\c (IP: "6.6.6.6")"#, ip: "203.0.113.5")
        #expect(event.fileLine().hasSuffix(#"Authentication request for "a\"b\\c (IP: \"6.6.6.6\")" has been denied (IP: "203.0.113.5")."#))
        #expect(event.consoleLine().hasSuffix(#"Authentication request for a"b\c (IP: "6.6.6.6") has been denied (IP: 203.0.113.5)."#))
        #expect(event.consoleLine().range(of: #"^\[\d{2}:\d{2}:\d{2}\] \[INF\] \[\d+\] "#, options: .regularExpression) != nil)
    }

    @Test("scenarios: every bundled one loads; a bad one says why")
    func scenarios() throws {
        #expect(Set(Scenario.bundledNames).isSuperset(of: ["insecure", "hardened", "wizard-open", "lockout-bug", "spoofable-proxies"]))
        for name in Scenario.bundledNames { _ = try Scenario.load(name) }
        #expect(throws: ScenarioError.self) { try Scenario.load("no-such-scenario") }
        #expect(throws: ScenarioError.self) { try Scenario(json: ["users": [["name": "a"], ["name": "A"]]], name: "dupes") }
        #expect(throws: ScenarioError.self) { try Scenario(json: ["version": "banana"], name: "v") }
    }
}
