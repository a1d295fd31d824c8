import Foundation
import JellyfinAPI
import JellyfinEmulator
import JellyfortTestSupport
import Testing

/// `harden` and `audit` against a server that lies: it acknowledges writes and ignores them, or
/// lists no administrator. Neither may look like success.
@Suite("harden and audit against a lying server")
struct HostileHardenTests {
    static let admin =
        #"{"Name":"admin","Id":"0123456789abcdef0123456789abcdef","HasPassword":true,"Policy":{"IsAdministrator":true,"IsHidden":false,"#
        + #""IsDisabled":false,"EnableRemoteAccess":true,"EnableContentDeletion":false,"EnableContentDeletionFromFolders":[],"#
        + #""EnableRemoteControlOfOtherUsers":false,"LoginAttemptsBeforeLockout":-1,"MaxActiveSessions":0,"#
        + #""AuthenticationProviderId":"a","PasswordResetProviderId":"b"}}"#

    static func lyingServer(users: String) async throws -> ScriptedServer {
        try await ScriptedServer { request in
            switch (request.method, request.path) {
            case ("POST", _): .respond(status: 204, headers: [], body: [])
            case ("GET", "/System/Info/Public"):
                ScriptedServer.json(#"{"Version":"10.11.10","ServerName":"den","StartupWizardCompleted":true,"Id":"x"}"#)
            case ("GET", "/Users/Public"): ScriptedServer.json("[]")
            case ("GET", "/Users"): ScriptedServer.json(users)
            default: .respond(status: 404, headers: [], body: [])
            }
        }
    }

    @Test("writes acknowledged but ignored: exit 1, every change reported as not taken, applied false")
    func ignoredWrites() async throws {
        let server = try await Self.lyingServer(users: "[\(Self.admin)]")
        let state = temporaryDirectory("state")
        defer { try? FileManager.default.removeItem(at: state) }
        let key = try CLI.secretFile("0123456789abcdef0123456789abcdef")
        let result = try await CLI.run(
            [
                "harden", "--server", server.url, "--api-key-file", key, "--only", "login.hidden-users", "--apply", "--yes", "--format",
                "json",
            ],
            environment: ["XDG_STATE_HOME": state.path])
        #expect(result.status == 1, "\(result.stderr)")
        let document = try #require(try JSONParser.parse(result.stdout).objectValue)
        #expect(document["applied"] == false)
        let changes = document["changes"]?.arrayValue?.compactMap(\.objectValue) ?? []
        #expect(!changes.isEmpty)
        #expect(changes.allSatisfy { $0["verified"] == false }, "\(changes)")
        #expect(server.requests.contains { $0.method == "POST" })
        await server.stop()
    }

    @Test("an empty user list is not 'every account': unknown with the reason, exit 2")
    func emptyUsers() async throws {
        let server = try await Self.lyingServer(users: "[]")
        let key = try CLI.secretFile("0123456789abcdef0123456789abcdef")
        let result = try await CLI.run(["audit", "--server", server.url, "--api-key-file", key, "--format", "json"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("no administrator"))
        let document = try #require(try JSONParser.parse(result.stdout).objectValue)
        let controls = document["controls"]?.arrayValue?.compactMap(\.objectValue) ?? []
        for id in ["auth.lockout", "admin.renamed", "media.no-deletion", "users.remote-control", "admin.remote-access"] {
            #expect(controls.first { $0["id"]?.stringValue == id }?["status"] != "pass", "\(id) passed on an empty user list")
        }
        await server.stop()
    }

    @Test("a report to a full disk or a closed standard output is an error (exit 2), not a crash")
    func unwritableOutput() async throws {
        try await withEmulator("hardened") { fixture in
            let key = try CLI.secretFile(fixture.scenario.apiKeys[0].token)
            let full = try await CLI.run(["audit", "--server", fixture.emulator.url, "--api-key-file", key, "--output", "/dev/full"])
            #expect(full.status == 2, "\(full.stderr)")
            #expect(full.stderr.contains("/dev/full"))
            let folder = try await CLI.run(["audit", "--server", fixture.emulator.url, "--api-key-file", key, "--output", "/tmp"])
            #expect(folder.status == 2)
            #expect(folder.stderr.contains("it is a folder"), "\(folder.stderr)")
            let closed = try await CLI.runShell("\"$JELLYFORT\" audit --server \(fixture.emulator.url) --api-key-file \(key) >&-")
            #expect(closed.status == 2, "\(closed.stderr)")
            #expect(closed.stderr.contains("standard output"))
        }
    }

    @Test("server-controlled names reach the terminal without escape sequences")
    func escapeSequences() async throws {
        let server = try await ScriptedServer { request in
            switch request.path {
            case "/System/Info/Public":
                ScriptedServer.json(
                    #"{"Version":"10.11.10","ServerName":"den\u001b[2J\u001b]0;owned\u0007","StartupWizardCompleted":true,"Id":"x"}"#)
            case "/Users/Public":
                ScriptedServer.json(
                    #"[{"Name":"\u001b[32mPASS\u001b[0m","Id":"0123456789abcdef0123456789abcdef","Policy":{"IsAdministrator":true,"#
                        + #""IsHidden":false,"IsDisabled":false,"EnableRemoteAccess":true,"EnableContentDeletion":false,"#
                        + #""LoginAttemptsBeforeLockout":-1,"MaxActiveSessions":0,"AuthenticationProviderId":"a","PasswordResetProviderId":"b"}}]"#
                )
            default: .respond(status: 404, headers: [], body: [])
            }
        }
        for format in ["text", "markdown"] {
            let result = try await CLI.run(["audit", "--server", server.url, "--format", format])
            #expect(!result.stdout.contains("\u{1B}") && !result.stderr.contains("\u{1B}"), "\(format): an escape sequence got through")
            #expect(result.stdout.contains("den"))
        }
        await server.stop()
    }
}
