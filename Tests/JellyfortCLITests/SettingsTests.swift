import Foundation
import JellyfinAPI
import JellyfinEmulator
import JellyfortCore
import JellyfortTestSupport
import Testing

@testable import jellyfort

/// Argument resolution: flags, then `jellyfort.yml`, then defaults; one pure step for every
/// command that takes a server.
@Suite("settings: flags, jellyfort.yml and defaults")
struct SettingsResolutionTests {
    func file(_ build: (inout AuditConfiguration) -> Void) -> AuditConfiguration {
        var file = AuditConfiguration()
        build(&file)
        return file
    }

    @Test("flags win, the file fills the gaps, the defaults the rest")
    func precedence() throws {
        let file = file {
            $0.server = "https://from-file.example.org"
            $0.apiKeyFile = "/keys/file"
            $0.lanCIDRs = ["10.0.0.0/8"]
            $0.allow = ["198.51.100.0/24"]
            $0.failOn = "critical"
            $0.deployment = ["/srv/deploy"]
            $0.thresholds.lockoutMaxAttempts = 3
            $0.deadlineSeconds = 40
        }
        let fromFile = try RunSettings.resolve(RunSettings.Flags(), file: file, fileName: "j.yml")
        #expect(fromFile.server == "https://from-file.example.org")
        #expect(fromFile.apiKeyFile == "/keys/file")
        #expect(fromFile.lanCIDRs == ["10.0.0.0/8"])
        #expect(fromFile.failOn == .critical)
        #expect(fromFile.deployment == ["/srv/deploy"])
        #expect(fromFile.thresholds.lockoutMaxAttempts == 3)
        #expect(fromFile.thresholds.apiKeyMaxAgeDays == Thresholds().apiKeyMaxAgeDays)
        #expect(fromFile.deadlineSeconds == 40)

        let flags = RunSettings.Flags(
            server: "https://flag.example.org", apiKeyFile: "/keys/flag", lanCIDRs: ["192.168.1.0/24"], failOn: .low,
            deployment: ["/tmp/x"], deadlineSeconds: 5)
        let fromFlags = try RunSettings.resolve(flags, file: file, fileName: "j.yml")
        #expect(fromFlags.server == "https://flag.example.org")
        #expect(fromFlags.apiKeyFile == "/keys/flag")
        #expect(fromFlags.lanCIDRs == ["192.168.1.0/24"])
        #expect(fromFlags.allow == ["198.51.100.0/24"], "a list not given on the command line comes from the file")
        #expect(fromFlags.failOn == .low)
        #expect(fromFlags.deployment == ["/tmp/x"])
        #expect(fromFlags.deadlineSeconds == 5)

        let defaults = try RunSettings.resolve(RunSettings.Flags(), file: AuditConfiguration(), fileName: "j.yml")
        #expect(defaults == RunSettings())
        #expect(defaults.failOn == .high)
        #expect(defaults.deadlineSeconds == RunSettings.defaultDeadlineSeconds)
    }

    @Test("signing in with --user does not also take the file's API key")
    func userDropsFileKey() throws {
        let settings = try RunSettings.resolve(
            RunSettings.Flags(user: "quill"), file: file { $0.apiKeyFile = "/keys/file" }, fileName: "j.yml")
        #expect(settings.apiKeyFile == nil)
    }

