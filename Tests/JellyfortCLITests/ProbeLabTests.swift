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
            print("probe from the internet: \(run.elapsed), \(run.output)")
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
            #expect(ports.evidence.contains { ($0["got"] as? String)?.contains("\"Address\"") == true }, "discovery's answer is kept: \(ports.evidence)")
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

    @Test("KnownProxies too broad and a proxy that passes X-Forwarded-For on: the forged header makes the prober LAN", .timeLimit(.minutes(2)))
    func knownProxiesTooBroad() async throws {
        var setup = ProbeLab.Setup()
        setup.network = ["KnownProxies": ["0.0.0.0/0"]]
        setup.caddyfile = { text in
            text.replacingOccurrences(of: "reverse_proxy 127.0.0.1:8096 {\n", with: "reverse_proxy 127.0.0.1:8096 {\n\t\ttrusted_proxies 0.0.0.0/0\n")
        }
        try await Self.withLab("xff", setup) { lab in
            let run = try await lab.probe(from: lab.internet)
            let proxies = run.control("proxy.known-proxies")
            #expect(proxies.status == "fail", "\(proxies.text)")
            #expect(proxies.messages.contains { $0.contains("a forged X-Forwarded-For: 127.0.0.1 changes IsInNetwork false to true") }, "\(proxies.text)")
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

    @Test("behind a CDN: the bundle's lock refuses the prober at the origin, and the CDN address still gets in; without it, the origin answers", .timeLimit(.minutes(3)))
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
                ["curl", "-s", "-m", "5", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", lab.caFile, "--resolve", "\(ProbeLab.name):443:\(ProbeLab.serverOnCDN)", "https://\(ProbeLab.name)/System/Info/Public"],
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
}
