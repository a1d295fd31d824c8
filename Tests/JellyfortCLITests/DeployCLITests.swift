import Foundation
import JellyfinAPI
import JellyfortTestSupport
import Testing

@Suite("jellyfort deploy, end to end")
struct DeployCLITests {
    @Test("writes the bundle, warns about a guessable name, refuses to overwrite without --force")
    func bundle() async throws {
        let folder = temporaryDirectory("deploy")
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("bundle").path
        let arguments = [
            "deploy", "--domain", "jellyfin.example.org", "--media", "/srv/media", "--lan-cidr", "192.168.1.0/24", "--cdn", "cloudflare",
            "--out", out,
        ]
        let first = try await CLI.run(arguments)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("Certificate Transparency"))
        #expect(first.stdout.contains("nftables/jellyfort.nft"))
        #expect(first.stdout.contains("as of 2026-11-29"))
        let readme = try String(contentsOfFile: out + "/README.md", encoding: .utf8)
        #expect(readme.contains("As root") && readme.contains("As your own user"))
        let again = try await CLI.run(arguments)
        #expect(again.status == 2)
        #expect(again.stderr.contains("--force"))
        #expect(try await CLI.run(arguments + ["--force"]).status == 0)
    }

    @Test(
        "bad input exits 64 with one line",
        arguments: [
            ["deploy", "--domain", "not a domain", "--media", "/srv/media"],
            ["deploy", "--domain", "a.example.org", "--media", "relative/path"],
            ["deploy", "--domain", "a.example.org", "--media", "/srv/media", "--allow", "300.1.1.1"],
            ["deploy", "--domain", "a.example.org"],
            ["deploy", "--domain", "a.example.org", "--media", "/srv/media", "--cdn", "akamai"],
            ["deploy", "--domain", "a.example.org", "--media", "/srv/media", "--cdn", "cloudflare", "--cdn-ranges", "/nonexistent/ranges"],
        ])
    func badInput(_ arguments: [String]) async throws {
        let result = try await CLI.run(arguments + ["--out", temporaryDirectory("deploy-bad").path])
        #expect(result.status == 64, "\(arguments): \(result.status) \(result.stderr)")
        #expect(!result.stderr.isEmpty)
    }
}

@Suite("jellyfort audit --deployment, end to end")
struct DeploymentAuditCLITests {
    @Test("the bundle deploy writes audits clean; a missing path exits 2; a bad file set exits 1")
    func auditDeployment() async throws {
        let folder = temporaryDirectory("audit-deploy")
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("bundle").path
        #expect(
            try await CLI.run([
                "deploy", "--domain", "reels-7f3k.example.org", "--media", "/srv/media", "--allow", "198.51.100.0/24", "--out", out,
            ]).status == 0)
        let clean = try await CLI.run(["audit", "--deployment", out, "--allow", "198.51.100.0/24", "--format", "json"])
        #expect(clean.status == 0, "\(clean.stderr)")
        let report = try #require(try JSONParser.parse(clean.stdout).objectValue)
        let controls = report["controls"]?.arrayValue?.compactMap(\.objectValue) ?? []
        #expect(controls.first { $0["id"] == "container.rootless" }?["status"] == "pass")
        #expect(controls.first { $0["id"] == "auth.brute-force-ban" }?["status"] == "pass")
        #expect(report["target"]?.objectValue?["server"] == .null)

        let missing = try await CLI.run(["audit", "--deployment", out, "--deployment", "/nonexistent/x.container"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("/nonexistent/x.container: no such file or folder"))
        #expect(missing.stdout.hasPrefix("Score "))

        let bad = folder.appendingPathComponent("bad")
        try FileManager.default.createDirectory(at: bad, withIntermediateDirectories: true)
        try "#!/bin/sh\nsudo podman run -d --privileged -p 8096:8096 -v /srv/media:/media jellyfin/jellyfin\n".write(
            to: bad.appendingPathComponent("run.sh"), atomically: true, encoding: .utf8)
        let failing = try await CLI.run(["audit", "--deployment", bad.path])
        #expect(failing.status == 1)
        #expect(failing.stdout.contains("run.sh:2"))
    }
}