    @Test(
        "a bad value in the file is refused with the file's name",
        arguments: [
            ("lan", "not-a-cidr"), ("allow", "300.1.1.1"), ("cdn", "akamai"), ("failOn", "sometimes"),
        ])
    func badValues(_ key: String, _ value: String) {
        let file = file {
            switch key {
            case "lan": $0.lanCIDRs = [value]
            case "allow": $0.allow = [value]
            case "cdn": $0.cdn = value
            default: $0.failOn = value
            }
        }
        #expect {
            try RunSettings.resolve(RunSettings.Flags(), file: file, fileName: "/etc/jf.yml")
        } throws: { error in
            "\(error)".hasPrefix("/etc/jf.yml: ") && "\(error)".contains(value.prefix(5))
        }
    }

    @Test("thresholds and the deadline are read from jellyfort.yml, and checked")
    func thresholdsFromFile() throws {
        let folder = temporaryDirectory("thresholds")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("jellyfort.yml").path
        try "thresholds:\n  lockoutMaxAttempts: 4\n  staleDeviceDays: 30\ndeadline: 45\n".write(
            toFile: path, atomically: true, encoding: .utf8)
        let loaded = try AuditConfiguration.load(path)
        #expect(loaded.thresholds.lockoutMaxAttempts == 4)
        #expect(loaded.thresholds.staleDeviceDays == 30)
        #expect(loaded.thresholds.apiKeyMaxCount == Thresholds().apiKeyMaxCount)
        #expect(loaded.deadlineSeconds == 45)

        for (text, expected) in [
            ("thresholds:\n  lockoutMaxAttempt: 4\n", "unknown threshold 'lockoutMaxAttempt'"),
            ("thresholds:\n  lockoutMaxAttempts: 0\n", "thresholds.lockoutMaxAttempts must be a whole number from 1 to 100"),
            ("thresholds:\n  apiKeyMaxAgeDays: soon\n", "thresholds.apiKeyMaxAgeDays must be a whole number"),
            ("thresholds: 5\n", "'thresholds' must be a mapping"),
            ("deadline: 0\n", "'deadline' must be a number of seconds from 1 to 3600"),
            ("deadline: forever\n", "'deadline' must be a number of seconds"),
        ] {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            #expect {
                try AuditConfiguration.load(path)
            } throws: { error in
                "\(error)".contains(expected) && "\(error)".contains(path)
            }
        }
    }

    @Test("an empty jellyfort.yml is all defaults, not an unreadable file")
    func emptyConfig() throws {
        let folder = temporaryDirectory("emptyconfig")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("jellyfort.yml").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        #expect(try AuditConfiguration.load(path) == AuditConfiguration())
    }

    @Test("a FIFO given as --config is refused at once instead of blocking")
    func fifoConfig() throws {
        let folder = temporaryDirectory("fifoconfig")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("jellyfort.yml").path
        #expect(mkfifo(path, 0o600) == 0)
        #expect { try AuditConfiguration.load(path) } throws: { "\($0)".contains("not a regular file") }
    }
}

