import Foundation
import JellyfinAPI
import JellyfinEmulator
import JellyfortBase
import JellyfortTestSupport
import Testing

/// A log folder holding `lines`, in today's file.
func logFolder(_ name: String, _ lines: String) throws -> URL {
    let folder = temporaryDirectory(name)
    let logs = folder.appendingPathComponent("log")
    try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
    try appendLog(lines, to: logs.appendingPathComponent("log_20261130.log"))
    return folder
}

@Suite("jellyfort watch from the command line")
struct WatchCLITests {
    @Test("--once --dry-run --format json prints one contract object per decision and bans nothing")
    func jsonContract() async throws {
        let lines = (1...6).map { jellyfinDenyLine("203.0.113.9", user: "user\($0)") }.joined() + jellyfinDenyLine("192.168.1.5")
        let folder = try logFolder("watch-json", lines)
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try await CLI.run([
            "watch", "--log-dir", folder.appendingPathComponent("log").path, "--once", "--dry-run", "--format", "json", "--lan-cidr",
            "192.168.1.0/24",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let objects = try result.stdout.split(separator: "\n").map { try JSONParser.parse(String($0)) }
        #expect(objects.map { $0["action"]?.stringValue } == ["alert", "ban"])
        for object in objects {
            #expect(Set(object.objectValue?.keys ?? []) == ["action", "ip", "reason", "failures", "users", "until", "backend"])
        }
        let ban = try #require(objects.last)
        #expect(ban["ip"]?.stringValue == "203.0.113.9")
        #expect(ban["failures"]?.intValue == 5)
        #expect(ban["backend"]?.stringValue == "dry-run")
        #expect(ban["users"]?.arrayValue?.count == 5)
        #expect(ban["until"]?.stringValue?.hasSuffix("Z") == true)
        // Dry run without --state: no state written anywhere in the folder.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["log"])
    }

    @Test("--stdin reads console lines (podman logs, journald) and says what it read")
    func standardInput() async throws {
        let line =
            "[10:00:00] [INF] [12] Jellyfin.Server.Implementations.Users.UserManager: Authentication request for bob has been denied (IP: 2001:db8::66)."
        let result = try await CLI.runShell(
            "for i in 1 2 3 4 5; do echo '\(line)'; done | \"$JELLYFORT\" watch --stdin --once --dry-run --max-retry 5")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("ban 2001:db8::66 until "), "\(result.stdout)")
        #expect(result.stderr.contains("read 5 lines, 5 refused sign-ins; 1 ban (dry run: nothing banned)"), "\(result.stderr)")
    }

    @Test("wrong flags are usage errors (64); a missing folder or a broken state stops with 2 and says what to do")
    func badInput() async throws {
        for (arguments, message) in [
            (["watch"], "give one source"), (["watch", "--stdin", "--log-dir", "/tmp"], "give one source"),
            (["watch", "--stdin", "--find-time", "ten minutes"], "--find-time takes a duration"),
            (["watch", "--stdin", "--lan-cidr", "192.168.1.0/33"], "is not an IP address or CIDR range"),
            (["watch", "--stdin", "--ban", "iptables"], "iptables"),
            (["watch", "--stdin", "--metrics-listen", "9818"], "--metrics-listen takes HOST:PORT"),
            (["watch", "--stdin", "--max-retry", "0"], "--max-retry takes 1 to 1000"),
        ] {
            let result = try await CLI.run(arguments)
            #expect(result.status == 64, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
        let missing = try await CLI.run(["watch", "--log-dir", "/nonexistent/jellyfin/log", "--once", "--dry-run"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("the log folder /nonexistent/jellyfin/log does not exist"), "\(missing.stderr)")
        let folder = try logFolder("watch-corrupt", jellyfinDenyLine("203.0.113.9"))
        defer { try? FileManager.default.removeItem(at: folder) }
        let state = folder.appendingPathComponent("state.sqlite")
        try Data(repeating: 0x42, count: 4096).write(to: state)
        let corrupt = try await CLI.run([
            "watch", "--log-dir", folder.appendingPathComponent("log").path, "--once", "--ban", "none", "--state", state.path,
        ])
        #expect(corrupt.status == 2)
        #expect(corrupt.stderr.contains("is not a readable Jellyfort state"), "\(corrupt.stderr)")
        #expect(try Data(contentsOf: state) == Data(repeating: 0x42, count: 4096), "the broken state is left as it was")
    }

    @Test("after SIGKILL it resumes: the lines read before are not counted again and the ban comes on the fifth")
    func resumesAfterKill() async throws {
        let folder = try logFolder("watch-kill", String(repeating: jellyfinDenyLine("203.0.113.9"), count: 3))
        defer { try? FileManager.default.removeItem(at: folder) }
        let logs = folder.appendingPathComponent("log")
        let state = folder.appendingPathComponent("state.sqlite").path
        let output = folder.appendingPathComponent("out")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["watch", "--log-dir", logs.path, "--ban", "none", "--state", state, "--format", "json"]
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait until the three lines are saved, then kill it without warning.
        var saved = false
        for _ in 0..<100 where !saved {
            try await Task.sleep(for: .milliseconds(100))
            let check = try await runTool("sqlite3", package: "sqlite3", [state, "SELECT record FROM addresses"])
            saved = check.output.components(separatedBy: "\"time\"").count - 1 == 3
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(saved, "the running watch saved its three failures")
        try appendLog(String(repeating: jellyfinDenyLine("203.0.113.9"), count: 2), to: logs.appendingPathComponent("log_20261130.log"))
        let second = try await CLI.run(["watch", "--log-dir", logs.path, "--once", "--ban", "none", "--state", state, "--format", "json"])
        #expect(second.status == 0, "\(second.stderr)")
        let decisions = second.stdout.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }
        #expect(decisions.map { $0["action"]?.stringValue } == ["ban"])
        #expect(decisions.first?["failures"]?.intValue == 5)
        let third = try await CLI.run(["watch", "--log-dir", logs.path, "--once", "--ban", "none", "--state", state, "--format", "json"])
        #expect(third.stdout.isEmpty, "nothing new, nothing decided: \(third.stdout)")
    }

    @Test("serves Prometheus metrics and POSTs each ban to --notify-url")
    func metricsAndNotices() async throws {
        let notices = try await ScriptedServer { _ in ScriptedServer.json("{}") }
        let folder = try logFolder("watch-metrics", "")
        defer { try? FileManager.default.removeItem(at: folder) }
        let logs = folder.appendingPathComponent("log")
        let port = freeLoopbackPort()
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = [
            "watch", "--log-dir", logs.path, "--ban", "none", "--state", folder.appendingPathComponent("s.sqlite").path,
            "--metrics-listen", "127.0.0.1:\(port)", "--notify-url", notices.url + "/jellyfort",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
        try appendLog(
            String(repeating: jellyfinDenyLine("203.0.113.9"), count: 5)
                + "[2026-11-30 10:00:00.000 +00:00] [INF] [3] Main: Startup complete\n",
            to: logs.appendingPathComponent("log_20261130.log"))
        var text = ""
        for _ in 0..<100 {
            try await Task.sleep(for: .milliseconds(100))
            let scrape = try await runTool("curl", package: "curl", ["-s", "-m", "2", "http://127.0.0.1:\(port)/metrics"])
            text = scrape.output
            if text.contains("jellyfort_watch_bans_issued_total{backend=\"none\"} 1"), !notices.requests.isEmpty { break }
        }
        #expect(text.contains("jellyfort_watch_lines_read_total 6"), "\(text)")
        #expect(text.contains("jellyfort_watch_deny_lines_total{kind=\"denied\"} 5"), "\(text)")
        #expect(text.contains("jellyfort_watch_bans_issued_total{backend=\"none\"} 1"), "\(text)")
        #expect(text.contains("jellyfort_watch_bans_active{backend=\"none\"} 1"), "\(text)")
        let notice = try #require(notices.requests.first)
        #expect(notice.method == "POST")
        #expect(notice.path == "/jellyfort")
        let body = try JSONParser.parse(notice.body)
        #expect(body["action"]?.stringValue == "ban")
        #expect(body["ip"]?.stringValue == "203.0.113.9")
        #expect(body["title"]?.stringValue == "Jellyfort: ban 203.0.113.9")
        await notices.stop()
    }
}

@Suite("The deploy bundle's jellyfort-watch.service")
struct WatchUnitTests {
    @Test("its ExecStart is a command watch accepts; run on a log, it bans; the audit counts it as a working ban")
    func unitRuns() async throws {
        let folder = temporaryDirectory("watch-unit")
        defer { try? FileManager.default.removeItem(at: folder) }
        let bundle = folder.appendingPathComponent("bundle")
        let deploy = try await CLI.run([
            "deploy", "--domain", "reels-7f3k.example.org", "--media", "/srv/media", "--config-dir",
            folder.appendingPathComponent("config").path,
            "--lan-cidr", "192.168.1.0/24", "--user", "root", "--out", bundle.path,
        ])
        #expect(deploy.status == 0, "\(deploy.stderr)")
        let unit = try String(contentsOf: bundle.appendingPathComponent("jellyfort-watch.service"), encoding: .utf8)
        let execStart = try #require(unit.split(separator: "\n").first { $0.hasPrefix("ExecStart=") })
        var arguments = execStart.dropFirst("ExecStart=".count).split(separator: " ").map(String.init)
        #expect(arguments.first == "/usr/local/bin/jellyfort")
        arguments.removeFirst()
        #expect(arguments.contains("--lan-cidr") && arguments.contains("192.168.1.0/24") && arguments.contains("--proxy"))
        // The unit's own arguments, with the state and the backend made harmless for a test.
        let logs = folder.appendingPathComponent("config/log")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        try appendLog(String(repeating: jellyfinDenyLine("203.0.113.9"), count: 5), to: logs.appendingPathComponent("log_20261130.log"))
        if let state = arguments.firstIndex(of: "--state") { arguments[state + 1] = folder.appendingPathComponent("state.sqlite").path }
        let run = try await CLI.run(arguments + ["--once", "--dry-run", "--format", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains(#""action":"ban""#) && run.stdout.contains("203.0.113.9"), "\(run.stdout)")

        let audit = try await CLI.run(["audit", "--deployment", bundle.path, "--only", "auth.brute-force-ban", "--format", "json"])
        let report = try JSONParser.parse(audit.stdout)
        let control = report["controls"]?.arrayValue?.first { $0["id"]?.stringValue == "auth.brute-force-ban" }
        #expect(control?["status"]?.stringValue == "pass", "\(audit.stdout)")
        // The same unit with --dry-run bans nobody, and the audit says so.
        try unit.replacingOccurrences(of: " --ban nftables", with: " --ban nftables --dry-run")
            .write(to: bundle.appendingPathComponent("jellyfort-watch.service"), atomically: true, encoding: .utf8)
        for name in ["fail2ban", "crowdsec"] { try FileManager.default.removeItem(at: bundle.appendingPathComponent(name)) }
        let dry = try await CLI.run(["audit", "--deployment", bundle.path, "--only", "auth.brute-force-ban", "--format", "json"])
        let dryControl = try JSONParser.parse(dry.stdout)["controls"]?.arrayValue?.first { $0["id"]?.stringValue == "auth.brute-force-ban" }
        #expect(dryControl?["status"]?.stringValue == "fail", "\(dry.stdout)")
        #expect(dry.stdout.contains("decides but bans nobody"))
    }
}

@Suite("jellyfort watch --server")
struct WatchServerTests {
    @Test("a new administrator and a control that passed and now fails become alerts, run after run from cron")
    func drift() async throws {
        try await withEmulator("hardened") { fixture in
            let folder = temporaryDirectory("watch-server")
            defer { try? FileManager.default.removeItem(at: folder) }
            let key = try CLI.secretFile(try #require(fixture.scenario.apiKeys.first).token)
            let arguments = [
                "watch", "--stdin", "--once", "--ban", "none", "--state", folder.appendingPathComponent("state.sqlite").path, "--format",
                "json", "--server", fixture.emulator.url, "--api-key-file", key,
            ]
            let first = try await CLI.run(arguments)
            #expect(first.status == 0, "\(first.stderr)")
            #expect(first.stdout.isEmpty, "the first run only records what it sees: \(first.stdout)")
            // Someone makes an administrator and lets it delete media.
            let client = try fixture.client()
            let mallory = try await client.createUser(name: "mallory", password: Secret("Quiet-Owl-Lantern-42"))
            var policy = mallory.policy
            policy.isAdministrator = true
            policy.enableContentDeletion = true
            try await client.updatePolicy(userId: mallory.id, policy)
            await client.shutdown()
            let second = try await CLI.run(arguments)
            #expect(second.status == 0, "\(second.stderr)")
            let alerts = second.stdout.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }
            let reasons = alerts.compactMap { $0["reason"]?.stringValue }
            #expect(reasons.contains { $0.hasPrefix("a new administrator appeared on the server: mallory") }, "\(reasons)")
            #expect(reasons.contains { $0.contains("passed and now fails") }, "\(reasons)")
            #expect(alerts.allSatisfy { $0["action"]?.stringValue == "alert" && $0["backend"]?.stringValue == "server" })
            let third = try await CLI.run(arguments)
            #expect(third.stdout.isEmpty, "said once, not at every run: \(third.stdout)")
        }
    }
}

@Suite("jellyfort watch on a full disk")
struct WatchFullDiskTests {
    @Test("a full disk for the state stops it with a clear message; once there is space, nothing was lost")
    func fullDisk() async throws {
        guard getuid() == 0 else {
            Issue.record("this test mounts a small tmpfs for the state: run it as root (CI does)")
            return
        }
        let folder = try logFolder("watch-full", String(repeating: jellyfinDenyLine("203.0.113.9"), count: 5))
        let disk = folder.appendingPathComponent("disk")
        try FileManager.default.createDirectory(at: disk, withIntermediateDirectories: true)
        let mounted = try await runTool("mount", package: "mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", disk.path])
        try #require(mounted.status == 0, "cannot mount a small tmpfs for the full-disk state: \(mounted.output)")
        defer {
            _ = try? Process.run(URL(fileURLWithPath: "/usr/bin/umount"), arguments: [disk.path]).waitUntilExit()
            try? FileManager.default.removeItem(at: folder)
        }
        let state = disk.appendingPathComponent("state.sqlite").path
        let arguments = [
            "watch", "--log-dir", folder.appendingPathComponent("log").path, "--once", "--ban", "none", "--state", state, "--format",
            "json",
        ]
        // Create the state, then fill the disk.
        let empty = try logFolder("watch-full-empty", "")
        defer { try? FileManager.default.removeItem(at: empty) }
        #expect(
            try await CLI.run(["watch", "--log-dir", empty.appendingPathComponent("log").path, "--once", "--ban", "none", "--state", state])
                .status == 0)
        let filler = disk.appendingPathComponent("filler")
        _ = try await runTool("dd", package: "coreutils", ["if=/dev/zero", "of=\(filler.path)", "bs=4k", "count=1000"])
        let full = try await CLI.run(arguments)
        #expect(full.status == 2, "\(full.stdout) \(full.stderr)")
        #expect(full.stderr.contains("free some space") || full.stderr.contains("cannot write the state"), "\(full.stderr)")
        try FileManager.default.removeItem(at: filler)
        let again = try await CLI.run(arguments)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains(#""action":"ban""#) && again.stdout.contains(#""failures":5"#), "nothing lost: \(again.stdout)")
    }
}

@Suite("jellyfort watch: waiting for the log, and its settings file")
struct WatchStartTests {
    @Test("a log folder that does not exist yet is waited for, then read as soon as Jellyfin writes it")
    func waitsForFolder() async throws {
        let folder = temporaryDirectory("watch-wait")
        defer { try? FileManager.default.removeItem(at: folder) }
        let logs = folder.appendingPathComponent("log")
        let output = folder.appendingPathComponent("out")
        let errors = folder.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["watch", "--log-dir", logs.path, "--dry-run", "--format", "json"]
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        defer {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try await Task.sleep(for: .milliseconds(500))
        #expect(process.isRunning, "it waits instead of failing")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        try appendLog(String(repeating: jellyfinDenyLine("203.0.113.9"), count: 5), to: logs.appendingPathComponent("log_20261130.log"))
        var text = ""
        for _ in 0..<50 where !text.contains(#""action":"ban""#) {
            try await Task.sleep(for: .milliseconds(100))
            text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        }
        #expect(text.contains(#""action":"ban""#), "\(text)")
        let warned = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
        #expect(warned.contains("does not exist (yet); waiting for Jellyfin to create it"), "\(warned)")
    }

    @Test("--config gives the LAN and the allow-list, as it does for audit")
    func configFile() async throws {
        let folder = try logFolder(
            "watch-config",
            String(repeating: jellyfinDenyLine("192.168.1.20"), count: 5) + String(repeating: jellyfinDenyLine("198.51.100.4"), count: 5))
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("jellyfort.yml")
        try "lanCidr: [192.168.1.0/24]\nallow: [198.51.100.0/24]\n".write(to: config, atomically: true, encoding: .utf8)
        let result = try await CLI.run([
            "watch", "--log-dir", folder.appendingPathComponent("log").path, "--once", "--dry-run", "--config", config.path,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stdout.contains("ban "), "\(result.stdout)")
        #expect(result.stdout.contains("not banned: the LAN (--lan-cidr 192.168.1.0/24)"), "\(result.stdout)")
        #expect(result.stdout.contains("not banned: allow-listed (--allow 198.51.100.0/24)"), "\(result.stdout)")
    }
}
