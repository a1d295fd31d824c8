import Foundation
import JellyfinAPI
import JellyfinEmulator
import JellyfortDeploy
import JellyfortTestSupport
import Synchronization
import Testing

/// The fail2ban filter against deny lines the emulator really writes, in both of Jellyfin's log
/// formats, checked by fail2ban-regex.
@Suite("Ban filter against Jellyfin's log lines")
struct BanFilterTests {
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    /// Provokes every deny outcome (and a success) against the emulator; returns the log folder
    /// (file format) and the console lines.
    func provoke() async throws -> (folder: URL, console: [String]) {
        // Jellyfin's layout: <config>/log/log_YYYYMMDD.log.
        let folder = temporaryDirectory("jf-config").appendingPathComponent("log")
        let console = Lines()
        var scenario = try Scenario.load("hardened")
        scenario.devices = []
        scenario.users[1].policy["AccessSchedules"] = [["DayOfWeek": "Everyday", "StartHour": 0, "EndHour": 0]]
        let emulator = try await JellyfinEmulator.start(scenario: scenario, logDirectory: folder, console: { console.append($0) })
        let address = try ServerAddress(emulator.url)
        func client(_ forwarded: String?) throws -> JellyfinClient {
            var configuration = JellyfinClientConfiguration(server: address)
            configuration.additionalHeaders = forwarded.map { [("X-Forwarded-For", $0)] } ?? []
            return try JellyfinClient(configuration: configuration)
        }
        let local = try client(nil)
        let remote4 = try client("203.0.113.77")
        let remote6 = try client("2001:db8::77")
        _ = try? await remote4.authenticate(user: "nobody", password: Secret("x"))  // unknown user
        _ = try? await remote6.authenticate(user: "mira", password: Secret("wrong"))  // wrong password, IPv6
        _ = try? await remote4.authenticate(user: "quill-keeper", password: Secret("x"))  // remote access forbidden
        _ = try? await local.authenticate(user: "mira", password: Secret("x"))  // parental schedule
        _ = try? await remote4.authenticate(user: #"x (IP: "1.2.3.4")"#, password: Secret("x"))  // an address typed into the name
        // A success: must not match.
        _ = try await local.authenticate(user: "quill-keeper", password: Secret("correct-horse-battery-staple-42"))
        emulator.log.write(.deny(.withoutUsername, user: nil, ip: "198.51.100.3"))
        emulator.log.write(.deny(.disabled, user: "mira", ip: "2001:db8::78"))
        for item in [local, remote4, remote6] { await item.shutdown() }
        await emulator.stop()
        return (folder, console.all)
    }

    func check(_ log: URL, filter: URL) async throws -> (matched: Int, missed: Int, output: String) {
        let result = try await runTool("fail2ban-regex", package: "fail2ban", ["-v", log.path, filter.path])
        #expect(result.status == 0, "\(result.output.suffix(500))")
        guard let line = result.output.split(separator: "\n").first(where: { $0.hasPrefix("Lines:") }) else {
            throw FixtureError("no summary from fail2ban-regex: \(result.output.suffix(500))")
        }
        let numbers = line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        return (numbers[2], numbers[3], result.output)
    }

    @Test("every deny variant matches in both formats, IPv4 and IPv6; success lines and forged addresses do not")
    func filterMatchesEveryDeny() async throws {
        let (folder, console) = try await provoke()
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        let bundle = temporaryDirectory("f2b")
        defer { try? FileManager.default.removeItem(at: bundle) }
        let spec = try DeploymentSpec(
            domain: "reels-7f3k.example.org", mediaPath: "/srv/media", configPath: folder.deletingLastPathComponent().path,
            cachePath: "/srv/cache")
        _ = try DeploymentBundle(spec).write(to: bundle, force: false)
        let filter = bundle.appendingPathComponent("fail2ban/filter.d/jellyfin.conf")

        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(files.count == 1 && files[0].range(of: #"^log_\d{8}\.log$"#, options: .regularExpression) != nil)
        let fileLog = folder.appendingPathComponent(files[0])
        let fileLines = try String(contentsOf: fileLog, encoding: .utf8).split(separator: "\n")
        let denies = fileLines.filter { $0.contains("Authentication request") && !$0.contains("has succeeded") }.count
        #expect(denies == 7)
        let (matched, _, output) = try await check(fileLog, filter: filter)
        #expect(matched == denies, "file format: \(matched) of \(denies) deny lines matched")
        #expect(!output.contains("1.2.3.4  "), "the forged address in the user name was taken")
        #expect(output.contains("2001:db8::77"))

        let consoleLog = bundle.appendingPathComponent("console.log")
        try (console.joined(separator: "\n") + "\n").write(to: consoleLog, atomically: true, encoding: .utf8)
        let consoleDenies = console.filter { $0.contains("Authentication request") && !$0.contains("has succeeded") }.count
        #expect(consoleDenies == 7)
        let (consoleMatched, _, consoleOutput) = try await check(consoleLog, filter: filter)
        #expect(consoleMatched == consoleDenies, "console format: \(consoleMatched) of \(consoleDenies)")
        #expect(consoleOutput.contains("198.51.100.3"))

        // The jail reads Jellyfin's real file name.
        let jail = try String(contentsOf: bundle.appendingPathComponent("fail2ban/jail.d/jellyfin.local"), encoding: .utf8)
        let glob = try #require(
            jail.split(separator: "\n").first { $0.hasPrefix("logpath") }?.split(separator: "=").last?.trimmingCharacters(in: .whitespaces))
        #expect(fnmatch(glob, fileLog.path, 0) == 0, "\(glob) does not match \(fileLog.path)")
        #expect(jail.contains("ignoreip  = 127.0.0.1/8 ::1"))
    }
}
