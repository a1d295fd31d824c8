import Foundation
import JellyfinAPI
import JellyfortCore
import JellyfortTestSupport
import Testing

@testable import JellyfortHost

/// Each deployment-file reader on realistic files, including the awkward ones.
@Suite("Reading deployment files")
struct ParserTests {
    func read(_ files: [String: String]) throws -> HostView {
        let folder = temporaryDirectory("deployment")
        for (name, text) in files {
            let url = folder.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        defer { try? FileManager.default.removeItem(at: folder) }
        var view = DeploymentReader().read([folder.path])
        // Paths relative to the folder, for readable expectations.
        view.files = view.files.map { String($0.dropFirst(folder.path.count + 1)) }
        for index in view.containers.indices {
            view.containers[index].location.path = String(view.containers[index].location.path.dropFirst(folder.path.count + 1))
        }
        return view
    }

    @Test("a Quadlet unit, with continuations and PodmanArgs")
    func quadlet() throws {
        let view = try read([
            "jellyfin.container": """
            [Unit]
            Description=Jellyfin
            [Container]
            Image=docker.io/jellyfin/jellyfin:10.11.11
            UserNS=keep-id
            Network=slirp4netns:port_handler=slirp4netns
            PublishPort=0.0.0.0:8096:8096
            Volume=/srv/config:/config:Z
            Volume=/srv/media:/media:ro,Z
            AddCapability=NET_ADMIN \\
              SYS_TIME
            PodmanArgs=--security-opt no-new-privileges --device /dev/dri/renderD128
            AutoUpdate=registry
            """
        ])
        let container = try #require(view.containers.first)
        #expect(container.source == .quadlet)
        #expect(container.image == "docker.io/jellyfin/jellyfin:10.11.11")
        #expect(container.userNamespace == "keep-id")
        #expect(container.network == "slirp4netns:port_handler=slirp4netns")
        #expect(container.publishes == [.init(hostIP: "0.0.0.0", hostPort: "8096", containerPort: "8096", line: 7)])
        #expect(container.mounts.map(\.target) == ["/config", "/media"])
        #expect(container.mounts[1].isReadOnly && container.mounts[1].hasPrivateLabel)
        #expect(container.addedCapabilities.contains("NET_ADMIN"))
        #expect(container.noNewPrivileges)
        #expect(container.devices == ["/dev/dri/renderD128"])
        #expect(container.autoUpdateLabel == "registry")
    }

    @Test("a podman run script: quotes, continuations, $(id -u), sudo, several commands")
    func runScript() throws {
        let view = try read([
            "start.sh": """
            #!/bin/sh
            # podman run --privileged  (a comment, not a command)
            podman run -d --name jellyfin \\
              --userns keep-id --user "$(id -u):$(id -g)" \\
              -p 127.0.0.1:8096:8096 \\
              --volume "/srv/My Media:/media:ro,Z" \\
              --mount type=bind,source=/srv/config,target=/config,relabel=private \\
              --label=io.containers.autoupdate=registry \\
              --cap-drop=ALL --security-opt=no-new-privileges \\
              docker.io/jellyfin/jellyfin:latest
            sudo docker run --network host jellyfin/jellyfin
            """
        ])
        #expect(view.containers.count == 2)
        let podman = view.containers[0]
        #expect(podman.engine == "podman" && !podman.rootfulEngine)
        #expect(podman.user == "$(id -u):$(id -g)")
        #expect(podman.location.line == 3)
        #expect(podman.mounts.first == .init(source: "/srv/My Media", target: "/media", options: ["ro", "Z"], line: 3))
        #expect(podman.mounts.last?.hasPrivateLabel == true)
        #expect(podman.publishes.first?.hostIP == "127.0.0.1")
        #expect(podman.autoUpdateLabel == "registry" && podman.dropsAllCapabilities && podman.noNewPrivileges)
        #expect(podman.image == "docker.io/jellyfin/jellyfin:latest")
        let docker = view.containers[1]
        #expect(docker.rootfulEngine && docker.network == "host" && docker.image == "jellyfin/jellyfin")
    }

    @Test("a compose file and podman inspect JSON")
    func composeAndInspect() throws {
        let view = try read([
            "compose.yaml": """
            services:
              proxy:
                image: caddy
              jellyfin:
                image: lscr.io/linuxserver/jellyfin:latest
                ports: ["8096:8096"]
                volumes:
                  - type: bind
                    source: /srv/media
                    target: /media
                    read_only: true
                cap_add: [SYS_ADMIN]
                labels:
                  io.containers.autoupdate: registry
            """,
            "inspect.json": """
            [{"Id":"x","ImageName":"docker.io/jellyfin/jellyfin:latest","Config":{"User":"","Labels":{"io.containers.autoupdate":"registry"}},
              "HostConfig":{"Privileged":false,"CapAdd":[],"CapDrop":["ALL"],"NetworkMode":"pasta","UsernsMode":"keep-id","SecurityOpt":["no-new-privileges"],
              "PortBindings":{"8096/tcp":[{"HostIp":"127.0.0.1","HostPort":"8096"}]}},
              "Mounts":[{"Type":"bind","Source":"/srv/media","Destination":"/media","Mode":"Z","Options":["rbind"],"RW":false}]}]
            """,
        ])
        #expect(view.containers.count == 2)
        let compose = try #require(view.containers.first { $0.source == .compose })
        #expect(compose.image == "lscr.io/linuxserver/jellyfin:latest")
        #expect(compose.mounts.first?.isReadOnly == true)
        #expect(compose.addedCapabilities == ["SYS_ADMIN"])
        #expect(compose.publishes.first?.hostIP == nil)
        let inspect = try #require(view.containers.first { $0.source == .inspect })
        #expect(inspect.userNamespace == "keep-id" && inspect.network == "pasta" && inspect.noNewPrivileges && inspect.dropsAllCapabilities)
        #expect(inspect.mounts.first?.isReadOnly == true && inspect.mounts.first?.hasPrivateLabel == true)
        #expect(inspect.publishes.first == .init(hostIP: "127.0.0.1", hostPort: "8096", containerPort: "8096", line: nil))
    }

    @Test("a Caddyfile: sites, upstreams, headers, guards, log filters, catch-all")
    func caddyfile() throws {
        let view = try read([
            "Caddyfile": """
            {
            \temail me@example.org
            }
            # the real site
            reels.example.org, www.reels.example.org {
            \t@outsiders not remote_ip 198.51.100.0/24 2001:db8::/32
            \tabort @outsiders
            \t@metrics path /metrics*
            \trespond @metrics 404
            \theader {
            \t\tStrict-Transport-Security "max-age=63072000"
            \t\t-Server
            \t}
            \tlog {
            \t\tformat filter {
            \t\t\twrap json
            \t\t\tfields {
            \t\t\t\trequest>uri query {
            \t\t\t\t\tdelete api_key
            \t\t\t\t\treplace ApiKey REDACTED
            \t\t\t\t}
            \t\t\t}
            \t\t}
            \t}
            \treverse_proxy 10.0.0.5:8096 {
            \t\ttrusted_proxies 173.245.48.0/20
            \t}
            }
            :443 {
            \ttls internal
            \tabort
            }
            """
        ])
        #expect(view.proxies.count == 2)
        let site = view.proxies[0]
        #expect(site.addresses == ["reels.example.org", "www.reels.example.org"])
        #expect(site.location.line == 5)
        #expect(site.servesJellyfin)
        #expect(site.allowedSources == ["198.51.100.0/24", "2001:db8::/32"])
        #expect(site.blocksMetrics)
        #expect(site.responseHeadersSet == ["Strict-Transport-Security"])
        #expect(site.responseHeadersRemoved == ["Server"])
        #expect(site.logsAccess && site.logRedactsTokens)
        #expect(site.trustedProxies == ["173.245.48.0/20"])
        #expect(view.proxies[1].isCatchAll && view.proxies[1].aborts)
    }

    @Test("firewalls: nftables text and JSON, a firewalld zone")
    func firewalls() throws {
        let view = try read([
            "rules.nft": """
            table inet filter {
            \tset web_ok { type ipv4_addr; flags interval; elements = { 198.51.100.0/24, 192.0.2.10 } }
            \tchain input {
            \t\ttype filter hook input priority 0; policy accept;
            \t\ttcp dport 443 ip saddr @web_ok accept
            \t\ttcp dport 443 drop
            \t\ttcp dport { 8096, 8920 } drop
            \t}
            }
            """,
            "ruleset.json": """
            {"nftables":[{"metainfo":{}},{"set":{"family":"inet","name":"allowed","table":"t","type":"ipv4_addr","elem":["192.0.2.10",{"prefix":{"addr":"198.51.100.0","len":24}}]}},
             {"rule":{"expr":[{"match":{"left":{"payload":{"field":"dport"}},"right":443}},{"match":{"left":{"payload":{"field":"saddr"}},"right":"@allowed"}},{"accept":null}]}},
             {"rule":{"expr":[{"match":{"left":{"payload":{"field":"dport"}},"right":443}},{"drop":null}]}}]}
            """,
            "public.xml": """
            <?xml version="1.0" encoding="utf-8"?>
            <zone><short>Public</short><service name="ssh"/>
            <rule family="ipv4"><source address="198.51.100.0/24"/><service name="https"/><accept/></rule>
            </zone>
            """,
        ])
        #expect(view.firewalls.count == 3)
        let text = try #require(view.firewalls.first { $0.location.path.hasSuffix("rules.nft") })
        #expect(text.sourcesFor443 == ["198.51.100.0/24", "192.0.2.10"] && text.closesJellyfinPorts)
        let json = try #require(view.firewalls.first { $0.location.path.hasSuffix("ruleset.json") })
        #expect(json.sourcesFor443 == ["192.0.2.10", "198.51.100.0/24"])
        let zone = try #require(view.firewalls.first { $0.kind == .firewalld })
        #expect(zone.sourcesFor443 == ["198.51.100.0/24"])
    }

    @Test("ban configurations and the systemd user unit folder")
    func bansAndTimer() throws {
        let folder = temporaryDirectory("units")
        defer { try? FileManager.default.removeItem(at: folder) }
        let wants = folder.appendingPathComponent("systemd/user/timers.target.wants")
        try FileManager.default.createDirectory(at: wants, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: wants.appendingPathComponent("podman-auto-update.timer").path,
            withDestinationPath: "/usr/lib/systemd/user/podman-auto-update.timer")
        try "[jellyfin]\nenabled = true\nfilter = jellyfin\nlogpath = /srv/config/log/log_*.log\n".write(
            to: folder.appendingPathComponent("jail.local"), atomically: true, encoding: .utf8)
        try "[Definition]\nfailregex = ^first <ADDR>$\n            ^second <HOST>$\nignoreregex =\n".write(
            to: folder.appendingPathComponent("jellyfin.conf"), atomically: true, encoding: .utf8)
        try "filenames:\n  - /srv/config/log/log_*.log\nlabels:\n  type: jellyfin\n".write(
            to: folder.appendingPathComponent("acquis.yaml"), atomically: true, encoding: .utf8)
        let view = DeploymentReader().read([folder.appendingPathComponent("systemd/user").path, folder.path])
        #expect(view.autoUpdateTimer?.enabled == true)
        let filter = try #require(view.banConfigurations.first { $0.kind == .fail2banFilter })
        #expect(filter.failRegexes == ["^first <ADDR>$", "^second <HOST>$"])
        let jail = try #require(view.banConfigurations.first { $0.kind == .fail2banJail })
        #expect(jail.enabled && jail.filterName == "jellyfin" && jail.logPaths == ["/srv/config/log/log_*.log"])
        #expect(view.banConfigurations.contains { $0.kind == .crowdsecAcquisition && $0.type == "jellyfin" })
    }

    @Test("other containers in the same folder are not taken for Jellyfin")
    func otherContainers() throws {
        let view = try read([
            "caddy.container": "[Container]\nImage=docker.io/library/caddy:2\nPublishPort=443:443\n",
            "stack.sh":
                "podman run -d --name db -p 5432:5432 docker.io/library/postgres:16\npodman run -d --userns "
                + "keep-id docker.io/jellyfin/jellyfin:latest\n",
        ])
        #expect(view.containers.count == 1)
        #expect(view.containers[0].image == "docker.io/jellyfin/jellyfin:latest")
        #expect(view.containers[0].location.line == 2)
    }

    @Test("unreadable and unrecognised files are reported with their path; the rest is read")
    func problems() throws {
        let folder = temporaryDirectory("problems")
        defer { try? FileManager.default.removeItem(at: folder) }
        let good = folder.appendingPathComponent("jellyfin.container")
        try "[Container]\nImage=docker.io/jellyfin/jellyfin:latest\n".write(to: good, atomically: true, encoding: .utf8)
        let broken = folder.appendingPathComponent("inspect.json")
        try "{ not json".write(to: broken, atomically: true, encoding: .utf8)
        let binary = folder.appendingPathComponent("blob.bin")
        try Data([0, 1, 2, 3]).write(to: binary)
        let notes = folder.appendingPathComponent("notes.txt")
        try "shopping list".write(to: notes, atomically: true, encoding: .utf8)
        let xml = folder.appendingPathComponent("zone.xml")
        try "<zone><service name=\"https></zone>".write(to: xml, atomically: true, encoding: .utf8)
        let view = DeploymentReader().read([good.path, broken.path, binary.path, notes.path, xml.path, "/nonexistent/deploy"])
        #expect(view.containers.count == 1)
        let reported = Set(view.problems.map(\.location.path))
        #expect(reported == [broken.path, binary.path, notes.path, xml.path, "/nonexistent/deploy"])
        #expect(view.problems.first { $0.location.path == broken.path }?.reason == "not valid JSON")
        #expect(view.problems.first { $0.location.path == xml.path }?.reason.contains("not well-formed XML") == true)
    }

    @Test("compose anchors and merge keys are read; an alias bomb is refused at once with a reason")
    func yamlAliases() throws {
        let shared = try read([
            "docker-compose.yml": """
            x-common: &common
              image: docker.io/jellyfin/jellyfin
              user: "1000:1000"
            services:
              jellyfin:
                <<: *common
                volumes:
                  - /srv/media:/media:ro
            """
        ])
        #expect(shared.containers.first?.image == "docker.io/jellyfin/jellyfin")
        #expect(shared.containers.first?.user == "1000:1000")
        let bomb = HostileInput.yamlAliasBomb
        let started = ContinuousClock.now
        let refused = try read(["docker-compose.yml": bomb])
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(refused.containers.isEmpty)
        #expect(refused.problems.contains { $0.description.contains("alias bomb") }, "\(refused.problems)")
    }

    @Test("Caddyfile tokens as Caddy reads them: a backslash outside quotes is kept, \\\" inside quotes is a quote")
    func caddyTokens() {
        #expect(
            CaddyWords.split(#"header_regexp v CF-Connecting-IP ^(?:198\.51\.100\.\d{1,3})$"#)
                == ["header_regexp", "v", "CF-Connecting-IP", #"^(?:198\.51\.100\.\d{1,3})$"#])
        #expect(CaddyWords.split(#"respond "say \"hi\"" 200"#) == ["respond", #"say "hi""#, "200"])
        #expect(CaddyWords.split("log `raw \\ text` x") == ["log", "raw \\ text", "x"])
    }

    @Test("the viewer pattern Jellyfort reads from a Caddyfile is the one caddy adapt reads")
    func caddyAdaptAgrees() async throws {
        let pattern = try #require(ForwardedAddressPattern.regex(for: ["198.51.100.0/24", "203.0.113.8/29"].compactMap(IPNetwork.init)))
        let caddyfile =
            "a.example.org {\n\t@strangers not header_regexp viewer CF-Connecting-IP \(pattern)\n\tabort @strangers\n\trespond ok\n}\n"
        let folder = temporaryDirectory("adapt")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("Caddyfile")
        try caddyfile.write(to: path, atomically: true, encoding: .utf8)
        let adapted = try await runTool("caddy", package: "caddy", ["adapt", "--config", path.path, "--adapter", "caddyfile"])
        #expect(adapted.status == 0, "\(adapted.output)")
        let json = try #require(try JSONParser.parse(Array(adapted.output.utf8)).objectValue)
        let text = JSONWriter.string(.object(json))
        #expect(text.contains(JSONWriter.string(.string(pattern))), "caddy adapt read another pattern: \(text.prefix(600))")
        let view = try read(["Caddyfile": caddyfile])
        #expect(view.proxies.first?.forwardedViewerPatterns == [pattern])
    }

    @Test("nftables: the ports after dport, single or a set, read in one pass")
    func destinationPorts() {
        #expect(NFTablesParser.destinationPorts(in: "tcp dport { 80, 443 } ip saddr @allowed4 accept") == ["80", "443"])
        #expect(NFTablesParser.destinationPorts(in: "tcp dport 443 accept") == ["443"])
        #expect(NFTablesParser.destinationPorts(in: "udp dport 443-450 drop") == ["443"])
        #expect(NFTablesParser.destinationPorts(in: "tcp dport { 8096,8920 } drop") == ["8096", "8920"])
        #expect(NFTablesParser.destinationPorts(in: "ip saddr 10.0.0.0/8 accept").isEmpty)
    }

    @Test("Caddy environment placeholders: a default is used, an address with none is not judged")
    func caddyEnvironment() throws {
        #expect(CaddyfileParser.environmentDefaults("{$DOMAIN:jf.example.org}") == "jf.example.org")
        #expect(CaddyfileParser.environmentDefaults("https://{$HOST:tv}.example.org:443") == "https://tv.example.org:443")
        #expect(CaddyfileParser.environmentDefaults("{$DOMAIN}") == "{$DOMAIN}")
        let withDefault = try read(["Caddyfile": "{$DOMAIN:films-x2.example.org} {\n\treverse_proxy 127.0.0.1:8096\n}\n"])
        #expect(withDefault.proxies.first?.addresses == ["films-x2.example.org"])
        #expect(withDefault.proxies.first?.notUnderstood.isEmpty == true)
        let without = try read(["Caddyfile": "{$DOMAIN} {\n\treverse_proxy 127.0.0.1:8096\n}\n"])
        #expect(without.proxies.first?.notUnderstood.isEmpty == false)
    }

    @Test("a line over 64 KiB in a text file is refused at once, naming the line; JSON may be one long line")
    func longLines() throws {
        let long = try read([
            "jellyfin.container": "[Container]\nImage=docker.io/jellyfin/jellyfin\nPodmanArgs=" + String(repeating: "x", count: 70_000)
                + "\n"
        ])
        #expect(long.containers.isEmpty)
        #expect(long.problems.contains { $0.description.contains("line 3 is longer than 64 KiB") }, "\(long.problems)")
        let json =
            "[{\"Config\":{\"Image\":\"docker.io/jellyfin/jellyfin\",\"Env\":[\"" + String(repeating: "A", count: 70_000)
            + "\"]},\"HostConfig\":{}}]"
        #expect(try read(["inspect.json": json]).containers.count == 1)
    }
}
