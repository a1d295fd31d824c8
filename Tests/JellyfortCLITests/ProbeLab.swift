import Foundation
import JellyfortTestSupport

/// The `--probe` lab: a server namespace with the nftables rules and the Caddyfile of
/// `jellyfort deploy`, a real Caddy (a 90-day certificate from a lab CA) and the Jellyfin
/// emulator behind it; an "internet" prober, a "LAN" client and a "CDN" address, each in its
/// own namespace on a documentation range. Each test changes one thing in `Setup`.
final class ProbeLab: @unchecked Sendable {
    static let name = "reels-7f3k.lab.test"
    static let serverOnInternet = "203.0.113.1"
    static let serverOnLAN = "198.51.100.1"
    static let serverOnCDN = "192.0.2.1"
    static let lanCIDR = "198.51.100.0/24"
    /// The hardened scenario's API key.
    static let apiKey = "9e8d7c6b5a4f43e2d1c0b9a8f7e6d5c4"

    struct Setup {
        /// Extra arguments to `jellyfort deploy`.
        var deployArguments: [String] = []
        /// Applied to the Caddyfile after it is made to run in the lab.
        var caddyfile: (String) -> String = { $0 }
        /// Changes to the emulator scenario's `networkConfiguration`.
        var network: [String: Any] = [:]
        /// Other top-level changes to the scenario.
        var scenario: [String: Any] = [:]
        /// Where Jellyfin listens (the bundle publishes it on loopback).
        var emulatorHost = "127.0.0.1"
        /// Load the bundle's nftables rules.
        var firewall = true
        /// An address on the server's loopback interface (not in 127.0.0.0/8), for Jellyfin behind a port handler.
        var portHandlerAddress: String?
        /// Run this instead of Caddy on 443 (its arguments; `{cert}`, `{key}` are replaced).
        var replacementTLSServer: [String]?
    }

    let lab: NetworkLab
    let folder: URL
    private(set) var server = ""
    private(set) var internet = ""
    private(set) var lan = ""
    private(set) var cdn = ""

    var caFile: String { folder.appendingPathComponent("ca.pem").path }
    var bundle: URL { folder.appendingPathComponent("bundle") }

    private init(lab: NetworkLab, folder: URL) {
        self.lab = lab
        self.folder = folder
    }

    static func start(_ setup: Setup = Setup(), label: String) async throws -> ProbeLab {
        let lab = ProbeLab(lab: NetworkLab(label), folder: temporaryDirectory("probelab"))
        do {
            try await lab.build(setup)
        } catch {
            lab.remove()
            throw error
        }
        return lab
    }

    func remove() {
        lab.remove()
        try? FileManager.default.removeItem(at: folder)
    }

    private func build(_ setup: Setup) async throws {
        try await makeCertificates()
        let deploy = try await CLI.run(
            ["deploy", "--domain", Self.name, "--media", "/srv/media", "--lan-cidr", Self.lanCIDR, "--out", bundle.path]
                + setup.deployArguments)
        guard deploy.status == 0 else { throw FixtureError("deploy failed: \(deploy.stderr)") }

        server = try await lab.host("srv")
        internet = try await lab.host("net")
        lan = try await lab.host("lan")
        cdn = try await lab.host("cdn")
        try await lab.connect(server, "\(Self.serverOnInternet)/24", internet, "203.0.113.9/24")
        try await lab.connect(server, "\(Self.serverOnLAN)/24", lan, "198.51.100.7/24")
        try await lab.connect(server, "\(Self.serverOnCDN)/24", cdn, "192.0.2.9/24")
        if setup.firewall {
            let load = try await lab.run(
                in: server, ["nft", "-f", bundle.appendingPathComponent("nftables/jellyfort.nft").path], package: "nftables")
            guard load.status == 0 else { throw FixtureError("nft -f failed: \(load.output)") }
        }

        if let address = setup.portHandlerAddress {
            for command in [
                ["ip", "addr", "add", "\(address)/32", "dev", "lo"]
            ] {
                let result = try await lab.run(in: server, command)
                guard result.status == 0 else { throw FixtureError("\(command.joined(separator: " ")): \(result.output)") }
            }
        }
        let scenario = try writeScenario(setup)
        try lab.start(
            in: server,
            [
                CLI.binary.deletingLastPathComponent().appendingPathComponent("jellyfort-emulator").path, "--scenario", scenario.path,
                "--host", setup.emulatorHost, "--port", "8096", "--discovery-port", "7359", "--quiet",
            ], log: folder.appendingPathComponent("emulator.log"))

        if let replacement = setup.replacementTLSServer {
            let arguments = replacement.map {
                $0.replacingOccurrences(of: "{cert}", with: folder.appendingPathComponent("site.pem").path)
                    .replacingOccurrences(of: "{key}", with: folder.appendingPathComponent("site.key").path)
            }
            try lab.start(in: server, arguments, log: folder.appendingPathComponent("tls.log"))
        } else {
            let caddyfile = folder.appendingPathComponent("Caddyfile")
            try setup.caddyfile(try labCaddyfile()).write(to: caddyfile, atomically: true, encoding: .utf8)
            try lab.start(
                in: server,
                [
                    "env", "XDG_DATA_HOME=\(folder.appendingPathComponent("xdg").path)",
                    "XDG_CONFIG_HOME=\(folder.appendingPathComponent("xdg").path)",
                    "caddy", "run", "--config", caddyfile.path, "--adapter", "caddyfile",
                ], log: folder.appendingPathComponent("caddy.log"))
        }
        try await waitUntilServing(setup)
    }

