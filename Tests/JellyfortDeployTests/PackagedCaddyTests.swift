import Foundation
import JellyfortBase
import JellyfortDeploy
import JellyfortTestSupport
import Testing

/// The bundle's Caddyfile, unchanged, started the way Debian's caddy.service starts it: as the
/// `caddy` user with only CAP_NET_BIND_SERVICE, `caddy run --environ --config FILE`, then
/// reloaded the way `systemctl reload caddy` does. It runs in a network namespace of its own, so
/// its ports 80 and 443 and its certificate requests reach nothing outside the test.
@Suite("the bundle's Caddyfile under Debian's packaged service settings")
struct PackagedCaddyTests {
    static func shell(_ arguments: [String]) async throws -> ToolResult {
        try await runTool("ip", package: "iproute2", arguments)
    }

    @Test("starts as the caddy user and reloads through its admin API", .timeLimit(.minutes(2)))
    func startsAndReloads() async throws {
        guard getuid() == 0 else {
            Issue.record("this test starts Caddy as the caddy user in a network namespace: run it as root (CI does)")
            return
        }
        // getpwnam_r: getpwnam's static record is overwritten by any other lookup in this process
        // (tests run in parallel), which once gave the caddy home to root.
        var record = passwd()
        var storage = [CChar](repeating: 0, count: 4096)
        var found: UnsafeMutablePointer<passwd>?
        guard getpwnam_r("caddy", &record, &storage, storage.count, &found) == 0, found != nil else {
            Issue.record("no caddy user: scripts/test installs Debian's caddy package, which creates it")
            return
        }
        let folder = temporaryDirectory("packaged-caddy")
        defer { try? FileManager.default.removeItem(at: folder) }
        chmod(folder.path, 0o755)
        let spec = try DeploymentSpec(
            domain: "reels-7f3k.example.org", mediaPath: "/srv/media", configPath: "/srv/jellyfin/config", cachePath: "/srv/jellyfin/cache",
            lan: ["192.168.1.0/24"].compactMap(IPNetwork.init), owner: DeploymentOwner(name: "mira", home: "/home/mira"))
        let bundle = folder.appendingPathComponent("bundle")
        _ = try DeploymentBundle(spec).write(to: bundle, force: false)
        chmod(bundle.path, 0o755)
        // Caddy's data and config folders, owned by caddy (the package uses /var/lib/caddy).
        let home = folder.appendingPathComponent("caddy-home")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        #expect(chown(home.path, record.pw_uid, record.pw_gid) == 0, "cannot give the caddy home to caddy")

        let namespace = "jellyfort-\(UInt32.random(in: 0...UInt32.max))"
        let added = try await Self.shell(["netns", "add", namespace])
        #expect(added.status == 0, "cannot create a network namespace: \(added.output)")
        guard added.status == 0 else { return }
        defer { _ = try? Process.run(URL(fileURLWithPath: "/usr/bin/ip"), arguments: ["netns", "del", namespace]).waitUntilExit() }
        _ = try await Self.shell(["netns", "exec", namespace, "ip", "link", "set", "lo", "up"])

        let asCaddy = [
            "netns", "exec", namespace, "setpriv", "--reuid", "caddy", "--regid", "caddy", "--init-groups",
            "--inh-caps", "+net_bind_service", "--ambient-caps", "+net_bind_service",
            "env", "-i", "HOME=\(home.path)", "PATH=/usr/bin:/bin",
        ]
        let config = bundle.appendingPathComponent("Caddyfile").path
        let log = folder.appendingPathComponent("caddy.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let caddy = Process()
        caddy.executableURL = URL(fileURLWithPath: "/usr/bin/ip")
        caddy.arguments = asCaddy + ["caddy", "run", "--environ", "--config", config]
        caddy.standardOutput = try FileHandle(forWritingTo: log)
        caddy.standardError = try FileHandle(forWritingTo: log)
        try caddy.run()
        defer {
            caddy.terminate()
            caddy.waitUntilExit()
        }

        var admin = ""
        for _ in 0..<40 {
            try await Task.sleep(for: .milliseconds(250))
            admin = try await Self.shell([
                "netns", "exec", namespace, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://localhost:2019/config/",
            ]).output
            if admin == "200" || !caddy.isRunning { break }
        }
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(caddy.isRunning, "Caddy did not stay up as the caddy user: \(output.suffix(1500))")
        #expect(admin == "200", "the admin API that systemctl reload caddy uses did not answer: \(output.suffix(1500))")

        let reload = try await Self.shell(
            asCaddy.filter { !$0.hasPrefix("+net") && $0 != "--inh-caps" && $0 != "--ambient-caps" } + [
                "caddy", "reload", "--config", config, "--force",
            ])
        #expect(reload.status == 0, "systemctl reload caddy would fail: \(reload.output.suffix(1500))")
        #expect(caddy.isRunning)
    }
}
