import Foundation
import JellyfinAPI
import JellyfinEmulator
import JellyfortControls
import JellyfortCore
import JellyfortDeploy
import JellyfortHost
import JellyfortTestSupport
import Testing

/// Every generated file, checked by the real program that will consume it.
@Suite("jellyfort deploy: the bundle, validated by the real tools")
struct DeployBundleTests {
    static func spec(allow: [String] = [], cdn: Bool = false, gpu: Bool = false) throws -> DeploymentSpec {
        try DeploymentSpec(
            domain: "reels-7f3k.example.org", mediaPath: "/srv/media", configPath: "/srv/jellyfin/config", cachePath: "/srv/jellyfin/cache",
            allow: allow.compactMap(IPNetwork.init), lan: ["192.168.1.0/24"].compactMap(IPNetwork.init),
            cdn: cdn ? try CDNRanges.bundled("cloudflare") : nil, gpu: gpu)
    }

    static let variants: [(String, [String], Bool)] = [
        ("open", [], false), ("allow-list", ["198.51.100.0/24", "2001:db8::/32", "192.0.2.10"], false), ("cdn", [], true),
    ]

    func write(_ spec: DeploymentSpec) throws -> URL {
        let folder = temporaryDirectory("bundle")
        _ = try DeploymentBundle(spec).write(to: folder, force: false)
        return folder
    }

