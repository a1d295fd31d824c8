import Foundation
import JellyfinAPI
import JellyfortAudit
import JellyfortCore
import JellyfortHarden
import JellyfortHost

/// Speed and memory figures, printed, never asserted: `swift run -c release jellyfort-bench`.
///
/// The emulator runs as its own process (`jellyfort-emulator`, built beside this binary), so the
/// peak memory reported here is the client's alone.
@main
struct Bench {
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let which = arguments.first ?? "fetch"
        let users = arguments.dropFirst().first.flatMap(Int.init) ?? 10_000
        if which == "decode", let path = arguments.dropFirst().first {
            decode(path)
            return
        }
        if which == "read" {
            readers()
            return
        }
        let jellyfort = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("jellyfort").path
        if which == "watch" {
            do {
                for size in arguments.dropFirst().compactMap(Int.init).isEmpty ? [1_000_000] : arguments.dropFirst().compactMap(Int.init) {
                    try WatchBench.throughput(lines: size, jellyfort: jellyfort)
                }
            } catch {
                print("watch: \(error)")
            }
            return
        }
        if which == "ban-latency" {
            do { try await WatchBench.banLatency(count: users == 10_000 ? 1000 : users, jellyfort: jellyfort) } catch {
                print("ban-latency: \(error)")
            }
            return
        }
        guard ["fetch", "audit", "audit-visible", "harden"].contains(which) else {
            FileHandle.standardError.write(
                Data(
                    "usage: jellyfort-bench fetch|audit|audit-visible|harden [USERS] | read | watch [LINES ...] | ban-latency [BANS]\n".utf8
                ))
            exit(64)
        }
        do {
            // audit-visible: every user on the login screen, so /Users/Public is as long as /Users.
            let emulator = try EmulatorProcess(generatedUsers: users, visible: which == "audit-visible")
            defer { emulator.stop() }
            print("jellyfort-bench \(which): emulator with \(users) generated users at \(emulator.url)")
            if which == "fetch" {
                try await usersFetch(url: emulator.url, expected: users)
            } else if which == "harden" {
                try await harden(url: emulator.url, expected: users)
            } else {
                try await audit(url: emulator.url, expected: users, visible: which == "audit-visible")
            }
        } catch {
            FileHandle.standardError.write(Data("jellyfort-bench: \(error)\n".utf8))
            exit(1)
        }
    }

    /// `GET /Users` fetched and decoded into `UserDto`s (targets: under 200 ms, under 100 MB).
    static func usersFetch(url: String, expected: Int) async throws {
        var configuration = JellyfinClientConfiguration(server: try ServerAddress(url), credential: .apiKey(Secret(EmulatorProcess.apiKey)))
        configuration.identity = ClientIdentity(device: "bench", deviceId: "bench")
        let client = try JellyfinClient(configuration: configuration)
        let baseline = PeakMemory.residentMegabytes()
        var timings: [Double] = []
        var count = 0
        for _ in 0..<7 {
            let started = ContinuousClock.now
            let users = try await client.users()
            timings.append((ContinuousClock.now - started).milliseconds)
            count = users.count
        }
        await client.shutdown()
        guard count >= expected else { throw BenchError("expected \(expected) users, got \(count)") }
        let sorted = timings.sorted()
        print(
            String(
                format: "GET /Users, %d users: median %.1f ms, best %.1f ms, worst %.1f ms (7 runs, first included)", count, sorted[3],
                sorted[0], sorted[6]))
        print(
            String(
                format: "peak memory of the client process: %.1f MB (%.1f MB before the first fetch)", PeakMemory.peakMegabytes(), baseline)
        )
        print("requests: \(client.requestCount) for 7 fetches")
    }
}