    /// A CA and a 90-day wildcard certificate for the lab's domain.
    private func makeCertificates() async throws {
        let extensions = folder.appendingPathComponent("site.ext")
        try "subjectAltName=DNS:*.lab.test\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n".write(
            to: extensions, atomically: true, encoding: .utf8)
        let steps: [[String]] = [
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "ca.key", "-out",
                "ca.pem",
                "-days", "365", "-subj", "/CN=Jellyfort lab CA",
            ],
            [
                "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "site.key", "-out", "site.csr",
                "-subj", "/CN=*.lab.test",
            ],
            [
                "x509", "-req", "-in", "site.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "site.pem", "-days",
                "90",
                "-extfile", "site.ext",
            ],
        ]
        for step in steps {
            let result = try await runTool("openssl", package: "openssl", step, in: folder)
            guard result.status == 0 else { throw FixtureError("openssl \(step[0]) failed: \(result.output)") }
        }
    }

    /// The generated Caddyfile, made to run here: the lab certificate instead of ACME, storage
    /// and the access log in the lab's folder.
    private func labCaddyfile() throws -> String {
        var text = try String(contentsOf: bundle.appendingPathComponent("Caddyfile"), encoding: .utf8)
        text = text.replacingOccurrences(
            of: "\t# The admin API stays on localhost:2019, which systemctl reload caddy uses.\n",
            with: "\tstorage file_system \(folder.appendingPathComponent("caddy-data").path)\n\tskip_install_trust\n")
        text = text.replacingOccurrences(
            of: "\(Self.name) {\n",
            with:
                "\(Self.name) {\n\ttls \(folder.appendingPathComponent("site.pem").path) \(folder.appendingPathComponent("site.key").path)\n"
        )
        text = text.replacingOccurrences(of: "/var/log/caddy/jellyfin-access.log", with: folder.appendingPathComponent("access.log").path)
        return text
    }

    private func writeScenario(_ setup: Setup) throws -> URL {
        let source = repositoryRoot.appendingPathComponent("Sources/JellyfinEmulator/Scenarios/hardened.json")
        guard var scenario = try JSONSerialization.jsonObject(with: Data(contentsOf: source)) as? [String: Any] else {
            throw FixtureError("hardened.json is not an object")
        }
        var network = scenario["networkConfiguration"] as? [String: Any] ?? [:]
        network["LocalNetworkSubnets"] = [Self.lanCIDR]
        network["KnownProxies"] = ["127.0.0.1"]
        network["AutoDiscovery"] = true
        for (key, value) in setup.network { network[key] = value }
        scenario["networkConfiguration"] = network
        for (key, value) in setup.scenario { scenario[key] = value }
        let file = folder.appendingPathComponent("scenario.json")
        try JSONSerialization.data(withJSONObject: scenario).write(to: file)
        return file
    }

    private func waitUntilServing(_ setup: Setup) async throws {
        var last = ""
        for _ in 0..<100 {
            // From the CDN's address: the only one every variant of the firewall lets in.
            let result = try await lab.run(
                in: cdn,
                [
                    "curl", "-sk", "-o", "/dev/null", "-m", "2", "-w", "%{http_code}", "--resolve", "\(Self.name):443:\(Self.serverOnCDN)",
                    "https://\(Self.name)/System/Info/Public",
                ], package: "curl")
            last = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
            if last != "000" && !last.isEmpty { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        let logs = ["caddy.log", "emulator.log", "tls.log"].compactMap {
            try? String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8)
        }
        throw FixtureError("the lab server did not answer HTTPS (last status \(last)): \(logs.joined(separator: "\n").suffix(1500))")
    }

    /// `jellyfort audit --probe` from a namespace, as JSON.
    func probe(from namespace: String, at address: String = serverOnInternet, _ extra: [String] = []) async throws -> ProbeRun {
        let key = folder.appendingPathComponent("key")
        try Self.apiKey.write(to: key, atomically: true, encoding: .utf8)
        chmod(key.path, 0o600)
        let output = folder.appendingPathComponent("report-\(UUID().uuidString).json")
        let started = ContinuousClock.now
        let result = try await lab.run(
            in: namespace,
            [
                CLI.binary.path, "audit", "--server", "https://\(Self.name)", "--resolve", "\(Self.name):\(address)", "--probe",
                "--ca-file",
                caFile, "--api-key-file", key.path, "--lan-cidr", Self.lanCIDR, "--format", "json", "--output", output.path,
            ] + extra)
        let elapsed = ContinuousClock.now - started
        let data = (try? Data(contentsOf: output)) ?? Data()
        let report = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return ProbeRun(status: result.status, output: result.output, report: report, elapsed: elapsed)
    }
}

/// One `audit --probe` run: its exit code, its messages and its report.
struct ProbeRun {
    var status: Int32
    var output: String
    var report: [String: Any]
    var elapsed: Duration

    struct Control {
        var status: String
        var summary: String
        var messages: [String]
        var evidence: [[String: Any]]
        var text: String { ([status, summary] + messages).joined(separator: " | ") }
    }

    func control(_ id: String) -> Control {
        let controls = report["controls"] as? [[String: Any]] ?? []
        guard let entry = controls.first(where: { $0["id"] as? String == id }) else {
            return Control(status: "absent", summary: output, messages: [], evidence: [])
        }
        let findings = entry["findings"] as? [[String: Any]] ?? []
        return Control(
            status: entry["status"] as? String ?? "?", summary: entry["summary"] as? String ?? "",
            messages: findings.compactMap { $0["message"] as? String }, evidence: findings.compactMap { $0["evidence"] as? [String: Any] })
    }
}
