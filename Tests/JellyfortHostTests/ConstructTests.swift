import Foundation
import JellyfortAudit
import JellyfortCore
import JellyfortTestSupport
import Testing

@testable import JellyfortHost

/// The constructs of real deployment files, one by one, with the verdict a careful reader gives.
@Suite("deployment constructs as people write them")
struct ConstructTests {
    /// Writes `files` into a fresh folder and audits it as `audit --deployment FOLDER` does.
    func audit(_ files: [String: String]) async throws -> [String: ControlResult] {
        let folder = temporaryDirectory("construct")
        defer { try? FileManager.default.removeItem(at: folder) }
        for (name, text) in files {
            let url = folder.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        let run = await AuditRunner().run(client: nil, settings: AuditSettings(deploymentPaths: [folder.path]))
        return Dictionary(uniqueKeysWithValues: run.report.controls.map { ($0.id, $0) })
    }

    @Test(
        "Compose interpolation: the Compose Specification's forms, .env values, $$",
        arguments: [
            ("${A}", "1"), ("$A/x", "1/x"), ("${UNSET:-fallback}", "fallback"), ("${EMPTY:-fallback}", "fallback"),
            ("${EMPTY-fallback}", ""), ("${UNSET-fallback}", "fallback"), ("${A:+other}", "other"), ("${UNSET:+other}", ""),
            ("$$A", "$A"), ("${UNSET:-${A}}", "1"), ("cost: 5$", "cost: 5$"),
        ])
    func interpolation(_ text: String, _ expected: String) {
        var interpolation = ComposeInterpolation(variables: ["A": "1", "EMPTY": ""])
        #expect(interpolation.interpolate(text) == expected)
        #expect(interpolation.unresolved.isEmpty)
    }

    @Test("an unset variable without a default is reported, and ${VAR:?} too")
    func unresolved() {
        var interpolation = ComposeInterpolation(variables: [:])
        _ = interpolation.interpolate("${MEDIA}:/media")
        _ = interpolation.interpolate("${CONFIG:?set CONFIG}")
        #expect(interpolation.unresolved == ["MEDIA", "CONFIG"])
        #expect(
            ComposeInterpolation.environmentFile("# c\nexport A=1\nB=\"two words\"\nC=x # note\n") == [
                "A": "1", "B": "two words", "C": "x",
            ])
    }

