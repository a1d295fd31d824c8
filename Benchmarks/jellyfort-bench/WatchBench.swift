import Foundation
import JellyfortDeploy

/// `jellyfort watch` figures: lines per second against fail2ban-regex and grep on the same log,
/// peak memory at several log sizes, and the time from a deny line appended to the nftables
/// element present.
enum WatchBench {
    /// A log in Jellyfin's file format: `lines` lines, 5% of them refused sign-ins from 1,000
    /// addresses of the benchmarking range (198.18.0.0/15), the rest the chatter a server writes.
    static func makeLog(lines: Int, path: String) throws {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss.SSS xxx"
        let start = Date().addingTimeInterval(-Double(lines) / 1000)
        let chatter = [
            "[INF] [12] Emby.Server.Implementations.Session.SessionManager: Playback stopped reported by app \"Jellyfin Web\" playing \"Episode 4\".",
            "[INF] [31] Jellyfin.Api.Helpers.MediaInfoHelper: User policy for alice. EnablePlaybackRemuxing: True",
            "[INF] [7] Emby.Server.Implementations.ScheduledTasks.TaskManager: Scan Media Library Completed after 0 minute(s)",
            "[WRN] [44] Jellyfin.Api.Middleware.ResponseTimeMiddleware: Slow HTTP Response from http://127.0.0.1:8096/Items to 10.0.0.5 in 0:00:01.2 with Status Code 200",
            "[INF] [9] Jellyfin.Server.Implementations.Users.UserManager: Authentication request for \"alice\" has succeeded.",
        ]
        var buffer = ""
        buffer.reserveCapacity(1 << 20)
        var random: UInt64 = 0x9E37_79B9_7F4A_7C15
        for index in 0..<lines {
            random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let stamp = formatter.string(from: start.addingTimeInterval(Double(index) / 1000))
            if random >> 33 % 100 < 5 {
                let address = Int(random >> 40) % 1000
                buffer +=
                    "[\(stamp)] [INF] [50] Jellyfin.Server.Implementations.Users.UserManager: Authentication request for "
                    + "\"user\(address % 37)\" has been denied (IP: \"198.18.\(address / 250).\(address % 250 + 1)\").\n"
            } else {
                buffer += "[\(stamp)] " + chatter[Int(random >> 50) % chatter.count] + "\n"
            }
            if buffer.utf8.count > 1 << 20 {
                handle.write(Data(buffer.utf8))
                buffer.removeAll(keepingCapacity: true)
            }
        }
        handle.write(Data(buffer.utf8))
    }

    struct Measured {
        var seconds: Double
        var peakMegabytes: Double
        var status: Int32
    }

    /// Runs a program to its end, its output into a scratch file (GNU grep stops at the first
    /// match when its output is /dev/null); wall time and its own peak memory. The peak is read
    /// from /proc (VmHWM of its own memory) while it runs: wait4's ru_maxrss would count this
    /// process's memory too, because posix_spawn's child starts in the parent's address space.
    static func measure(_ program: String, _ arguments: [String]) -> Measured {
        var pid: pid_t = 0
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("jellyfort-bench-out-\(getpid())").path
        defer { unlink(output) }
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        let started = ContinuousClock.now
        guard posix_spawnp(&pid, program, &actions, nil, argv, environ) == 0 else {
            return Measured(seconds: 0, peakMegabytes: 0, status: -1)
        }
        var status: Int32 = 0
        var peak = 0.0
        while waitpid(pid, &status, WNOHANG) == 0 {
            if let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
                let kilobytes = Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
            {
                peak = max(peak, kilobytes / 1024)
            }
            usleep(2000)
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Measured(seconds: seconds, peakMegabytes: peak, status: (status >> 8) & 0xFF)
    }

    /// Lines per second and peak memory for watch, fail2ban-regex and grep -c over one log.
    static func throughput(lines: Int, jellyfort: String) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("jellyfort-bench-watch-\(getpid())")
        let logs = folder.appendingPathComponent("log")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let log = logs.appendingPathComponent("log_20261130.log").path
        try makeLog(lines: lines, path: log)
        let filter = folder.appendingPathComponent("jellyfin.conf")
        try BanFilterRenderer.filter().write(to: filter, atomically: true, encoding: .utf8)
        let size = Double((try? FileManager.default.attributesOfItem(atPath: log)[.size] as? Int) ?? 0) / 1e6
        print(String(format: "watch over %d lines (%.0f MB, 5%% refused sign-ins from 1,000 addresses):", lines, size))
        let runs: [(String, String, [String])] = [
            ("jellyfort watch --once --dry-run", jellyfort, ["watch", "--log-dir", logs.path, "--once", "--dry-run", "--format", "json"]),
            ("fail2ban-regex (the bundle's filter)", "fail2ban-regex", [log, filter.path]),
            ("grep -c 'has been denied'", "grep", ["-c", "has been denied", log]),
        ]
        var rates: [Double] = []
        for (name, program, arguments) in runs {
            // Best of three for the fast ones; fail2ban-regex once (it takes minutes on a large log).
            let repeats = program == "fail2ban-regex" ? 1 : 3
            let best = (0..<repeats).map { _ in measure(program, arguments) }.min { $0.seconds < $1.seconds }
            guard let best, best.status == 0 || (program == "grep" && best.status == 1) else {
                print("  \(name): did not run (is it installed?)")
                rates.append(0)
                continue
            }
            let rate = Double(lines) / best.seconds
            rates.append(rate)
            print(
                String(
                    format: "  %@ %7.3f s  %11.0f lines/s  peak %6.1f MB",
                    name.padding(toLength: 40, withPad: " ", startingAt: 0) as NSString, best.seconds, rate, best.peakMegabytes))
        }
        if rates[0] > 0, rates[1] > 0, rates[2] > 0 {
            print(
                String(
                    format: "  watch reads %.0f× as fast as fail2ban-regex; grep -c is %.1f× as fast as watch", rates[0] / rates[1],
                    rates[2] / rates[0]))
        }
    }

