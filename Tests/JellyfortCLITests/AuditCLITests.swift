import Foundation
import JellyfinAPI
import JellyfinEmulator
import JellyfortTestSupport
import Testing

/// `jellyfort audit` end to end: the built binary against the emulator's scenarios over loopback.
@Suite("jellyfort audit, end to end")
struct AuditCLITests {
    /// Every control that is decided from the API and the anonymous view, per scenario.
    static let expected: [String: [String: String]] = [
        "insecure": [
            "container.client-ip": "fail", "server.version-current": "fail", "proxy.known-proxies": "fail",
            "network.ip-allowlist": "warn", "auth.admin-password": "fail", "accounts.separate-admin": "fail",
            "admin.remote-access": "fail", "login.hidden-users": "fail", "auth.lockout": "fail", "sessions.single": "fail",
            "admin.renamed": "fail", "media.no-deletion": "fail", "edge.cdn-origin-lock": "not_applicable",
            "server.startup-wizard": "pass", "server.legacy-auth": "fail", "server.metrics": "pass", "server.quickconnect": "warn",
            "server.restart-unauthenticated": "fail", "network.local-subnets": "fail", "network.autodiscovery": "fail",
            "network.cors": "fail", "users.remote-control": "fail", "api.keys": "fail", "devices.stale": "fail",
            "plugins.repositories": "fail",
        ],
        "hardened": [
            "container.client-ip": "unknown", "server.version-current": "pass", "proxy.known-proxies": "pass",
            "network.ip-allowlist": "warn", "auth.admin-password": "unknown", "accounts.separate-admin": "pass",
            "admin.remote-access": "pass", "login.hidden-users": "pass", "auth.lockout": "pass", "sessions.single": "pass",
            "admin.renamed": "pass", "media.no-deletion": "pass", "edge.cdn-origin-lock": "not_applicable",
            "server.startup-wizard": "pass", "server.legacy-auth": "pass", "server.metrics": "pass", "server.quickconnect": "pass",
            "server.restart-unauthenticated": "pass", "network.local-subnets": "pass", "network.autodiscovery": "pass",
            "network.cors": "pass", "users.remote-control": "pass", "api.keys": "pass", "devices.stale": "pass",
            "plugins.repositories": "pass",
        ],
        "wizard-open": [
            "server.startup-wizard": "fail", "server.version-current": "fail", "login.hidden-users": "pass",
            "admin.remote-access": "unknown", "auth.lockout": "unknown", "server.quickconnect": "warn",
        ],
        "lockout-bug": [
            "auth.lockout": "fail", "server.version-current": "fail", "admin.remote-access": "pass", "proxy.known-proxies": "pass",
            "sessions.single": "pass", "server.legacy-auth": "fail",
        ],
        "spoofable-proxies": [
            "proxy.known-proxies": "fail", "admin.remote-access": "fail", "server.restart-unauthenticated": "fail",
            "login.hidden-users": "fail", "admin.renamed": "fail", "auth.lockout": "pass",
        ],
    ]

    static let hostOrProbeOnly: Set<String> = [
        "container.rootless", "container.least-privilege", "container.media-readonly", "container.private-labels",
        "container.autoupdate", "proxy.tls", "proxy.direct-port-closed", "proxy.security-headers", "proxy.log-redaction",
        "proxy.obscure-domain", "auth.brute-force-ban", "login.user-enumeration",
    ]