/// `--config` works alike for audit, harden, unlock and rollback; thresholds move verdicts for
/// audit and harden alike; the audit's deadline ends a stalled server with a report.
@Suite("jellyfort.yml for every command that talks to a server")
struct ConfigEverywhereTests {
    func configFile(_ text: String) throws -> String {
        let path = temporaryDirectory("configeverywhere").appendingPathComponent("jellyfort.yml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func statuses(_ stdout: String) throws -> [String: String] {
        let report = try #require(try JSONParser.parse(stdout).objectValue)
        return Dictionary(
            uniqueKeysWithValues: (report["controls"]?.arrayValue ?? []).compactMap { control in
                control.objectValue.flatMap { object in object["id"]?.stringValue.map { ($0, object["status"]?.stringValue ?? "") } }
            })
    }

    @Test("a lower lockout threshold in jellyfort.yml fails the hardened server in the audit, and harden plans the same accounts")
    func thresholdsMoveAuditAndHarden() async throws {
        try await withEmulator("hardened") { fixture in
            let key = try CLI.secretFile(try #require(fixture.scenario.apiKeys.first).token)
            let strict = try configFile("server: \(fixture.emulator.url)\napiKeyFile: \(key)\nthresholds:\n  lockoutMaxAttempts: 3\n")
            let defaults = try configFile("server: \(fixture.emulator.url)\napiKeyFile: \(key)\n")

            let before = try await CLI.run(["audit", "--config", defaults, "--format", "json", "--only", "auth.lockout"])
            #expect(try statuses(before.stdout)["auth.lockout"] == "pass", "\(before.stderr)")
            let after = try await CLI.run(["audit", "--config", strict, "--format", "json", "--only", "auth.lockout"])
            #expect(try statuses(after.stdout)["auth.lockout"] == "fail", "\(after.stderr)")

            let plan = try await CLI.run(["harden", "--config", strict, "--only", "auth.lockout", "--lockout", "3", "--format", "json"])
            #expect(plan.status == 0, "\(plan.stderr)")
            let changes = try #require(try JSONParser.parse(plan.stdout).objectValue?["changes"]?.arrayValue)
            #expect(
                !changes.isEmpty
                    && changes.allSatisfy { $0.objectValue?["field"] == "LoginAttemptsBeforeLockout" && $0.objectValue?["to"] == 3 })
            let loose = try await CLI.run(["harden", "--config", defaults, "--only", "auth.lockout", "--format", "json"])
            #expect(try JSONParser.parse(loose.stdout).objectValue?["changes"]?.arrayValue?.isEmpty == true, "\(loose.stdout)")
        }
    }

    @Test("harden, unlock and rollback take the server and the key from --config")
    func everyCommand() async throws {
        let state = temporaryDirectory("configstate")
        defer { try? FileManager.default.removeItem(at: state) }
        try await withEmulator("insecure") { fixture in
            let key = try CLI.secretFile(try #require(fixture.scenario.apiKeys.first).token)
            let config = try configFile("server: \(fixture.emulator.url)\napiKeyFile: \(key)\nlanCidr: [192.168.1.0/24]\n")
            let environment = ["XDG_STATE_HOME": state.path]

            let plan = try await CLI.run(["harden", "--config", config], environment: environment)
            #expect(plan.status == 0, "\(plan.stderr)")
            #expect(plan.stdout.contains("LocalNetworkSubnets"), "the file's lanCidr reaches harden: \(plan.stdout)")

            let applied = try await CLI.run(
                ["harden", "--config", config, "--only", "login.hidden-users", "--apply", "--yes"], environment: environment)
            #expect(applied.status == 0, "\(applied.stderr)")
            let rollback = try await CLI.run(["harden", "rollback", "--config", config, "--yes"], environment: environment)
            #expect(rollback.status == 0, "\(rollback.stderr)")
            #expect(rollback.stdout.contains("Restored"))

            let user = try #require(fixture.scenario.users.first { !$0.isAdministrator }).name
            let unlock = try await CLI.run(["unlock", user, "--config", config])
            #expect(unlock.status == 0, "\(unlock.stderr)")
            #expect(unlock.stdout.contains("enabled again"))
        }
        let missing = try await CLI.run(["unlock", "someone", "--config", "/nonexistent/jellyfort.yml"])
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("/nonexistent/jellyfort.yml"))
    }

    @Test("the audit's deadline: a server that never answers ends there, the report is written, exit 2")
    func auditDeadline() async throws {
        let server = try await ScriptedServer { _ in .hang }
        let started = ContinuousClock.now
        let result = try await CLI.run(["audit", "--server", server.url, "--deadline", "2", "--format", "json"])
        let elapsed = ContinuousClock.now - started
        await server.stop()
        #expect(result.status == 2, "\(result.stderr)")
        #expect(elapsed < .seconds(15), "took \(elapsed)")
        #expect(result.stderr.contains("time limit of 2 s"), "\(result.stderr)")
        #expect(result.stderr.contains("--deadline"))
        let found = try statuses(result.stdout)
        #expect(found.count == ControlID.allCases.count)
        #expect(!found.values.contains("pass"), "nothing was read, so nothing passes")

        let bad = try await CLI.run(["audit", "--server", server.url, "--deadline", "0"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("--deadline takes a number of seconds"))
    }
}
