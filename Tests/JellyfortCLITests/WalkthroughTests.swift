import Foundation
import JellyfinAPI
import JellyfinEmulator
import JellyfortTestSupport
import Testing

/// A stranger's first hour, from a clean HOME, with the commands the README prints (each is
/// looked up in the README first, so the test follows the README and not a copy of it):
/// deploy → audit the bundle → the demo → a key file as the README says → audit a server.
@Suite("README walk-through from a clean HOME")
struct WalkthroughTests {
    static func readme() throws -> String {
        try String(contentsOf: repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
    }

    /// The README's line that starts with `prefix`, with `jellyfort` made the built binary.
    static func command(_ prefix: String, in readme: String) throws -> String {
        let line = try #require(
            readme.split(separator: "\n").map(String.init).first { $0.hasPrefix(prefix) }, "the README no longer has '\(prefix)…'")
        return line
    }

    @Test("deploy, audit the bundle, the demo, a key file, an audit", .timeLimit(.minutes(3)))
    func walkthrough() async throws {
        let home = temporaryDirectory("stranger-home")
        defer { try? FileManager.default.removeItem(at: home) }
        let readme = try Self.readme()
        let environment = ["HOME": home.path, "XDG_STATE_HOME": "", "XDG_CONFIG_HOME": "", "USER": NSUserName()]
        func shell(_ line: String) async throws -> CLIResult {
            let script = "cd \"$HOME\" && jellyfort() { \"$JELLYFORT\" \"$@\"; } && " + line
            return try await CLI.runProgram(
                URL(fileURLWithPath: "/bin/sh"), ["-c", script], environment: environment.merging(["JELLYFORT": CLI.binary.path]) { $1 })
        }

        // 1. The deployment, and the audit of what was written.
        let deploy = try Self.command("jellyfort deploy --domain", in: readme)
        let audit = try Self.command("jellyfort audit --deployment jellyfin-deploy", in: readme)
        let written = try await shell(deploy)
        #expect(written.status == 0, "\(deploy): \(written.stderr)")
        let bundle = home.appendingPathComponent("jellyfin-deploy")
        let unit = try String(contentsOf: bundle.appendingPathComponent("jellyfin.container"), encoding: .utf8)
        #expect(unit.contains("Volume=%h/.local/share/jellyfin/config:/config:Z"), "\(unit)")
        let audited = try await shell(audit + " --format json")
        #expect(audited.status == 0, "the bundle audits clean: \(audited.stderr)")
        let report = try #require(try JSONParser.parse(audited.stdout).objectValue)
        let failing = (report["controls"]?.arrayValue ?? []).compactMap(\.objectValue).filter { $0["status"] == "fail" }
        #expect(failing.isEmpty, "\(failing.map { $0["id"] ?? .null })")

        // 2. The demo, as the README runs it (through the built binary).
        let demo = try await shell("jellyfort demo")
        #expect(demo.status == 0, "\(demo.stderr)")
        #expect(demo.stdout.contains("What to do next with your own server"))
        #expect(
            !FileManager.default.fileExists(atPath: home.appendingPathComponent(".local/state/jellyfort").path), "the demo leaves no runs")

        // 3. A key file exactly as the README makes it, then an audit of a server with it.
        let mkdir = try Self.command("mkdir -p ~/.config/jellyfort", in: readme)
        let install = try Self.command("install -m 600 /dev/null ~/.config/jellyfort/api-key", in: readme)
        try await withEmulator("insecure") { fixture in
            let key = fixture.scenario.apiKeys[0].token
            let made = try await shell(
                mkdir + " && " + install.replacingOccurrences(of: " && $EDITOR ~/.config/jellyfort/api-key", with: "")
                    + " && printf '%s\\n' '\(key)' > ~/.config/jellyfort/api-key")
            #expect(made.status == 0, "\(made.stderr)")
            let keyPath = home.appendingPathComponent(".config/jellyfort/api-key").path
            #expect((try FileManager.default.attributesOfItem(atPath: keyPath)[.posixPermissions] as? Int) == 0o600)
            let serverAudit = try await shell(
                "jellyfort audit --server \(fixture.emulator.url) --api-key-file ~/.config/jellyfort/api-key --format json")
            #expect(serverAudit.status == 1, "the insecure scenario fails controls: \(serverAudit.stderr)")
            #expect(!serverAudit.stdout.contains(key) && !serverAudit.stderr.contains(key), "the key is never printed")
        }
    }
}