    func audit(_ scenario: String, _ extra: [String] = [], credential: Bool = true) async throws -> (CLIResult, JSONObject) {
        try await withEmulator(scenario) { fixture in
            var arguments = ["audit", "--server", fixture.emulator.url, "--format", "json"] + extra
            if credential, let key = fixture.scenario.apiKeys.first { arguments += ["--api-key-file", try CLI.secretFile(key.token)] }
            let result = try await CLI.run(arguments)
            let report = try #require(
                try JSONParser.parse(result.stdout).objectValue,
                "stdout is not one JSON document: \(result.stdout.prefix(200)) \(result.stderr)")
            return (result, report)
        }
    }

    func statuses(_ report: JSONObject) -> [String: String] {
        Dictionary(
            uniqueKeysWithValues: (report["controls"]?.arrayValue ?? []).compactMap { control in
                control.objectValue.flatMap { object in object["id"]?.stringValue.map { ($0, object["status"]?.stringValue ?? "") } }
            })
    }

    @Test(
        "every scenario: each control's status, every catalogue id once, exit code",
        arguments: ["insecure", "hardened", "wizard-open", "lockout-bug", "spoofable-proxies"])
    func scenario(_ name: String) async throws {
        let (result, report) = try await audit(name)
        let found = statuses(report)
        #expect(found.count == 37)
        #expect((report["controls"]?.arrayValue?.count ?? 0) == 37, "every control exactly once")
        for (id, status) in Self.expected[name] ?? [:] {
            #expect(found[id] == status, "\(name): \(id) is \(found[id] ?? "missing"), expected \(status)")
        }
        for id in Self.hostOrProbeOnly { #expect(found[id] == "unknown", "\(name): \(id)") }
        #expect(result.status == (name == "hardened" ? 0 : 1), "exit \(result.status): \(result.stderr)")
        #expect(result.stderr.isEmpty || !result.stderr.contains("error"), "\(result.stderr)")
    }

    @Test("the insecure report names the findings and never prints a token")
    func insecureFindings() async throws {
        let (result, report) = try await audit("insecure")
        let controls = report["controls"]?.arrayValue?.compactMap(\.objectValue) ?? []
        let remote = try #require(controls.first { $0["id"] == "admin.remote-access" })
        #expect(remote["severity"] == "critical")
        #expect(remote["guideItem"] == 9)
        #expect(remote["findings"]?.arrayValue?.first?.objectValue?["subject"] == "user:admin")
        #expect(remote["remediation"]?.objectValue?["fixable"] == true)
        #expect(report["score"]?.objectValue?["grade"] == "F")
        #expect(report["target"]?.objectValue?["serverVersion"] == "10.11.11")
        #expect(!result.stdout.contains("0b1c2d3e4f5a46b7c8d9e0f1a2b3c4d5"), "an API key leaked into the report")
        #expect(!result.stdout.contains("6a2f0e5b9c4d4e7f8a1b2c3d4e5f6a7b"), "the audit's own key leaked into the report")
        #expect(result.stdout.contains("0b1c…"))
    }

    @Test("--fail-on moves the exit code; --only and --skip mute the rest")
    func failOnAndSelection() async throws {
        #expect(try await audit("insecure", ["--fail-on", "none"]).0.status == 0)
        #expect(try await audit("lockout-bug", ["--fail-on", "critical"]).0.status == 0)
        #expect(try await audit("lockout-bug", ["--fail-on", "high"]).0.status == 1)
        let (only, report) = try await audit("insecure", ["--only", "server.startup-wizard,server.metrics"])
        #expect(only.status == 0)
        let found = statuses(report)
        #expect(found.values.filter { $0 == "muted" }.count == 35)
        #expect(report["summary"]?.objectValue?["muted"] == 35)
        let (_, skipped) = try await audit("insecure", ["--skip", "admin.remote-access"])
        #expect(statuses(skipped)["admin.remote-access"] == "muted")
    }

    @Test("without a credential: anonymous controls still decide, the rest say what they need, exit 0 or 1 not 2")
    func anonymousOnly() async throws {
        let (result, report) = try await audit("insecure", credential: false)
        let found = statuses(report)
        #expect(found["login.hidden-users"] == "fail")
        #expect(found["server.startup-wizard"] == "pass")
        #expect(found["admin.renamed"] == "fail", "the login screen shows the admin 'admin'")
        #expect(found["auth.lockout"] == "unknown")
        let lockout = report["controls"]?.arrayValue?.compactMap(\.objectValue).first { $0["id"] == "auth.lockout" }
        #expect(lockout?["summary"]?.stringValue?.contains("--api-key-file") == true)
        #expect(result.status == 0, "what the anonymous view shows fails only at medium, below the default --fail-on high")
    }

    @Test("a config file: defaults and suppressions with reasons; expired ones are noticed")
    func configFile() async throws {
        let folder = temporaryDirectory("config")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("jellyfort.yml").path
        try """
        failOn: critical
        lanCidr: [10.9.0.0/16]
        suppress:
          - id: server.quickconnect
            reason: the TV signs in with Quick Connect
          - id: login.hidden-users
            subject: user:kids
            reason: the kids pick their name
          - id: network.cors
            reason: an old widget
            expires: 2020-01-01
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let (result, report) = try await audit("insecure", ["--config", path])
        let found = statuses(report)
        #expect(found["server.quickconnect"] == "muted")
        #expect(found["network.cors"] == "fail")
        let hidden = report["controls"]?.arrayValue?.compactMap(\.objectValue).first { $0["id"] == "login.hidden-users" }
        #expect(hidden?["findings"]?.arrayValue?.compactMap { $0.objectValue?["subject"]?.stringValue } == ["user:admin", "user:alice"])
        #expect(
            report["notices"]?.arrayValue?.contains {
                $0.stringValue?.contains("network.cors") == true && $0.stringValue?.contains("expired") == true
            } == true)
        #expect(result.status == 1, "admin.remote-access is critical and failing")
    }

    @Test(
        "a config file that is wrong says so in one line and exits 64",
        arguments: [
            "suppress:\n  - id: api.keys\n", "suppress:\n  - id: no.such-control\n    reason: because\n", "cdn: akamai\n",
            "failOn: sometimes\n", "colour: blue\n", "suppress: [1, 2]\n", "lanCidr: [not-a-cidr]\n", "{{{",
        ])
    func badConfig(_ text: String) async throws {
        let path = temporaryDirectory("badconfig").appendingPathComponent("jellyfort.yml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try await CLI.run(["audit", "--server", "http://127.0.0.1:9", "--config", path])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stderr.contains(path))
    }

    @Test(
        "usage errors exit 64 with a message",
        arguments: [
            ["audit"], ["audit", "--server", "http://x", "--lan-cidr", "192.168.1.0/33"],
            ["audit", "--server", "http://x", "--only", "no.such-control"],
            ["audit", "--server", "http://x", "--format", "pdf"], ["audit", "--bogus"], ["frobnicate"], ["audit", "--server", "ftp://x"],
            ["audit", "--server", "http://x", "--cdn", "akamai"], ["controls", "explain", "nope"],
        ])
    func usageErrors(_ arguments: [String]) async throws {
        let result = try await CLI.run(arguments)
        #expect(result.status == 64, "\(arguments): exit \(result.status) \(result.stderr)")
        #expect(!result.stderr.isEmpty)
        #expect(result.stdout.isEmpty)
    }

    @Test("an unreachable server: exit 2, one line, the report still says why")
    func unreachable() async throws {
        let closed = try await ScriptedServer { _ in .hang }
        let url = closed.url
        await closed.stop()
        let key = try CLI.secretFile("0123456789abcdef0123456789abcdef")
        let result = try await CLI.run(["audit", "--server", url, "--api-key-file", key, "--format", "json"])
        #expect(result.status == 2)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("cannot reach the server"))
        #expect(!result.stderr.contains("more"), "one problem, said once: \(result.stderr)")
        let report = try #require(try JSONParser.parse(result.stdout).objectValue)
        #expect(report["summary"]?.objectValue?["pass"] == 0, "never a pass without evidence")
        #expect(report["notices"]?.arrayValue?.count == 1, "\(report["notices"] ?? .null)")
        let controls = report["controls"]?.arrayValue?.compactMap(\.objectValue) ?? []
        for control in controls where control["status"] == "unknown" {
            let summary = control["summary"]?.stringValue ?? ""
            #expect(!summary.contains("credential"), "a credential was given: \(control["id"] ?? .null) says \(summary)")
            #expect(!summary.contains("cannot reach"), "the error is said once, in the notes: \(summary)")
        }
        #expect(controls.first { $0["id"] == "accounts.separate-admin" }?["needs"] == ["server-unreadable"])
        #expect(
            controls.first { $0["id"] == "admin.remote-access" }?["needs"] == ["server-unreadable", "probe"], "a probe can fail it too")

        let text = try await CLI.run(["audit", "--server", url, "--api-key-file", key])
        #expect(text.stdout.components(separatedBy: "cannot reach the server").count == 2, "once in the report: \(text.stdout)")
        #expect(text.stdout.contains("The server could not be read (see the note above)"))
    }

    @Test("the text report opens with what was checked and the failures to fix first; what was not checked comes last, grouped")
    func digest() async throws {
        let (_, report) = try await audit("insecure")
        let score = try #require(report["score"]?.objectValue)
        #expect(score["checked"]?.intValue.map { $0 > score["value"]?.intValue ?? 100 } == true, "\(score)")
        #expect(score["coverage"]?.intValue.map { (1..<100).contains($0) } == true, "\(score)")
        let result = try await withEmulator("insecure") { fixture in
            try await CLI.run([
                "audit", "--server", fixture.emulator.url, "--api-key-file", try CLI.secretFile(fixture.scenario.apiKeys[0].token),
            ])
        }
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines[1].hasPrefix("Of what was checked: "), "\(lines[1])")
        #expect(lines.joined(separator: " ").contains("give --deployment"))
        let first = try #require(lines.firstIndex(of: "Fix these first"))
        let guide = try #require(lines.firstIndex(of: "1. Rootless container") ?? lines.firstIndex { $0.hasPrefix("3. ") })
        #expect(first < guide)
        let failing = lines[first..<guide].filter { $0.hasPrefix("  ✗ ") }
        #expect(failing.count == report["summary"]?.objectValue?["fail"]?.intValue)
        #expect(failing.first?.contains("(critical)") == true, "most severe first: \(failing.prefix(3))")
        let severities = failing.compactMap { line in ["critical", "high", "medium", "low", "info"].firstIndex { line.contains("(\($0))") }
        }
        #expect(severities == severities.sorted(), "\(failing)")
        let notChecked = try #require(lines.firstIndex { $0.hasPrefix("Not checked (") })
        #expect(notChecked > guide)
        #expect(lines[notChecked...].contains("  Give your deployment files (--deployment PATH):"))
        #expect(!lines[..<notChecked].contains { $0.contains("  ? ") }, "no unknown control among the guide items")
    }

    @Test("a rejected key: exit 2; the anonymous controls still report")
    func rejectedKey() async throws {
        try await withEmulator("insecure") { fixture in
            let key = try CLI.secretFile("ffffffffffffffffffffffffffffffff")
            let result = try await CLI.run(["audit", "--server", fixture.emulator.url, "--api-key-file", key, "--format", "json"])
            #expect(result.status == 2)
            #expect(result.stderr.contains("rejected the credential"))
            #expect(!result.stderr.contains("ffffffff"))
            let report = try #require(try JSONParser.parse(result.stdout).objectValue)
            #expect(statuses(report)["server.startup-wizard"] == "pass")
            #expect(statuses(report)["auth.lockout"] == "unknown")
        }
    }

    @Test("a missing key file: exit 2 naming the file, and the anonymous audit still runs")
    func missingKeyFile() async throws {
        try await withEmulator("insecure") { fixture in
            let result = try await CLI.run([
                "audit", "--server", fixture.emulator.url, "--api-key-file", "/nonexistent/jf-key", "--format", "json",
            ])
            #expect(result.status == 2)
            #expect(result.stderr.contains("/nonexistent/jf-key"))
            let report = try #require(try JSONParser.parse(result.stdout).objectValue)
            #expect(statuses(report)["login.hidden-users"] == "fail")
        }
    }

    @Test("a server that answers garbage: exit 2, affected controls unknown, never a crash or a pass")
    func garbage() async throws {
        let server = try await ScriptedServer { request in
            request.path == "/System/Info/Public"
                ? ScriptedServer.json(#"{"Version":"10.11.11","StartupWizardCompleted":true}"#)
                : ScriptedServer.json("<html>not json</html>")
        }
        let key = try CLI.secretFile("0123456789abcdef0123456789abcdef")
        let result = try await CLI.run(["audit", "--server", server.url, "--api-key-file", key, "--format", "json"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("not the JSON Jellyfin sends"))
        let report = try #require(try JSONParser.parse(result.stdout).objectValue)
        let found = statuses(report)
        #expect(found["admin.remote-access"] == "unknown")
        #expect(found["server.startup-wizard"] == "pass")
        await server.stop()
    }

    @Test("the API key can come from the environment; secrets never appear in output")
    func environmentKey() async throws {
        try await withEmulator("hardened") { fixture in
            let key = fixture.scenario.apiKeys[0].token
            let result = try await CLI.run(["audit", "--server", fixture.emulator.url], environment: ["JELLYFORT_API_KEY": key])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.hasPrefix("Score "))
            #expect(!result.stdout.contains(key) && !result.stderr.contains(key))
        }
    }

    @Test("signing in with a user and a password file works like a key")
    func passwordSignIn() async throws {
        try await withEmulator("insecure") { fixture in
            let password = try CLI.secretFile("hunter2-but-longer\n")
            let result = try await CLI.run([
                "audit", "--server", fixture.emulator.url, "--user", "admin", "--password-file", password, "--format", "json",
            ])
            #expect(result.status == 1)
            let report = try #require(try JSONParser.parse(result.stdout).objectValue)
            #expect(statuses(report)["admin.remote-access"] == "fail")
            #expect(!result.stdout.contains("hunter2"))
        }
    }

    @Test("--output writes the report to a file and nothing to stdout")
    func outputFile() async throws {
        try await withEmulator("insecure") { fixture in
            let folder = temporaryDirectory("out")
            defer { try? FileManager.default.removeItem(at: folder) }
            let path = folder.appendingPathComponent("report.md").path
            let key = try CLI.secretFile(fixture.scenario.apiKeys[0].token)
            let result = try await CLI.run([
                "audit", "--server", fixture.emulator.url, "--api-key-file", key, "--format", "markdown", "--output", path,
            ])
            #expect(result.status == 1)
            #expect(result.stdout.isEmpty)
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text.hasPrefix("# Jellyfort audit of http://127.0.0.1:"))
            let unwritable = try await CLI.run([
                "audit", "--server", fixture.emulator.url, "--api-key-file", key, "--output", "/nonexistent/dir/r.txt",
            ])
            #expect(unwritable.status == 2)
            #expect(unwritable.stderr.contains("/nonexistent/dir/r.txt"))
        }
    }
}

@Suite("jellyfort controls, demo, help")
struct OtherCommandsTests {
    @Test("controls list prints every control from the controls themselves")
    func controlsList() async throws {
        let result = try await CLI.run(["controls", "list"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("admin.remote-access"))
        #expect(result.stdout.contains("37 controls"))
        let explain = try await CLI.run(["controls", "explain", "auth.lockout"])
        #expect(explain.status == 0)
        #expect(explain.stdout.contains("Guide item: 11"))
        #expect(explain.stdout.contains("10.11.11"))
        #expect(explain.stdout.contains("jellyfort harden"))
    }

    @Test("demo: audit, plan, apply, audit again with a better score, roll back, and what to do next")
    func demo() async throws {
        let result = try await CLI.run(["demo"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Score 11/100 · grade F"))
        #expect(result.stdout.contains("admin.remote-access (critical): the only administrator can sign in from the internet"))
        #expect(result.stdout.contains("EnableRemoteAccess: true → false   [admin.remote-access]"))
        let scores = try #require(result.stdout.range(of: #"Score 11/100 \(F\) → (\d+)/100"#, options: .regularExpression))
        let after = Int(
            result.stdout[scores].split(separator: "→").last!.trimmingCharacters(in: .whitespaces).split(separator: "/").first!)!
        #expect(after >= 35, "hardening raises the score")
        #expect(result.stdout.contains("the score is back to 11/100"))
        #expect(result.stdout.contains("jellyfort audit --server https://your-jellyfin"))
    }

    @Test("--help teaches and --version answers")
    func help() async throws {
        let help = try await CLI.run(["audit", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("--api-key-file"))
        #expect(help.stdout.contains("Exit codes"))
        let version = try await CLI.run(["--version"])
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")
    }
}
