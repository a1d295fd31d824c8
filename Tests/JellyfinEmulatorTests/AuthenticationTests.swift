import Foundation
import JellyfinAPI
import JellyfinEmulator
import JellyfortTestSupport
import Testing

/// `POST /Users/AuthenticateByName` outcomes, lockout and session limits (facts §2, §3, §5.2).
@Suite("Sign-in, lockout and sessions")
struct AuthenticationTests {
    /// A scenario where 127.0.0.1 is the proxy, so `X-Forwarded-For` decides who is remote.
    static func behindProxy(_ scenario: inout Scenario) {
        scenario.networkConfiguration["KnownProxies"] = ["127.0.0.1"]
        scenario.networkConfiguration["LocalNetworkSubnets"] = ["192.168.1.0/24"]
        scenario.devices = []
    }

    func signIn(_ client: JellyfinClient, _ user: String, _ password: String) async throws -> Int {
        let body: JSONValue = ["Username": .string(user), "Pw": .string(password)]
        return try await client.send(.post, "/Users/AuthenticateByName", body: body, authenticated: false).status
    }

    @Test("every outcome has Jellyfin's status and log line")
    func outcomes() async throws {
        let folder = temporaryDirectory("auth-log")
        defer { try? FileManager.default.removeItem(at: folder) }
        try await withEmulator("hardened", logDirectory: folder, modify: Self.behindProxy) { fixture in
            let local = try fixture.client(credential: nil)
            let remote = try fixture.client(credential: nil, headers: [("X-Forwarded-For", "203.0.113.7")])
            #expect(try await signIn(local, "nobody", "x") == 401)
            #expect(try await signIn(local, "mira", "wrong") == 401)
            #expect(try await signIn(remote, "quill-keeper", "correct-horse-battery-staple-42") == 403)
            #expect(try await signIn(local, "quill-keeper", "correct-horse-battery-staple-42") == 200)
            #expect(try await signIn(local, "  ", "x") == 400)
            let admin = try fixture.client()
            var mira = try #require(try await admin.users().first { $0.name == "mira" })
            var policy = mira.policy
            policy.isDisabled = true
            try await admin.updatePolicy(userId: mira.id, policy)
            #expect(try await signIn(local, "mira", "mira-has-a-long-passphrase") == 403)
            mira = try await admin.user(id: mira.id)
            #expect(mira.policy.isDisabled)

            let lines = fixture.emulator.log.events.map { $0.fileLine() }
            #expect(
                lines.contains { $0.hasSuffix(#"UserManager: Authentication request for "nobody" has been denied (IP: "127.0.0.1")."#) })
            #expect(
                lines.contains {
                    $0.hasSuffix(
                        #"Authentication request for "quill-keeper" forbidden: remote access disabled and user not in local network (IP: "203.0.113.7")."#
                    )
                })
            #expect(
                lines.contains {
                    $0.hasSuffix(
                        #"Authentication request for "mira" has been denied because this account is currently disabled (IP: "127.0.0.1")."#)
                })
            #expect(lines.contains { $0.hasSuffix(#"Authentication request for "quill-keeper" has succeeded."#) })
            let consoleLines = fixture.emulator.log.events.map { $0.consoleLine() }
            #expect(consoleLines.contains { $0.hasSuffix("Authentication request for nobody has been denied (IP: 127.0.0.1).") })
            let activity = try await admin.activityLog().items.map(\.type)
            #expect(activity.filter { $0 == "AuthenticationFailed" }.count == 1, "unknown users leave no activity entry")
            #expect(activity.contains("AuthenticationSucceeded"))
            await admin.shutdown()
            await local.shutdown()
            await remote.shutdown()
        }
    }

    @Test("the Authorization header must carry Client, Device, DeviceId and Version")
    func headerFields() async throws {
        try await withEmulator("insecure") { fixture in
            let client = try fixture.client(credential: nil) { $0.identity = ClientIdentity(device: "", deviceId: "x") }
            #expect(try await signIn(client, "alice", "alice-watches-films") == 400)
            await client.shutdown()
        }
    }

    @Test("lockout: -1 never locks, N locks after N failures, success resets the counter")
    func lockout() async throws {
        try await withEmulator("insecure", modify: { $0.version = "10.11.10" }) { fixture in
            let anonymous = try fixture.client(credential: nil)
            for _ in 0..<20 { _ = try await signIn(anonymous, "alice", "wrong") }
            #expect(try await signIn(anonymous, "alice", "alice-watches-films") == 200, "lockout -1 never locks")

            let admin = try fixture.client()
            let alice = try #require(try await admin.users().first { $0.name == "alice" })
            var policy = alice.policy
            policy.loginAttemptsBeforeLockout = 3
            try await admin.updatePolicy(userId: alice.id, policy)
            _ = try await signIn(anonymous, "alice", "wrong")
            _ = try await signIn(anonymous, "alice", "wrong")
            #expect(try await admin.user(id: alice.id).policy.invalidLoginAttemptCount == 2)
            #expect(try await signIn(anonymous, "alice", "alice-watches-films") == 200)
            #expect(try await admin.user(id: alice.id).policy.invalidLoginAttemptCount == 0, "success resets the counter")
            for _ in 0..<3 { _ = try await signIn(anonymous, "alice", "wrong") }
            let locked = try await admin.user(id: alice.id)
            #expect(locked.policy.isDisabled)
            #expect(try await signIn(anonymous, "alice", "alice-watches-films") == 403, "a locked account refuses even the right password")
            #expect(try await admin.activityLog().items.contains { $0.type == "UserLockedOut" })
            #expect(
                fixture.emulator.log.events.contains {
                    $0.fileLine().contains(#"Disabling user "alice" due to 3 unsuccessful login attempts."#)
                })

            // Unlocking needs IsDisabled=false and the counter back to 0.
            var unlock = locked.policy
            unlock.isDisabled = false
            unlock.invalidLoginAttemptCount = 0
            try await admin.updatePolicy(userId: alice.id, unlock)
            #expect(try await signIn(anonymous, "alice", "alice-watches-films") == 200)
            await admin.shutdown()
            await anonymous.shutdown()
        }
    }

    @Test("lockout 0 is stored as 3")
    func lockoutZero() async throws {
        try await withEmulator("insecure") { fixture in
            let admin = try fixture.client()
            let kids = try #require(try await admin.users().first { $0.name == "kids" })
            var policy = kids.policy
            policy.loginAttemptsBeforeLockout = 0
            try await admin.updatePolicy(userId: kids.id, policy)
            #expect(try await admin.user(id: kids.id).policy.loginAttemptsBeforeLockout == 3)
            await admin.shutdown()
        }
    }

    @Test("10.11.11: the lockout is logged and recorded but never saved")
    func lockoutBug() async throws {
        try await withEmulator("lockout-bug") { fixture in
            let anonymous = try fixture.client(credential: nil)
            for _ in 0..<4 { _ = try await signIn(anonymous, "sam", "wrong") }
            let admin = try fixture.client()
            let sam = try #require(try await admin.users().first { $0.name == "sam" })
            #expect(!sam.policy.isDisabled)
            #expect(try await admin.activityLog().items.contains { $0.type == "UserLockedOut" })
            #expect(try await signIn(anonymous, "sam", "sam-likes-long-passphrases") == 200)
            await admin.shutdown()
            await anonymous.shutdown()
        }
    }

    @Test("MaxActiveSessions refuses the next sign-in, from any device, and keeps the old session")
    func sessionLimit() async throws {
        try await withEmulator("hardened", modify: { $0.devices = [] }) { fixture in
            let first = try fixture.client(credential: nil, deviceId: "tv")
            let second = try fixture.client(credential: nil, deviceId: "phone")
            #expect(try await signIn(first, "mira", "mira-has-a-long-passphrase") == 200)
            #expect(try await signIn(second, "mira", "mira-has-a-long-passphrase") == 403)
            #expect(try await signIn(first, "mira", "mira-has-a-long-passphrase") == 403, "the same device is refused too")
            let admin = try fixture.client()
            #expect(try await admin.sessions().filter { $0.userName == "mira" }.count == 1)
            await admin.shutdown()
            await first.shutdown()
            await second.shutdown()
        }
    }

    @Test("a password change with a wrong current password counts as a failed sign-in")
    func passwordChange() async throws {
        try await withEmulator("insecure") { fixture in
            let alice = try await fixture.client(user: "alice")
            let id = try #require(alice.signedInUserId)
            await #expect(throws: JellyfinAPIError.forbidden(endpoint: "POST /Users/Password", reason: nil)) {
                try await alice.setPassword(userId: id, current: Secret("wrong"), new: Secret("x-new-passphrase"))
            }
            let admin = try fixture.client()
            #expect(try await admin.user(id: id).policy.invalidLoginAttemptCount == 1)
            try await alice.setPassword(userId: id, current: Secret("alice-watches-films"), new: Secret("x-new-passphrase"))
            #expect(try await admin.activityLog().items.contains { $0.type == "UserPasswordChanged" })
            await admin.shutdown()
            await alice.shutdown()
        }
    }
}
