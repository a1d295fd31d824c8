import Foundation
import JellyfortTestSupport
import Testing

/// `jellyfort audit --probe` against the lab: the bundle as `deploy` writes it passes every probe
/// from the "internet", and each misconfiguration is caught by the probe meant for it.
@Suite("audit --probe in a network-namespace lab", .serialized)
struct ProbeLabTests {
    /// The controls with a probe half, and what the generated bundle gets from the internet.
    static let probedControls = [
        "proxy.tls", "proxy.security-headers", "proxy.direct-port-closed", "proxy.obscure-domain", "container.client-ip",
        "proxy.known-proxies", "server.restart-unauthenticated", "login.user-enumeration",
    ]

    static func withLab(_ label: String, _ setup: ProbeLab.Setup = .init(), _ body: (ProbeLab) async throws -> Void) async throws {
        if let reason = NetworkLab.unavailableReason() {
            Issue.record(Comment(rawValue: reason))
            return
        }
        let lab = try await ProbeLab.start(setup, label: label)
        defer { lab.remove() }
        try await body(lab)
    }

    @Test("the bundle as generated: every probe passes from the internet, and the LAN client is seen as LAN", .timeLimit(.minutes(2)))
    func generatedBundlePasses() async throws {
        try await Self.withLab("gen") { lab in
            let run = try await lab.probe(from: lab.internet)
            for id in Self.probedControls {
                #expect(run.control(id).status == "pass", "\(id): \(run.control(id).text)")
            }
            #expect(run.output.contains("--probe: at most"), "the count is announced first: \(run.output)")
            #expect(run.control("proxy.tls").summary.contains("TLS 1.3"), "\(run.control("proxy.tls").text)")
            // Jellyfin answers 403 for an administrator without remote access: the name exists, but is not guessable.
            #expect(
                run.control("login.user-enumeration").summary.contains("quill-keeper answers 403"),
                "\(run.control("login.user-enumeration").text)")

            let fromLAN = try await lab.probe(from: lab.lan, at: ProbeLab.serverOnLAN)
            let seen = fromLAN.control("container.client-ip")
            #expect(seen.status == "fail" && seen.messages.joined().contains("IsInNetwork:true"), "the LAN client is LAN: \(seen.text)")
            let notices = run.report["notices"] as? [String] ?? []
            print("probe figures, lab: \(notices.filter { $0.hasPrefix("--probe made") }.joined()); the whole audit \(run.elapsed)")
        }
    }

    // MARK: - Each misconfiguration, caught by its probe

    @Test("8096 published on every interface: the direct-port probe connects, and discovery answers", .timeLimit(.minutes(2)))
    func portPublishedEverywhere() async throws {
        var setup = ProbeLab.Setup()
        setup.emulatorHost = "0.0.0.0"
        setup.firewall = false
        try await Self.withLab("port", setup) { lab in
            let run = try await lab.probe(from: lab.internet)
            let ports = run.control("proxy.direct-port-closed")
            #expect(ports.status == "fail", "\(ports.text)")
            #expect(ports.summary.contains("TCP 203.0.113.1:8096") && ports.summary.contains("UDP 203.0.113.1:7359"), "\(ports.text)")
            #expect(
                ports.evidence.contains { ($0["got"] as? String)?.contains("\"Address\"") == true },
                "discovery's answer is kept: \(ports.evidence)")
        }
    }

    @Test("plain HTTP on 80 serves the site instead of redirecting", .timeLimit(.minutes(2)))
    func noRedirect() async throws {
        var setup = ProbeLab.Setup()
        setup.caddyfile = { text in
            text.replacingOccurrences(of: "\tskip_install_trust\n", with: "\tskip_install_trust\n\tauto_https disable_redirects\n")
                + "\nhttp://\(ProbeLab.name) {\n\treverse_proxy 127.0.0.1:8096\n}\n"
        }
        try await Self.withLab("redir", setup) { lab in
            let tls = try await lab.probe(from: lab.internet).control("proxy.tls")
            #expect(tls.status == "fail", "\(tls.text)")
            #expect(tls.messages.contains { $0.contains("plain HTTP on port 80 answers 404 instead of redirecting") }, "\(tls.text)")
        }
    }

    @Test("Jellyfin answers any name under the wildcard (no catch-all): the unknown-name probe reaches it", .timeLimit(.minutes(2)))
    func noCatchAll() async throws {
        var setup = ProbeLab.Setup()
        setup.caddyfile = { text in
            var text = text.replacingOccurrences(of: "\(ProbeLab.name) {\n", with: "*.lab.test {\n")
            if let catchAll = text.range(of: "# Any other name") { text = String(text[..<catchAll.lowerBound]) }
            return text
        }
        try await Self.withLab("catch", setup) { lab in
            let obscure = try await lab.probe(from: lab.internet).control("proxy.obscure-domain")
            #expect(obscure.status == "fail", "\(obscure.text)")
            #expect(obscure.messages.contains { $0.contains("a request that does not name the site reaches Jellyfin") }, "\(obscure.text)")
            #expect(obscure.evidence.contains { ($0["sent"] as? String)?.contains("(an unknown name)") == true }, "\(obscure.evidence)")
        }
    }

    @Test(
        "KnownProxies too broad and a proxy that passes X-Forwarded-For on: the forged header makes the prober LAN", .timeLimit(.minutes(2))
    )
    func knownProxiesTooBroad() async throws {
        var setup = ProbeLab.Setup()
        setup.network = ["KnownProxies": ["0.0.0.0/0"]]
        setup.caddyfile = { text in
            text.replacingOccurrences(
                of: "reverse_proxy 127.0.0.1:8096 {\n", with: "reverse_proxy 127.0.0.1:8096 {\n\t\ttrusted_proxies 0.0.0.0/0\n")
        }
        try await Self.withLab("xff", setup) { lab in
            let run = try await lab.probe(from: lab.internet)
            let proxies = run.control("proxy.known-proxies")
            #expect(proxies.status == "fail", "\(proxies.text)")
            #expect(
                proxies.messages.contains { $0.contains("a forged X-Forwarded-For: 127.0.0.1 changes IsInNetwork false to true") },
                "\(proxies.text)")
            #expect(run.control("container.client-ip").status == "pass", "seen as remote without the forged header")
            #expect(run.control("admin.remote-access").status == "fail", "\(run.control("admin.remote-access").text)")
            #expect(run.control("server.restart-unauthenticated").status == "fail")
        }
    }

    @Test("a rootless port handler that rewrites sources: Jellyfin sees every client as the proxy's address", .timeLimit(.minutes(2)))
    func portHandlerRewritesSources() async throws {
        // As behind slirp4netns with rootlessport: Jellyfin gets every connection from the port
        // handler's 10.0.2.100 (an address inside the server's namespace only), which is not a
        // known proxy, so X-Forwarded-For is ignored; with LocalNetworkSubnets left empty, that
        // private address is "LAN".
        var setup = ProbeLab.Setup()
        setup.portHandlerAddress = "10.0.2.100"
        setup.emulatorHost = "10.0.2.100"
        setup.network = ["LocalNetworkSubnets": [String]()]
        setup.caddyfile = { $0.replacingOccurrences(of: "reverse_proxy 127.0.0.1:8096", with: "reverse_proxy 10.0.2.100:8096") }
        try await Self.withLab("nat", setup) { lab in
            let run = try await lab.probe(from: lab.internet)
            let clientIP = run.control("container.client-ip")
            #expect(clientIP.status == "fail", "\(clientIP.text)")
            #expect(clientIP.evidence.contains { ($0["got"] as? String)?.contains("IsInNetwork:true") == true }, "\(clientIP.evidence)")
            #expect(run.control("server.restart-unauthenticated").status == "fail")
        }
    }

    @Test(
        "behind a CDN: the bundle's lock refuses the prober at the origin, and the CDN address still gets in; without it, the origin answers",
        .timeLimit(.minutes(3)))
    func cdnOriginLock() async throws {
        let ranges = temporaryDirectory("ranges").appendingPathComponent("cdn.txt")
        defer { try? FileManager.default.removeItem(at: ranges.deletingLastPathComponent()) }
        // The lab's "CDN" is a documentation range, never a real provider's.
        try "192.0.2.0/24\n".write(to: ranges, atomically: true, encoding: .utf8)
        var locked = ProbeLab.Setup()
        locked.deployArguments = ["--cdn", "cloudflare", "--cdn-ranges", ranges.path]
        let probeCDN = ["--cdn", "cloudflare", "--origin", ProbeLab.serverOnInternet]
        try await Self.withLab("cdn", locked) { lab in
            let run = try await lab.probe(from: lab.internet, probeCDN)
            let lock = run.control("edge.cdn-origin-lock")
            #expect(lock.summary.contains("from outside, the origin refuses HTTPS"), "\(lock.text)")
            let notices = run.report["notices"] as? [String] ?? []
            #expect(
                run.status == 2 && notices.contains { $0.contains("--probe: HTTPS GET /web/") && $0.contains("no answer") },
                "the locked origin does not answer the prober at all: \(notices)")
            let fromCDN = try await lab.lab.run(
                in: lab.cdn,
                [
                    "curl", "-s", "-m", "5", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", lab.caFile, "--resolve",
                    "\(ProbeLab.name):443:\(ProbeLab.serverOnCDN)", "https://\(ProbeLab.name)/System/Info/Public",
                ],
                package: "curl")
            #expect(fromCDN.output == "200", "the CDN's address still reaches the origin: \(fromCDN.output)")
        }
        try await Self.withLab("nocdn") { lab in
            let lock = try await lab.probe(from: lab.internet, probeCDN).control("edge.cdn-origin-lock")
            #expect(lock.status == "fail", "\(lock.text)")
            #expect(lock.messages.contains { $0.contains("the origin completed a TLS handshake") }, "\(lock.text)")
        }
    }

    @Test("an unfinished wizard the proxy lets through: the probe reaches its API from outside", .timeLimit(.minutes(2)))
    func wizardOpen() async throws {
        var setup = ProbeLab.Setup()
        setup.scenario = ["wizardCompleted": false]
        setup.caddyfile = { text in
            guard let start = text.range(of: "\t# The setup wizard"), let end = text.range(of: "respond @wizard 403\n") else { return text }
            return String(text[..<start.lowerBound]) + String(text[end.upperBound...])
        }
        try await Self.withLab("wiz", setup) { lab in
            let wizard = try await lab.probe(from: lab.internet).control("server.startup-wizard")
            #expect(wizard.status == "fail", "\(wizard.text)")
            #expect(wizard.messages.contains("the wizard's API answers from outside"), "\(wizard.text)")
        }
    }

    // MARK: - TLS 1.1, cross-checked with testssl.sh

    @Test(
        "a server that still offers TLS 1.1 is caught, and testssl.sh agrees with the probe on protocols and certificate",
        .timeLimit(.minutes(4)))
    func oldTLSAndTestssl() async throws {
        var oldTLS = ProbeLab.Setup()
        // Caddy cannot offer TLS 1.1 any more, and openssl s_server serves one connection at a time.
        oldTLS.replacementTLSServer = [
            "python3", fixturesFolder.appendingPathComponent("probe/old-tls-server.py").path, "{cert}", "{key}", "443",
        ]
        try await Self.withLab("tls11", oldTLS) { lab in
            let tls = try await lab.probe(from: lab.internet).control("proxy.tls")
            #expect(tls.status == "fail", "\(tls.text)")
            #expect(tls.messages.contains("TLS 1.1 is accepted: it must be refused"), "\(tls.text)")
            #expect(!tls.messages.contains("TLS 1.0 is accepted: it must be refused"), "\(tls.text)")
            let testssl = try await Self.testssl(lab)
            #expect(testssl["TLS1_1"]?.hasPrefix("offered") == true, "testssl.sh: \(testssl)")
            #expect(testssl["TLS1"]?.hasPrefix("not offered") == true, "testssl.sh: \(testssl)")
        }
        try await Self.withLab("tls13") { lab in
            let tls = try await lab.probe(from: lab.internet).control("proxy.tls")
            let testssl = try await Self.testssl(lab)
            for version in ["TLS1", "TLS1_1"] {
                #expect(testssl[version]?.hasPrefix("not offered") == true, "testssl.sh \(version): \(testssl)")
            }
            #expect(testssl["TLS1_3"]?.hasPrefix("offered") == true && tls.summary.contains("TLS 1.3"), "\(testssl) / \(tls.text)")
            #expect(
                testssl["cert_chain_of_trust"]?.hasPrefix("passed") == true && tls.summary.contains("trusted certificate"), "\(testssl)")
            #expect(testssl["cert_subjectAltName"] == "*.lab.test", "\(testssl)")
            // The same expiry: testssl.sh's date and the probe's count of days.
            let days = tls.summary.firstMatch(of: /valid (\d+) more days/).map { Int($0.1) ?? -1 }
            #expect(days == 89 || days == 90, "\(tls.text)")
            #expect(
                testssl["cert_expirationStatus"]?.contains("89") == true || testssl["cert_expirationStatus"]?.contains("90") == true,
                "\(testssl)")
        }
    }

    /// testssl.sh's protocol and certificate findings for the lab's name, from the "internet": id → finding.
    static func testssl(_ lab: ProbeLab) async throws -> [String: String] {
        let json = lab.folder.appendingPathComponent("testssl-\(UUID().uuidString).json")
        let result = try await lab.lab.run(
            in: lab.internet,
            [
                "testssl", "--quiet", "--color", "0", "--warnings", "off", "--fast", "--protocols", "--server-defaults", "--add-ca",
                lab.caFile,
                "--ip", ProbeLab.serverOnInternet, "--jsonfile", json.path, "https://\(ProbeLab.name)",
            ], package: "testssl.sh")
        guard let data = try? Data(contentsOf: json), let entries = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw FixtureError("testssl.sh wrote no JSON (status \(result.status)): \(result.output.suffix(800))")
        }
        var findings: [String: String] = [:]
        for entry in entries {
            if let id = entry["id"] as? String, let finding = entry["finding"] as? String { findings[id] = finding }
        }
        return findings
    }

    // MARK: - Bad conditions: a clear finding, no hang, no crash

    @Test("a host that drops every packet: the probe gives up within its bounds and says so", .timeLimit(.minutes(2)))
    func blackHole() async throws {
        if let reason = NetworkLab.unavailableReason() {
            Issue.record(Comment(rawValue: reason))
            return
        }
        let lab = NetworkLab("hole")
        defer { lab.remove() }
        let server = try await lab.host("srv")
        let prober = try await lab.host("net")
        try await lab.connect(server, "203.0.113.1/24", prober, "203.0.113.9/24")
        for command in [
            ["nft", "add", "table", "inet", "hole"],
            ["nft", "add", "chain", "inet", "hole", "input", "{ type filter hook input priority 0; policy drop; }"],
        ] {
            let result = try await lab.run(in: server, command, package: "nftables")
            #expect(result.status == 0, "\(result.output)")
        }
        let folder = temporaryDirectory("hole")
        defer { try? FileManager.default.removeItem(at: folder) }
        let report = folder.appendingPathComponent("report.json")
        let started = ContinuousClock.now
        let result = try await lab.run(
            in: prober,
            [
                CLI.binary.path, "audit", "--server", "https://\(ProbeLab.name)", "--resolve", "\(ProbeLab.name):203.0.113.1", "--probe",
                "--format", "json", "--output", report.path,
            ])
        let elapsed = ContinuousClock.now - started
        let notices = (try? JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any])?["notices"] as? [String] ?? []
        print("probe figures, black hole: \(notices.filter { $0.hasPrefix("--probe made") }.joined()); the whole audit \(elapsed)")
        #expect(result.status == 2, "\(result.output)")
        #expect(result.output.contains("no answer within 5 s"), "\(result.output)")
        // A hang guard, not a speed target: the probe's share is bounded by its two rounds of 4 s.
        #expect(elapsed < .seconds(30), "took \(elapsed)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any]
        let controls = json?["controls"] as? [[String: Any]] ?? []
        let tls = controls.first { $0["id"] as? String == "proxy.tls" }
        #expect((tls?["summary"] as? String)?.contains("could not be reached from here") == true, "\(String(describing: tls))")
        let ports = controls.first { $0["id"] as? String == "proxy.direct-port-closed" }
        #expect(ports?["status"] as? String == "pass", "dropped ports are closed ports: \(String(describing: ports))")
    }

    @Test(
        "garbage instead of TLS, a certificate for another name, silence after the handshake, a redirect loop: each a clear finding",
        .timeLimit(.minutes(3)))
    func hostileServers() async throws {
        let folder = temporaryDirectory("hostile-tls")
        defer { try? FileManager.default.removeItem(at: folder) }
        let made = try await runTool(
            "openssl", package: "openssl",
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "bad.key", "-out",
                "bad.pem", "-days",
                "30", "-subj", "/CN=garbage.invalid", "-addext", "subjectAltName=DNS:garbage.invalid",
            ], in: folder)
        #expect(made.status == 0, "\(made.output)")

        func probe(_ port: Int, _ extra: [String] = []) async throws -> (CLIResult, [String: Any]) {
            let report = folder.appendingPathComponent("r\(port).json")
            let result = try await CLI.run(
                [
                    "audit", "--server", "https://\(ProbeLab.name):\(port)", "--resolve", "\(ProbeLab.name):127.0.0.1", "--probe",
                    "--format", "json",
                    "--output", report.path, "--deadline", "8",
                ] + extra)
            let json = (try? JSONSerialization.jsonObject(with: Data(contentsOf: report))) as? [String: Any] ?? [:]
            return (result, json)
        }
        func control(_ report: [String: Any], _ id: String) -> String {
            let entry = (report["controls"] as? [[String: Any]])?.first { $0["id"] as? String == id } ?? [:]
            let findings = (entry["findings"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String }
            return ([entry["status"] as? String ?? "?", entry["summary"] as? String ?? ""] + findings).joined(separator: " | ")
        }

        // Plain HTTP where TLS is expected: the handshake gets garbage.
        let plain = try await ScriptedServer { _ in ScriptedServer.json("{}") }
        let (garbage, garbageReport) = try await probe(plain.port)
        await plain.stop()
        #expect(garbage.status == 2, "\(garbage.stderr)")
        #expect(control(garbageReport, "proxy.tls").contains("could not be reached from here"), "\(control(garbageReport, "proxy.tls"))")

        // A certificate for another name, and a server that never answers after the handshake.
        let silentPort = freeLoopbackPort()
        let silent = try Self.background(
            ["openssl", "s_server", "-accept", "127.0.0.1:\(silentPort)", "-cert", "bad.pem", "-key", "bad.key", "-quiet"], in: folder)
        defer { kill(silent.processIdentifier, SIGKILL) }
        try await Self.waitListening(silentPort)
        let (quiet, quietReport) = try await probe(silentPort)
        #expect(quiet.status == 2, "\(quiet.stderr)")
        let quietTLS = control(quietReport, "proxy.tls")
        #expect(quietTLS.contains("the certificate is not trusted: it is issued for garbage.invalid, not \(ProbeLab.name)"), "\(quietTLS)")
        #expect(!quiet.stderr.contains("Fatal error"), "\(quiet.stderr)")

        // A redirect loop.
        let loopPort = freeLoopbackPort()
        let caddy = try await CaddyProcess(
            sites: "\(ProbeLab.name):\(loopPort) {\n\ttls internal\n\tredir * /again 302\n}\n", port: loopPort)
        defer { caddy.stop() }
        let (loop, loopReport) = try await probe(loopPort, ["--ca-file", caddy.rootCertificate.path])
        #expect(loop.status == 2, "\(loop.stderr)")
        #expect(loop.stderr.contains("redirect"), "\(loop.stderr)")
        let loopTLS = control(loopReport, "proxy.tls")
        #expect(!loopTLS.hasPrefix("?"), "\(loopTLS)")
    }

    static func background(_ command: [String], in folder: URL) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        process.currentDirectoryURL = folder
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func waitListening(_ port: Int) async throws {
        for _ in 0..<100 where !isListening(port: port) { try await Task.sleep(for: .milliseconds(50)) }
    }
}
