import Foundation
import JellyfinEmulator
import JellyfortTestSupport
import Testing

/// `audit --probe` from the command line without a lab: its flags, and a run on loopback
/// through a real Caddy (`tls internal`, whose 12-hour certificates always "expire soon").
@Suite("audit --probe from the command line")
struct ProbeCLITests {
    @Test(
        "bad probe flags: one line naming the fix, exit 64",
        arguments: [
            (["--deployment", "/nonexistent", "--origin", "192.0.2.5"], "--origin and --probe-names are used by --probe: add --probe"),
            (["--server", "https://reels.example.org", "--probe", "--resolve", "reels.example.org"], "is not NAME:IP"),
            (
                ["--server", "https://reels.example.org", "--probe", "--resolve", "other.example.org:192.0.2.5"],
                "--resolve names other.example.org, but --server is reels.example.org"
            ),
            (["--server", "http://127.0.0.1:1", "--probe"], "give --server https://NAME"),
            (["--deployment", "/nonexistent", "--probe"], "--probe and --resolve need the server's name"),
            (["--server", "https://reels.example.org", "--probe", "--origin", "not-an-ip"], "is not an IP address"),
            (["--server", "https://reels.example.org", "--probe", "--ca-file", "/etc/hostname"], "is not a readable PEM certificate"),
        ])
    func badFlags(_ arguments: [String], _ message: String) async throws {
        let result = try await CLI.run(["audit"] + arguments)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test(
        "a run on loopback: the count is announced first, every probe finding says what was sent and what came back",
        .timeLimit(.minutes(2)))
    func loopbackRun() async throws {
        try await withEmulator("hardened") { emulator in
            let port = freeLoopbackPort()
            let name = "reels-7f3k.lab.test"
            let caddy = try await CaddyProcess(
                sites:
                    "\(name):\(port) {\n\ttls internal\n\theader Strict-Transport-Security \"max-age=31536000\"\n\treverse_proxy \(emulator.emulator.url.replacingOccurrences(of: "http://", with: ""))\n}\n",
                port: port)
            defer { caddy.stop() }
            let folder = temporaryDirectory("probe-cli")
            defer { try? FileManager.default.removeItem(at: folder) }
            let report = folder.appendingPathComponent("report.json")
            let result = try await CLI.run(
                [
                    "audit", "--server", "https://\(name):\(port)", "--resolve", "\(name):127.0.0.1", "--probe", "--ca-file",
                    caddy.rootCertificate.path,
                    "--format", "json", "--output", report.path,
                ])
            #expect(result.status == 1, "\(result.stderr)")
            #expect(result.stderr.hasPrefix("jellyfort: --probe: at most "), "\(result.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any])
            let notices = json["notices"] as? [String] ?? []
            let made = notices.compactMap { $0.firstMatch(of: /--probe made (\d+) requests and connections in/).flatMap { Int($0.1) } }
                .first
            #expect(made.map { (10...60).contains($0) } == true, "\(notices)")
            let controls = json["controls"] as? [[String: Any]] ?? []
            let tls = try #require(controls.first { $0["id"] as? String == "proxy.tls" })
            let findings = tls["findings"] as? [[String: Any]] ?? []
            #expect(tls["status"] as? String == "fail", "\(tls)")
            #expect(
                findings.contains { ($0["message"] as? String)?.hasPrefix("the certificate expires in 0 days") == true },
                "tls internal certificates live 12 hours: \(findings)")
            for finding in controls.flatMap({ $0["findings"] as? [[String: Any]] ?? [] })
            where (finding["subject"] as? String)?.hasPrefix("probe:") == true {
                let evidence = finding["evidence"] as? [String: Any] ?? [:]
                #expect(evidence["sent"] is String && evidence["got"] is String, "\(finding)")
            }
            #expect(!result.stderr.contains(ProbeLab.apiKey))
        }
    }
}