    /// Appends five deny lines for a new address, then waits until the running watch has the
    /// address in the nftables set; `count` times. Needs root: it all happens in a network
    /// namespace of its own, so the host's firewall is not touched.
    static func banLatency(count: Int, jellyfort: String) async throws {
        guard getuid() == 0 else {
            print("ban-latency: needs root (it makes a network namespace for its nftables table)")
            return
        }
        let namespace = "jfbench\(getpid() % 10000)"
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("jellyfort-bench-latency-\(getpid())")
        let logs = folder.appendingPathComponent("log")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        _ = measure("ip", ["netns", "add", namespace])
        _ = measure("ip", ["-n", namespace, "link", "set", "lo", "up"])
        defer {
            _ = measure("ip", ["netns", "del", namespace])
            try? FileManager.default.removeItem(at: folder)
        }
        let log = logs.appendingPathComponent("log_20261130.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let watch = Process()
        watch.executableURL = URL(fileURLWithPath: "/usr/bin/ip")
        watch.arguments = [
            "netns", "exec", namespace, jellyfort, "watch", "--log-dir", logs.path, "--ban", "nftables", "--state",
            folder.appendingPathComponent("state.sqlite").path,
        ]
        watch.standardOutput = FileHandle.nullDevice
        watch.standardError = FileHandle.nullDevice
        try watch.run()
        defer {
            kill(watch.processIdentifier, SIGKILL)
            watch.waitUntilExit()
        }
        // Wait for the table.
        for _ in 0..<100 {
            if measure("ip", ["netns", "exec", namespace, "nft", "list", "set", "inet", "jellyfort", "banned4"]).status == 0 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss.SSS xxx"
        var latencies: [Double] = []
        for index in 0..<count {
            let address = "198.18.\(index / 250).\(index % 250 + 1)"
            let stamp = formatter.string(from: Date())
            let line =
                "[\(stamp)] [INF] [50] Jellyfin.Server.Implementations.Users.UserManager: Authentication request for \"bob\" "
                + "has been denied (IP: \"\(address)\").\n"
            try handle.seekToEnd()
            handle.write(Data(String(repeating: line, count: 4).utf8))
            try await Task.sleep(for: .milliseconds(Int.random(in: 60...120)))  // not in step with watch's polling
            let started = ContinuousClock.now
            handle.write(Data(line.utf8))
            while true {
                let probe = measure(
                    "ip", ["netns", "exec", namespace, "nft", "get", "element", "inet", "jellyfort", "banned4", "{ \(address) }"])
                if probe.status == 0 { break }
                if ContinuousClock.now - started > .seconds(5) { break }
            }
            let elapsed = ContinuousClock.now - started
            latencies.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
        }
        latencies.sort()
        func percentile(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
        print(
            String(
                format: "ban latency over %d bans (deny line appended → nft element present, through the running CLI): "
                    + "median %.0f ms, p90 %.0f ms, p99 %.0f ms, max %.0f ms",
                count, percentile(0.5), percentile(0.9), percentile(0.99), latencies.last ?? 0))
        print("  (each check spawns nft, about 3 ms, so these are upper bounds)")
    }
}