extension Bench {
    /// Plan and apply on every user (target: under 5 s for 1,000 users, bounded concurrency).
    static func harden(url: String, expected: Int) async throws {
        var configuration = JellyfinClientConfiguration(server: try ServerAddress(url), credential: .apiKey(Secret(EmulatorProcess.apiKey)))
        configuration.identity = ClientIdentity(device: "bench", deviceId: "bench")
        let client = try JellyfinClient(configuration: configuration)
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("jellyfort-bench-state-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: state) }
        var options = HardenOptions()
        options.lanCIDRs = ["192.168.1.0/24"]
        let started = ContinuousClock.now
        let plan = try await HardenPlanner(client: client, options: options).plan()
        let planned = ContinuousClock.now
        let executor = HardenExecutor(client: client, store: RunStore(root: state))
        let outcome = try await executor.apply(plan)
        let applied = ContinuousClock.now
        let again = try await HardenPlanner(client: client, options: options).plan()
        await client.shutdown()
        guard outcome.failures.isEmpty, again.changes.isEmpty else {
            throw BenchError("harden incomplete: \(outcome.failures.prefix(3)), \(again.changes.count) changes left")
        }
        print(
            String(
                format: "harden %d users: plan %.0f ms, apply %d writes %.0f ms, total %.2f s (concurrency %d)",
                expected, (planned - started).milliseconds, plan.operations.count, (applied - planned).milliseconds,
                (applied - started).milliseconds / 1000, executor.concurrency))
        print("HTTP requests: \(client.requestCount) in all (plan, apply and a second plan that found nothing)")
        print(String(format: "peak memory: %.1f MB", PeakMemory.peakMegabytes()))
    }

    /// Parsing and decoding alone, from a saved `GET /Users` answer: the client's share of a fetch.
    static func decode(_ path: String) {
        guard let data = FileManager.default.contents(atPath: path) else {
            print("cannot read \(path)")
            return
        }
        let bytes = Array(data)
        for _ in 0..<5 {
            let started = ContinuousClock.now
            let value = try! JSONParser.parse(bytes)
            let parsed = ContinuousClock.now
            let users = value.arrayValue!.map { try! UserDto(json: $0.objectValue!) }
            let decoded = ContinuousClock.now
            print(
                String(
                    format: "%d users, %.1f MB: parse %.1f ms, models %.1f ms", users.count, Double(bytes.count) / 1e6,
                    (parsed - started).milliseconds, (decoded - parsed).milliseconds))
        }
        print(String(format: "peak memory: %.1f MB", PeakMemory.peakMegabytes()))
    }

    /// A whole audit (targets: under 1 s, under 200 MB, requests not growing with users).
    static func audit(url: String, expected: Int, visible: Bool = false) async throws {
        var timings: [Double] = []
        var requests: [Int] = []
        for _ in 0..<5 {
            var configuration = JellyfinClientConfiguration(
                server: try ServerAddress(url), credential: .apiKey(Secret(EmulatorProcess.apiKey)))
            configuration.identity = ClientIdentity(device: "bench", deviceId: "bench")
            let client = try JellyfinClient(configuration: configuration)
            let started = ContinuousClock.now
            let run = await AuditRunner().run(client: client, settings: AuditSettings())
            timings.append((ContinuousClock.now - started).milliseconds)
            requests.append(client.requestCount)
            await client.shutdown()
            guard run.problems.isEmpty, run.report.controls.count == 37 else { throw BenchError("audit incomplete: \(run.problems)") }
            guard run.evidence.api.value?.users.count ?? 0 >= expected else { throw BenchError("the audit saw too few users") }
        }
        let sorted = timings.sorted()
        let shown = visible ? " (all on the login screen)" : ""
        print(
            "audit of \(expected) users\(shown): "
                + String(format: "median %.1f ms, best %.1f ms, worst %.1f ms (5 runs)", sorted[2], sorted[0], sorted[4]))
        print(String(format: "peak memory of the auditing process: %.1f MB", PeakMemory.peakMegabytes()))
        print("HTTP requests per audit: \(Set(requests).sorted().map(String.init).joined(separator: ", "))")
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension Duration {
    var milliseconds: Double { Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15 }
}

enum PeakMemory {
    /// VmHWM: the most resident memory this process has used.
    static func peakMegabytes() -> Double { field("VmHWM") }
    static func residentMegabytes() -> Double { field("VmRSS") }

    private static func field(_ name: String) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
        for line in status.split(separator: "\n") where line.hasPrefix(name + ":") {
            let kilobytes = line.split(separator: " ").compactMap { Double($0) }.first ?? -1
            return kilobytes / 1024
        }
        return -1
    }
}

/// `jellyfort-emulator` with a generated scenario, on a free loopback port.
final class EmulatorProcess {
    static let apiKey = "b3c4d5e6f7a84b9c8d7e6f5a4b3c2d1e"
    let process = Process()
    let url: String
    let folder: URL

    init(generatedUsers: Int, visible: Bool = false) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("jellyfort-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let scenario = folder.appendingPathComponent("bench.json")
        let text = """
            {"summary": "benchmark", "version": "10.11.11", "generatedUsers": \(generatedUsers),\(visible ? #" "extraPolicyFields": {"IsHidden": false},"# : "")
             "users": [{"name": "bench-admin", "password": "bench-admin-passphrase", "admin": true}],
             "apiKeys": [{"app": "bench", "token": "\(Self.apiKey)"}]}
            """
        try text.write(to: scenario, atomically: true, encoding: .utf8)
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("jellyfort-emulator")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw BenchError("\(binary.path) is missing: build it first (swift build -c release --product jellyfort-emulator)")
        }
        process.executableURL = binary
        process.arguments = ["--scenario", scenario.path, "--port", "0", "--quiet"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        var collected = Data()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            collected.append(chunk)
            if let text = String(data: collected, encoding: .utf8),
                let range = text.range(of: #"http://127\.0\.0\.1:\d+"#, options: .regularExpression)
            {
                url = String(text[range])
                return
            }
        }
        process.terminate()
        throw BenchError("the emulator did not start: \(String(decoding: collected, as: UTF8.self))")
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: folder)
    }
}

extension Bench {
    /// Reading time of each kind of deployment file at 1×, 10× and 100× a realistic size: the
    /// figures show whether a reader grows linearly (10× the input, about 10× the time).
    static func readers() {
        let unit = """
            [Container]
            Image=docker.io/jellyfin/jellyfin:latest
            Volume=%h/.local/share/jellyfin/config:/config:Z
            Volume=/srv/media:/media:ro,Z
            PublishPort=127.0.0.1:8096:8096

            """
        let kinds: [(name: String, head: String, body: String, tail: String)] = [
            ("jellyfin.container", "[Unit]\nDescription=Jellyfin\n", unit, ""),
            (
                "jellyfin-run.sh", "#!/bin/sh\npodman run \\\n", "  --volume /srv/media:/media:ro,Z -e TZ=Europe/Paris \\\n",
                "  docker.io/jellyfin/jellyfin\n"
            ),
            (
                "docker-compose.yml", "services:\n  jellyfin:\n    image: jellyfin/jellyfin\n    environment:\n",
                "      - TZ=Europe/Paris\n", ""
            ),
            ("Caddyfile", "a.example.org {\n", "\theader X-Frame-Options SAMEORIGIN\n\treverse_proxy 127.0.0.1:8096\n", "}\n"),
            (
                "jellyfort.nft", "table inet filter {\n  chain input {\n    type filter hook input priority 0; policy drop;\n",
                "    tcp dport 443 ip saddr 198.51.100.0/24 accept\n", "  }\n}\n"
            ),
            ("public.xml", "<zone>", "<rule><source address=\"198.51.100.0/24\"/><service name=\"https\"/><accept/></rule>", "</zone>"),
            (
                "jail.local", "[DEFAULT]\nbantime = 1h\n", "[sshd]\nenabled = true\n",
                "[jellyfin]\nenabled = true\nfilter = jellyfin\nlogpath = /config/log/log_*.log\n"
            ),
        ]
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("jellyfort-bench-read-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for kind in kinds {
            var figures: [String] = []
            for factor in [1, 10, 100] {
                // A realistic file has about 50 lines of body; 100× stays under the 1 MiB limit.
                let text = kind.head + String(repeating: kind.body, count: 50 * factor) + kind.tail
                let path = folder.appendingPathComponent(kind.name).path
                try? text.write(toFile: path, atomically: true, encoding: .utf8)
                var best = Double.infinity
                for _ in 0..<5 {
                    let started = ContinuousClock.now
                    _ = DeploymentReader().read([path])
                    best = min(best, (ContinuousClock.now - started).milliseconds)
                }
                figures.append(String(format: "%d× (%d KB) %.2f ms", factor, text.utf8.count / 1024, best))
            }
            print("read \(kind.name): " + figures.joined(separator: ", "))
        }
    }
}
