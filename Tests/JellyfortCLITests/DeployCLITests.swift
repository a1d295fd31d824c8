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
            "--user", "nobody", "--out", out,
        ]
        let first = try await CLI.run(arguments)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("Certificate Transparency"))
        #expect(first.stdout.contains("nftables/jellyfort.nft"))
        #expect(first.stdout.contains("as of 2026-11-29"))
        let readme = try String(contentsOfFile: out + "/README.md", encoding: .utf8)
        #expect(readme.contains("**As root**") && readme.contains("**As nobody**"), "each step says which user runs it")
        // The wizard is finished over an ssh tunnel before Caddy puts Jellyfin on the internet.
        let wizard = try #require(readme.range(of: "ssh -L 8096:127.0.0.1:8096"))
        let caddy = try #require(readme.range(of: "cp Caddyfile /etc/caddy/Caddyfile"))
        #expect(wizard.lowerBound < caddy.lowerBound)
        let unit = try String(contentsOfFile: out + "/jellyfin.container", encoding: .utf8)
        #expect(!unit.contains(FileManager.default.homeDirectoryForCurrentUser.path), "no home folder of whoever ran deploy")
        let script = try String(contentsOfFile: out + "/jellyfin-run.sh", encoding: .utf8)
        #expect(!script.contains(FileManager.default.homeDirectoryForCurrentUser.path))
        let jail = try String(contentsOfFile: out + "/fail2ban/jail.d/jellyfin.local", encoding: .utf8)
        let nobodyHome = try #require(getpwnam("nobody")).pointee.pw_dir.map { String(cString: $0) } ?? "/nonexistent"
        #expect(jail.contains("logpath   = \(nobodyHome)/.local/share/jellyfin/config/log/log_*.log"), "\(jail)")
        let caddyfile = try String(contentsOfFile: out + "/Caddyfile", encoding: .utf8)
        #expect(!caddyfile.contains("admin unix//"), "Debian's caddy.service has no /run/caddy")
        #expect(caddyfile.contains("path /Startup /Startup/*"))
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
            ["deploy", "--domain", "a.example.org", "--media", "/srv/media", "--user", "no-such-user-here"],
            ["deploy", "--domain", "a.example.org", "--media", "/srv/media", "--cdn", "cloudflare", "--allow", "2001:db8::/32"],
        ])
    func badInput(_ arguments: [String]) async throws {
        let result = try await CLI.run(arguments + ["--out", temporaryDirectory("deploy-bad").path])
        #expect(result.status == 64, "\(arguments): \(result.status) \(result.stderr)")
        #expect(!result.stderr.isEmpty)
    }
}

@Suite("jellyfort audit --deployment, end to end")
struct DeploymentAuditCLITests {
    @Test("behind a CDN, --allow is enforced on the address the CDN forwards, and the audit reads it back exactly")
    func cdnViewers() async throws {
        let folder = temporaryDirectory("cdn-allow")
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("bundle").path
        let allow = ["--allow", "198.51.100.0/24", "--allow", "203.0.113.8/29"]
        let made = try await CLI.run(
            ["deploy", "--domain", "reels-7f3k.example.org", "--media", "/srv/media", "--cdn", "cloudflare", "--out", out] + allow)
        #expect(made.status == 0, "\(made.stderr)")
        let nft = try String(contentsOfFile: out + "/nftables/jellyfort.nft", encoding: .utf8)
        #expect(!nft.contains("198.51.100.0/24"), "viewers never connect directly: only the CDN's ranges are let in")
        let caddyfile = try String(contentsOfFile: out + "/Caddyfile", encoding: .utf8)
        #expect(
            caddyfile.contains(
                "header_regexp viewer CF-Connecting-IP ^(?:198\\.51\\.100\\.\\d{1,3}|203\\.0\\.113\\.(?:8|9|10|11|12|13|14|15))$"))
        let readme = try String(contentsOfFile: out + "/README.md", encoding: .utf8)
        #expect(readme.contains("## Behind cloudflare") && readme.contains("WAF custom rule"))

        func allowListStatus(_ extra: [String]) async throws -> String? {
            let result = try await CLI.run(["audit", "--deployment", out, "--cdn", "cloudflare", "--format", "json"] + extra)
            let report = try #require(try JSONParser.parse(result.stdout).objectValue)
            return report["controls"]?.arrayValue?.compactMap(\.objectValue).first { $0["id"] == "network.ip-allowlist" }?["status"]?
                .stringValue
        }
        #expect(try await allowListStatus(allow) == "pass")
        #expect(
            try await allowListStatus(["--allow", "198.51.100.0/24"]) == "unknown",
            "a pattern that is not the declared list is never a pass")
        // Without the viewer rule, the firewall alone cannot enforce the list behind a CDN.
        try caddyfile.replacingOccurrences(of: "\tabort @strangers\n", with: "").write(
            toFile: out + "/Caddyfile", atomically: true, encoding: .utf8)
        #expect(try await allowListStatus(allow) == "fail")
    }

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
