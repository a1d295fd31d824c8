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
}