    @Test("compose: the short syntax after interpolation, relative sources, a .env beside it, long syntax, PUID=0")
    func compose() async throws {
        let compose = """
            services:
              jellyfin:
                image: lscr.io/linuxserver/jellyfin:latest
                environment:
                  - PUID=0
                  - PGID=0
                volumes:
                  - ${CONFIG_DIR:-./config}:/config
                  - type: bind
                    source: ${MEDIA}
                    target: /data/media
                    read_only: true
                    bind:
                      selinux: z
                ports:
                  - 127.0.0.1:8096:8096
            """
        let found = try await audit(["docker-compose.yml": compose, ".env": "MEDIA=/srv/media\n"])
        #expect(found["container.media-readonly"]?.status == .pass, "\(found["container.media-readonly"]?.summary ?? "")")
        #expect(found["container.rootless"]?.status == .fail)
        #expect(found["container.rootless"]?.findings.contains { $0.message.contains("0:0") } == true)
        #expect(found["container.private-labels"]?.findings.first?.message.contains("/config has no private SELinux label") == true)
        // Without the .env, MEDIA is unknown: no verdict on half a file.
        let unset = try await audit(["docker-compose.yml": compose])
        #expect(unset["container.media-readonly"]?.status == .unknown)
        #expect(
            unset["container.media-readonly"]?.summary.contains("$MEDIA") == true, "\(unset["container.media-readonly"]?.summary ?? "")")
    }

    @Test("compose: Watchtower's label is an updater Jellyfort cannot see running: warn, never pass")
    func watchtower() async throws {
        let found = try await audit([
            "docker-compose.yml": """
            services:
              jellyfin:
                image: docker.io/jellyfin/jellyfin:10.11.3
                labels:
                  com.centurylinklabs.watchtower.enable: "true"
                volumes: ["/srv/jf/config:/config:Z", "/srv/media:/media:ro"]
            """
        ])
        #expect(found["container.autoupdate"]?.status == .warn, "\(found["container.autoupdate"]?.summary ?? "")")
    }

    @Test("run scripts: options with values in every form; an option Jellyfort does not know makes the container unknown, naming it")
    func runOptions() async throws {
        let known = try await audit([
            "jellyfin.sh": """
            #!/bin/sh
            podman run -dit --rm --name=jellyfin --pids-limit 100 --gpus all --log-opt max-size=10m --cgroupns private \\
              -p127.0.0.1:8096:8096 -v /srv/media:/media:ro,Z -v /srv/jf:/config:Z --userns keep-id \\
              --security-opt no-new-privileges --cap-drop all -- docker.io/jellyfin/jellyfin:latest
            """
        ])
        #expect(known["container.media-readonly"]?.status == .pass, "\(known["container.media-readonly"]?.summary ?? "")")
        #expect(known["proxy.direct-port-closed"]?.status == .pass)
        #expect(known["container.rootless"]?.status == .pass)
        let variable = try await audit([
            "jellyfin.sh": "#!/bin/sh\nEXTRA=\"--privileged\"\npodman run -d $EXTRA -v /srv/media:/media:ro docker.io/jellyfin/jellyfin\n"
        ])
        #expect(variable["container.least-privilege"]?.status == .unknown, "\(variable["container.least-privilege"]?.summary ?? "")")
        #expect(variable["container.least-privilege"]?.summary.contains("$EXTRA") == true)
        let unknown = try await audit([
            "start.sh": "#!/bin/sh\npodman run -d --frobnicate yes -v /srv/media:/media docker.io/jellyfin/jellyfin\n"
        ])
        for id in ["container.media-readonly", "container.rootless", "proxy.direct-port-closed"] {
            #expect(unknown[id]?.status == .unknown, "\(id): \(unknown[id]?.summary ?? "")")
            #expect(unknown[id]?.summary.contains("--frobnicate") == true)
        }
    }

    @Test("Quadlet: Pod= puts the ports in the .pod unit (unknown without it, read with it); a system unit is rootful")
    func quadlet() async throws {
        let unit = """
            [Container]
            Image=docker.io/jellyfin/jellyfin:latest
            Pod=media.pod
            UserNS=keep-id
            Volume=%h/jf/config:/config:Z
            Volume=/srv/media:/media:ro,Z
            """
        let alone = try await audit(["jellyfin.container": unit])
        #expect(alone["proxy.direct-port-closed"]?.status == .unknown)
        #expect(alone["proxy.direct-port-closed"]?.summary.contains("media.pod") == true)
        let withPod = try await audit(["jellyfin.container": unit, "media.pod": "[Pod]\nPublishPort=8096:8096\n"])
        #expect(withPod["proxy.direct-port-closed"]?.status == .fail, "the pod publishes 8096 on every interface")
        let system = try await audit([
            "etc/containers/systemd/jellyfin.container": unit.replacingOccurrences(of: "Pod=media.pod\n", with: "")
                + "\n[Install]\nWantedBy=multi-user.target\n"
        ])
        #expect(system["container.rootless"]?.status == .fail, "\(system["container.rootless"]?.summary ?? "")")
    }

    @Test("absent is not safe: no ban configuration given is unknown, saying which files would decide it")
    func absentBan() async throws {
        let found = try await audit(["jellyfin.container": "[Container]\nImage=docker.io/jellyfin/jellyfin:latest\n"])
        #expect(found["auth.brute-force-ban"]?.status == .unknown)
        #expect(found["auth.brute-force-ban"]?.summary.contains("/etc/fail2ban") == true)
        #expect(found["container.private-labels"]?.status == .unknown, "no /config mount found is not a pass")
        #expect(found["proxy.direct-port-closed"]?.summary == "no port of Jellyfin is published on the host")
    }

    @Test("a Windows drive in a volume keeps its colon")
    func windowsDrive() {
        var flags = ContainerFlags(source: .compose, location: FileLocation(path: "c.yml", line: nil))
        flags.volume(#"C:\media:/media:ro"#, line: 3)
        #expect(flags.facts.mounts.first?.source == #"C:\media"#)
        #expect(flags.facts.mounts.first?.target == "/media")
        #expect(flags.facts.mounts.first?.options == ["ro"])
    }

    @Test("nftables: an input chain with policy drop lets in only what it accepts; firewalld forward-ports count as open")
    func firewalls() async throws {
        let corpus = fixturesFolder.appendingPathComponent("corpus")
        func allowList(_ folder: String, _ allow: [String]) async -> ControlResult? {
            let run = await AuditRunner().run(
                client: nil, settings: AuditSettings(allowList: allow, deploymentPaths: [corpus.appendingPathComponent(folder).path]))
            return run.report.controls.first { $0.id == "network.ip-allowlist" }
        }
        #expect(await allowList("20-nftables-policy-drop", ["198.51.100.0/24", "203.0.113.7"])?.status == .pass)
        #expect(await allowList("20-nftables-policy-drop", ["198.51.100.0/24"])?.status == .fail, "203.0.113.7 is beyond the declared list")
        #expect(await allowList("34-nftables-open-jellyfin", ["198.51.100.0/24"])?.status == .fail)
        #expect(await allowList("35-firewalld-rich-rules", ["198.51.100.0/24"])?.status == .pass)
        #expect(await allowList("43-firewalld-source-zone", ["198.51.100.0/24"])?.status == .pass, "a zone bound to its sources")
        let view = DeploymentReader().read([corpus.appendingPathComponent("20-nftables-policy-drop").path])
        #expect(view.firewalls.first?.closesJellyfinPorts == true, "policy drop and no accept for 8096")
        let open = DeploymentReader().read([corpus.appendingPathComponent("34-nftables-open-jellyfin").path])
        #expect(open.firewalls.first?.closesJellyfinPorts == false)
        let folder = temporaryDirectory("forward")
        defer { try? FileManager.default.removeItem(at: folder) }
        try "<zone><service name=\"https\"/><forward-port port=\"80\" protocol=\"tcp\" to-port=\"8096\"/></zone>".write(
            to: folder.appendingPathComponent("public.xml"), atomically: true, encoding: .utf8)
        #expect(DeploymentReader().read([folder.path]).firewalls.first?.closesJellyfinPorts == false)
    }

    @Test("with Caddy installed, caddy adapt has the last word: a file Caddy refuses is not judged from Jellyfort's reading")
    func caddyRefuses() async throws {
        let found = try await audit([
            "Caddyfile":
                "films-q8.example.org {\n\theader Strict-Transport-Security max-age=31536000\n\tfrobnicate on\n\treverse_proxy 127.0.0.1:8096\n}\n"
        ])
        let tls = try #require(found["proxy.tls"])
        #expect(tls.status == .unknown, "\(tls.summary)")
        #expect(tls.summary.contains("caddy adapt refuses this file"), "\(tls.summary)")
        #expect(tls.summary.contains("frobnicate"), "Caddy's own reason is passed on: \(tls.summary)")
    }

    @Test("Quadlet .image and .network units: the image unit's reference is read when given; a .network is a bridge")
    func quadletUnits() async throws {
        let corpus = fixturesFolder.appendingPathComponent("corpus/41-quadlet-units")
        let view = DeploymentReader().read([corpus.path])
        #expect(view.containers.first?.image == "docker.io/jellyfin/jellyfin:latest")
        #expect(view.containers.first?.imageElsewhere == nil)
        #expect(view.containers.first?.network == "bridge:media.network")
        let alone = DeploymentReader().read([corpus.appendingPathComponent("jellyfin.container").path])
        #expect(alone.containers.first?.imageElsewhere == "jellyfin.image")
    }

    @Test("an allow-list on 443 with Jellyfin's own port open to everyone in the same firewall is not enforced")
    func aroundTheAllowList() async throws {
        let folder = temporaryDirectory("around")
        defer { try? FileManager.default.removeItem(at: folder) }
        try "#!/bin/sh\npodman run -d --network pasta -p 8096:8096 -v /srv/media:/media:ro docker.io/jellyfin/jellyfin\n"
            .write(to: folder.appendingPathComponent("jellyfin.sh"), atomically: true, encoding: .utf8)
        try """
        table inet filter {
          chain input {
            type filter hook input priority 0; policy drop;
            tcp dport 443 ip saddr { 198.51.100.0/24 } accept
            tcp dport 8096 accept
          }
        }
        """.write(to: folder.appendingPathComponent("rules.nft"), atomically: true, encoding: .utf8)
        let run = await AuditRunner().run(
            client: nil, settings: AuditSettings(allowList: ["198.51.100.0/24"], deploymentPaths: [folder.path]))
        let result = try #require(run.report.controls.first { $0.id == "network.ip-allowlist" })
        #expect(result.status == .fail, "\(result.summary)")
        #expect(result.summary.contains("8096"))
        // Published on loopback only, the same rule opens nothing that leads to Jellyfin.
        try "#!/bin/sh\npodman run -d --network pasta -p 127.0.0.1:8096:8096 -v /srv/media:/media:ro docker.io/jellyfin/jellyfin\n"
            .write(to: folder.appendingPathComponent("jellyfin.sh"), atomically: true, encoding: .utf8)
        let loopback = await AuditRunner().run(
            client: nil, settings: AuditSettings(allowList: ["198.51.100.0/24"], deploymentPaths: [folder.path]))
        #expect(loopback.report.controls.first { $0.id == "network.ip-allowlist" }?.status == .pass)
    }
}