    @Test("the bundle has every file other tests look for, and refuses to overwrite without --force")
    func files() throws {
        let spec = try Self.spec()
        let folder = try write(spec)
        defer { try? FileManager.default.removeItem(at: folder) }
        for path in [
            "jellyfin.container", "jellyfin-run.sh", "Caddyfile", "nftables/jellyfort.nft", "firewalld/jellyfort.sh",
            "fail2ban/filter.d/jellyfin.conf", "fail2ban/jail.d/jellyfin.local", "crowdsec/acquis.d/jellyfin.yaml", "jellyfin-network.json",
            "README.md", "jellyfort-watch.service",
        ] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(path).path), "\(path) missing")
        }
        #expect(throws: DeployError.self) { try DeploymentBundle(spec).write(to: folder, force: false) }
        #expect(try DeploymentBundle(spec).write(to: folder, force: true).count == 11)
        let quadlet = try String(contentsOf: folder.appendingPathComponent("jellyfin.container"), encoding: .utf8)
        for line in [
            "UserNS=keep-id", "Network=pasta", "PublishPort=127.0.0.1:8096:8096", "Volume=/srv/media:/media:ro,Z",
            "Volume=/srv/jellyfin/config:/config:Z",
            "AutoUpdate=registry", "Image=docker.io/jellyfin/jellyfin:latest", "NoNewPrivileges=true", "DropCapability=ALL",
        ] {
            #expect(quadlet.contains(line + "\n"), "\(line)")
        }
        #expect(!quadlet.contains("/dev/dri"))
        #expect(try DeploymentBundle(Self.spec(gpu: true)).files[0].content.contains("AddDevice=/dev/dri"))
        let network = try JSONParser.parse(String(contentsOf: folder.appendingPathComponent("jellyfin-network.json"), encoding: .utf8))
            .objectValue
        #expect(network?["KnownProxies"] == ["127.0.0.1"])
        #expect(network?["LocalNetworkSubnets"] == ["192.168.1.0/24"])
    }

    @Test("domains: invalid ones refused, guessable ones warned about with Certificate Transparency")
    func domains() throws {
        for bad in [
            "localhost", "192.168.1.5", "-bad.example.org", "exa mple.org", "a..b", "x." + String(repeating: "a", count: 64) + ".org",
        ] {
            #expect(throws: DeployError.self) { try DeploymentSpec(domain: bad, mediaPath: "/m", configPath: "/c", cachePath: "/k") }
        }
        #expect(throws: DeployError.self) {
            try DeploymentSpec(domain: "a.example.org", mediaPath: "media", configPath: "/c", cachePath: "/k")
        }
        #expect(throws: DeployError.self) {
            try DeploymentSpec(domain: "a.example.org", mediaPath: "/home", configPath: "/c", cachePath: "/k")
        }
        let guessable = try DeploymentSpec(domain: "Jellyfin.Example.org", mediaPath: "/m", configPath: "/c", cachePath: "/k")
        #expect(DeploymentBundle(guessable).warnings.first?.contains("Certificate Transparency") == true)
        #expect(
            DeploymentBundle(try DeploymentSpec(domain: "example.org", mediaPath: "/m", configPath: "/c", cachePath: "/k")).warnings.count
                == 1)
        #expect(DeploymentBundle(try Self.spec()).warnings.isEmpty)
    }

    @Test(
        "caddy validate accepts every Caddyfile, and caddy adapt shows the site, the upstream and the blocks", arguments: variants.indices)
    func caddyfile(_ index: Int) async throws {
        let (name, allow, cdn) = Self.variants[index]
        let folder = try write(try Self.spec(allow: allow, cdn: cdn))
        defer { try? FileManager.default.removeItem(at: folder) }
        let home = [
            "XDG_DATA_HOME": folder.appendingPathComponent("xdg").path, "XDG_CONFIG_HOME": folder.appendingPathComponent("xdg").path,
        ]
        let validate = try await runTool(
            "caddy", package: "caddy", ["validate", "--config", "Caddyfile", "--adapter", "caddyfile"], environment: home, in: folder)
        #expect(validate.status == 0, "\(name): \(validate.output.suffix(800))")
        let adapt = try await runTool(
            "caddy", package: "caddy", ["adapt", "--config", "Caddyfile", "--adapter", "caddyfile"], environment: home, in: folder)
        #expect(adapt.status == 0)
        let json = adapt.output.split(separator: "\n").last.map(String.init) ?? ""
        #expect(json.contains(#""host":["reels-7f3k.example.org"]"#), "\(name): the site")
        #expect(json.contains(#""dial":"127.0.0.1:8096""#), "\(name): the upstream")
        #expect(json.contains(#"{"abort":true,"handler":"static_response"}]}]}],"terminal":true}"#), "\(name): the catch-all aborts")
        #expect(json.contains("Strict-Transport-Security"))
        #expect(json.contains(#""/metrics""#))
        #expect(json.contains("api_key"), "\(name): tokens redacted from the log")
        if !allow.isEmpty { #expect(json.contains("198.51.100.0/24")) }

        // caddy's own reading and Jellyfort's agree on the sites and where they send requests.
        let adapted = try #require(try JSONParser.parse(json).objectValue)
        let routes =
            adapted["apps"]?.objectValue?["http"]?.objectValue?["servers"]?.objectValue?["srv0"]?.objectValue?["routes"]?.arrayValue?
            .compactMap(\.objectValue) ?? []
        let caddyHosts = Set(
            routes.flatMap { $0["match"]?.arrayValue?.compactMap { $0.objectValue?["host"]?.arrayValue?.compactMap(\.stringValue) } ?? [] }
                .flatMap { $0 })
        let caddyDials = Set(JSONWriter.string(.object(adapted)).matches(of: /"dial":"([^"]+)"/).map { String($0.1) })
        let ours = DeploymentReader().read([folder.appendingPathComponent("Caddyfile").path]).proxies
        #expect(Set(ours.filter { !$0.isCatchAll }.flatMap(\.addresses)) == caddyHosts)
        #expect(Set(ours.flatMap(\.upstreams)) == caddyDials)
        #expect(ours.contains { $0.isCatchAll && $0.aborts })
        if cdn { #expect(json.contains("173.245.48.0/20") && json.contains("trusted_proxies")) }
    }

    @Test("nft -c accepts every ruleset", arguments: variants.indices)
    func nftables(_ index: Int) async throws {
        let (name, allow, cdn) = Self.variants[index]
        let folder = try write(try Self.spec(allow: allow, cdn: cdn))
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("nftables/jellyfort.nft").path
        // As root nft checks directly; otherwise in a user namespace of its own.
        let result =
            getuid() == 0
            ? try await runTool("nft", package: "nftables", ["-c", "-f", path])
            : try await runTool("unshare", package: "util-linux", ["-rn", "nft", "-c", "-f", path])
        #expect(result.status == 0, "\(name): \(result.output)")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("tcp dport { 8096, 8920 } drop"))
        #expect(text.contains("\t\ttcp dport { 80, 443 } drop") == (!allow.isEmpty || cdn))
    }

    @Test("firewall-offline-cmd runs the firewalld script on a private copy of the configuration", arguments: variants.indices)
    func firewalld(_ index: Int) async throws {
        let (name, allow, cdn) = Self.variants[index]
        let folder = try write(try Self.spec(allow: allow, cdn: cdn))
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("firewalld-etc")
        guard FileManager.default.fileExists(atPath: "/etc/firewalld") else {
            throw FixtureError("firewalld is not installed: scripts/test installs Debian's firewalld package")
        }
        let copy = try await runTool("cp", package: "coreutils", ["-a", "/etc/firewalld", config.path])
        #expect(copy.status == 0)
        let offline = "firewall-offline-cmd --system-config=\(config.path)"
        let script = try await runTool(
            "sh", package: "dash", [folder.appendingPathComponent("firewalld/jellyfort.sh").path],
            environment: ["FIREWALL_CMD": offline, "FIREWALL_OFFLINE": "1"])
        #expect(script.status == 0, "\(name): \(script.output.suffix(600))")
        let check = try await runTool("firewall-offline-cmd", package: "firewalld", ["--system-config=\(config.path)", "--check-config"])
        #expect(check.status == 0, "\(check.output)")
        let rules = try await runTool(
            "firewall-offline-cmd", package: "firewalld", ["--system-config=\(config.path)", "--zone=public", "--list-rich-rules"])
        #expect(rules.output.contains(#"port port="8096" protocol="tcp" reject"#))
        if !allow.isEmpty {
            #expect(rules.output.contains(#"rule family="ipv6" source address="2001:db8::/32" service name="https" accept"#))
            let services = try await runTool(
                "firewall-offline-cmd", package: "firewalld", ["--system-config=\(config.path)", "--zone=public", "--list-services"])
            #expect(!services.output.contains("https"), "https must not be open to everyone: \(services.output)")
        }
    }
}
