import Foundation
import JellyfinAPI
import JellyfortAudit
import JellyfortControls
import JellyfortCore
import JellyfortDeploy
import JellyfortReport
import JellyfortTestSupport
import Testing

/// The host controls end to end: the bundle `jellyfort deploy` writes passes them; the files
/// people really have fail them, with file and line.
@Suite("Auditing deployment files")
struct DeploymentAuditTests {
    static let hostControls = [
        "container.rootless", "container.least-privilege", "container.client-ip", "container.media-readonly", "container.private-labels",
        "container.autoupdate", "proxy.tls", "proxy.direct-port-closed", "proxy.security-headers", "proxy.log-redaction",
        "network.ip-allowlist", "proxy.obscure-domain", "edge.cdn-origin-lock", "auth.brute-force-ban",
    ]

    func audit(_ paths: [String], allow: [String] = [], cdn: String? = nil) async -> AuditRunner.Run {
        await AuditRunner().run(client: nil, settings: AuditSettings(allowList: allow, cdn: cdn, deploymentPaths: paths))
    }

    func statuses(_ run: AuditRunner.Run) -> [String: Status] {
        Dictionary(uniqueKeysWithValues: run.report.controls.map { ($0.id, $0.status) })
    }

    @Test("the generated bundle passes every host control", arguments: [false, true])
    func generatedBundle(cdn: Bool) async throws {
        let folder = temporaryDirectory("bundle")
        defer { try? FileManager.default.removeItem(at: folder) }
        let spec = try DeploymentSpec(
            domain: "reels-7f3k.example.org", mediaPath: "/srv/media", configPath: "/srv/jellyfin/config",
            cachePath: "/srv/jellyfin/cache", allow: cdn ? [] : ["198.51.100.0/24"].compactMap(IPNetwork.init),
            lan: ["192.168.1.0/24"].compactMap(IPNetwork.init),
            cdn: cdn ? try CDNRanges.bundled("cloudflare") : nil)
        _ = try DeploymentBundle(spec).write(to: folder.appendingPathComponent("bundle"), force: false)
        // The timer, enabled as the bundle's README says (systemctl --user enable podman-auto-update.timer).
        let wants = folder.appendingPathComponent("systemd/user/timers.target.wants")
        try FileManager.default.createDirectory(at: wants, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: wants.appendingPathComponent("podman-auto-update.timer").path,
            withDestinationPath: "/usr/lib/systemd/user/podman-auto-update.timer")

        let run = await audit(
            [folder.appendingPathComponent("bundle").path, folder.appendingPathComponent("systemd/user").path],
            allow: cdn ? [] : ["198.51.100.0/24"], cdn: cdn ? "cloudflare" : nil)
        #expect(run.problems.isEmpty, "\(run.problems)")
        let found = statuses(run)
        for id in Self.hostControls {
            let expected: Status =
                switch id {
                case "proxy.obscure-domain": .warn  // its own certificate, not a wildcard: the name is in CT logs
                case "edge.cdn-origin-lock": cdn ? .pass : .notApplicable
                case "network.ip-allowlist": cdn ? .warn : .pass
                default: .pass
                }
            #expect(
                found[id] == expected,
                "\(id) is \(found[id].map { "\($0)" } ?? "missing"): \(run.report.controls.first { $0.id == id }?.summary ?? "")")
        }
    }

    @Test("typical hand-written files fail with file and line; SARIF carries the locations")
    func badFiles() async throws {
        let folder = temporaryDirectory("bad")
        defer { try? FileManager.default.removeItem(at: folder) }
        try """
        services:
          jellyfin:
            image: jellyfin/jellyfin
            network_mode: host
            volumes:
              - /srv/jellyfin/config:/config
              - /srv/media:/media
              - /var/run/docker.sock:/var/run/docker.sock
        """.write(to: folder.appendingPathComponent("docker-compose.yml"), atomically: true, encoding: .utf8)
        try "jellyfin.example.org {\n\treverse_proxy 127.0.0.1:8096\n\tlog\n}\n".write(
            to: folder.appendingPathComponent("Caddyfile"), atomically: true, encoding: .utf8)
        try "[Definition]\nfailregex = ^.*Authentication request for .* has been denied \\(IP: \"<ADDR>\"\\)\\.$\n".write(
            to: folder.appendingPathComponent("jellyfin.conf"), atomically: true, encoding: .utf8)
        try "[jellyfin]\nenabled = true\nfilter = jellyfin\nlogpath = /config/log/jellyfin*.log\n".write(
            to: folder.appendingPathComponent("jail.local"), atomically: true, encoding: .utf8)
        let run = await audit([folder.path], allow: ["198.51.100.0/24"])
        let found = statuses(run)
        for id in [
            "container.rootless", "container.least-privilege", "container.media-readonly", "container.private-labels",
            "container.autoupdate",
            "proxy.tls", "proxy.direct-port-closed", "proxy.security-headers", "proxy.log-redaction", "proxy.obscure-domain",
            "auth.brute-force-ban", "network.ip-allowlist",
        ] {
            #expect(found[id] == .fail, "\(id) is \(found[id].map { "\($0)" } ?? "missing")")
        }
        let media = try #require(run.report.controls.first { $0.id == "container.media-readonly" })
        #expect(media.findings.count == 1, "the docker socket is not media")
        #expect(media.findings[0].location == FileLocation(path: folder.appendingPathComponent("docker-compose.yml").path, line: 7))
        let sarif = try #require(try JSONParser.parse(try ReportFormat.sarif.render(run.report)).objectValue)
        let results = sarif["runs"]?.arrayValue?.first?.objectValue?["results"]?.arrayValue?.compactMap(\.objectValue) ?? []
        let located = results.first { $0["ruleId"] == "container.media-readonly" }?["locations"]?.arrayValue?.first?.objectValue?[
            "physicalLocation"]?.objectValue
        #expect(located?["artifactLocation"]?.objectValue?["uri"]?.stringValue == folder.appendingPathComponent("docker-compose.yml").path)
        #expect(located?["region"]?.objectValue?["startLine"] == 7)
        let ban = try #require(run.report.controls.first { $0.id == "auth.brute-force-ban" })
        #expect(ban.findings.contains { $0.message.contains("does not match Jellyfin's log_YYYYMMDD.log") })
        #expect(ban.findings.contains { $0.message.contains("misses") })
    }

    /// The example command of the hardening guide this product implements ("Securing Jellyfin",
    /// shaunography.com, item 1), as a self-hoster would paste it into a script.
    static let guideExample = """
        podman run \\
         --detach \\
         --rm \\
         --name jellyfin \\
         --net slirp4netns \\
         --device /dev/dri/:/dev/dri/ \\
         --publish 8096:8096/tcp \\
         --user $(id -u):$(id -g) \\
         --userns keep-id \\
         -v /media/shaun/media/.jellyfin/cache:/cache:Z \\
         -v /media/shaun/media/.jellyfin/config:/config:Z \\
         -v /media/shaun/media/:/media:z \\
         docker.io/jellyfin/jellyfin:latest
        """

    @Test("the guide's own example command: rootless and labelled, but it has the traps the guide warns about")
    func guideExampleFindings() async throws {
        let folder = temporaryDirectory("guide")
        defer { try? FileManager.default.removeItem(at: folder) }
        let script = folder.appendingPathComponent("jellyfin.sh")
        try ("#!/bin/sh\n" + Self.guideExample + "\n").write(to: script, atomically: true, encoding: .utf8)
        let run = await audit([script.path])
        #expect(run.problems.isEmpty)
        let found = statuses(run)
        #expect(found["container.rootless"] == .pass, "rootless podman with --userns keep-id")
        #expect(found["container.private-labels"] == .pass, "config and cache carry :Z")
        #expect(found["container.client-ip"] == .fail, "slirp4netns without port_handler=slirp4netns hides client addresses")
        #expect(found["container.media-readonly"] == .fail, "the media mount has :z but no ro")
        #expect(found["proxy.direct-port-closed"] == .fail, "8096 is published on every interface")
        #expect(found["container.autoupdate"] == .fail, "no io.containers.autoupdate label in the example")
        #expect(found["container.least-privilege"] == .fail, "no no-new-privileges; /dev/dri alone would be fine")
        let leastPrivilege = try #require(run.report.controls.first { $0.id == "container.least-privilege" })
        #expect(leastPrivilege.findings.map(\.message) == ["no NoNewPrivileges (--security-opt no-new-privileges)"])
        #expect(leastPrivilege.findings.first?.location == FileLocation(path: script.path, line: 2))
    }

    @Test("Windows line endings (CRLF) read exactly like Unix ones: Quadlet, run script, Caddyfile, nftables, fail2ban")
    func windowsLineEndings() async throws {
        let folder = temporaryDirectory("crlf")
        defer { try? FileManager.default.removeItem(at: folder) }
        let spec = try DeploymentSpec(
            domain: "reels-7f3k.example.org", mediaPath: "/srv/media", configPath: "/srv/jellyfin/config",
            cachePath: "/srv/jellyfin/cache", allow: ["198.51.100.0/24"].compactMap(IPNetwork.init),
            lan: ["192.168.1.0/24"].compactMap(IPNetwork.init), cdn: nil)
        let unix = folder.appendingPathComponent("unix")
        _ = try DeploymentBundle(spec).write(to: unix, force: false)
        try ("#!/bin/sh\n" + Self.guideExample + "\n").write(
            to: unix.appendingPathComponent("jellyfin.sh"), atomically: true, encoding: .utf8)
        // The same files, every line ending in CR LF (as an editor on Windows saves them).
        let windows = folder.appendingPathComponent("windows")
        try FileManager.default.createDirectory(at: windows, withIntermediateDirectories: true)
        var converted = 0
        for name in try FileManager.default.subpathsOfDirectory(atPath: unix.path).sorted() {
            let source = unix.appendingPathComponent(name)
            let target = windows.appendingPathComponent(name)
            var isFolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: source.path, isDirectory: &isFolder)
            if isFolder.boolValue {
                try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
            } else {
                let text = try String(contentsOf: source, encoding: .utf8)
                try text.replacingOccurrences(of: "\n", with: "\r\n").write(to: target, atomically: true, encoding: .utf8)
                converted += 1
            }
        }
        #expect(converted >= 6)
        let unixRun = await audit([unix.path], allow: ["198.51.100.0/24"])
        let windowsRun = await audit([windows.path], allow: ["198.51.100.0/24"])
        #expect(windowsRun.problems.isEmpty, "\(windowsRun.problems)")
        #expect(unixRun.evidence.host.value?.files.count == windowsRun.evidence.host.value?.files.count)
        for id in Self.hostControls {
            let before = try #require(unixRun.report.controls.first { $0.id == id })
            let after = try #require(windowsRun.report.controls.first { $0.id == id })
            #expect(after.status == before.status, "\(id): \(after.status) with CRLF, \(before.status) with LF: \(after.summary)")
            #expect(after.findings.map(\.message) == before.findings.map(\.message), "\(id)")
            #expect(after.findings.map { $0.location?.line } == before.findings.map { $0.location?.line }, "\(id): lines")
        }
        #expect(statuses(windowsRun)["container.client-ip"] == .fail, "the run script was read, continuation lines and all")
    }

    @Test("a broken firewalld zone says what is wrong in words, with line and column")
    func brokenZone() async throws {
        let folder = temporaryDirectory("zone")
        defer { try? FileManager.default.removeItem(at: folder) }
        for (name, text, words, line) in [
            ("public.xml", "<?xml version=\"1.0\"?>\n<zone>\n  <service name=\"https\">\n</zone>\n", "an end tag does not match", 4),
            ("home.xml", "<?xml version=\"1.0\"?>\n<zone>\n  <description>films & series</description>\n</zone>\n", "'&amp;'", 3),
        ] {
            let path = folder.appendingPathComponent(name).path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let run = await audit([path])
            let problem = try #require(run.problems.first, "\(name) was not reported")
            #expect(problem.contains(path) && problem.contains("not well-formed XML") && problem.contains(words), "\(problem)")
            #expect(problem.contains("line \(line),"), "\(problem)")
            #expect(!problem.contains("NSXMLParserErrorDomain") && !problem.contains("error 29"), "\(problem)")
        }
    }

    @Test("a deployment path that cannot be read makes the run incomplete but still reports")
    func unreadable() async {
        let run = await audit(["/nonexistent/deployment"])
        #expect(run.problems == ["/nonexistent/deployment: no such file or folder"])
        #expect(statuses(run)["container.rootless"] == .unknown)
    }
}
