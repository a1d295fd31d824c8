import Foundation
import JellyfinAPI
import JellyfinEmulator
import JellyfortTestSupport
import Testing

/// `jellyfort harden`, `rollback`, `runs` and `unlock` end to end, with the built binary.
@Suite("jellyfort harden, end to end")
struct HardenCLITests {
    func environment(_ state: URL) -> [String: String] { ["XDG_STATE_HOME": state.path] }

    @Test("plan as JSON changes nothing; --apply without a terminal or --yes refuses with exit 2")
    func planAndRefusal() async throws {
        let state = temporaryDirectory("state")
        defer { try? FileManager.default.removeItem(at: state) }
        try await withEmulator("insecure") { fixture in
            let key = try CLI.secretFile(fixture.scenario.apiKeys[0].token)
            let client = try fixture.client()
            let before = try await ServerSnapshot.read(client)
            let plan = try await CLI.run(
                ["harden", "--server", fixture.emulator.url, "--api-key-file", key, "--format", "json"], environment: environment(state))
            #expect(plan.status == 0, "\(plan.stderr)")
            let document = try #require(try JSONParser.parse(plan.stdout).objectValue)
            #expect(document["applied"] == false)
            #expect(document["runId"]?.stringValue?.isEmpty == false)
            let changes = document["changes"]?.arrayValue?.compactMap(\.objectValue) ?? []
            #expect(
                changes.contains {
                    $0["control"] == "admin.remote-access" && $0["subject"] == "user:admin" && $0["field"] == "EnableRemoteAccess"
                        && $0["from"] == true && $0["to"] == false
                })
            #expect(document["skipped"]?.arrayValue?.contains { $0.objectValue?["control"] == "proxy.known-proxies" } == true)
            #expect(try await ServerSnapshot.read(client) == before)
            let refused = try await CLI.run(
                ["harden", "--server", fixture.emulator.url, "--api-key-file", key, "--apply"], environment: environment(state))
            #expect(refused.status == 2)
            #expect(refused.stderr.contains("--yes"))
            #expect(try await ServerSnapshot.read(client) == before)
            #expect(try await CLI.run(["harden", "runs"], environment: environment(state)).stdout.contains("No harden runs yet"))
            await client.shutdown()
        }
    }

    @Test("apply, then rollback by default to the latest run and its server, exactly")
    func applyThenRollback() async throws {
        let state = temporaryDirectory("state")
        defer { try? FileManager.default.removeItem(at: state) }
        try await withEmulator("insecure") { fixture in
            let key = try CLI.secretFile(fixture.scenario.apiKeys[0].token)
            let client = try fixture.client()
            let before = try await ServerSnapshot.read(client)
            let applied = try await CLI.run(
                [
                    "harden", "--server", fixture.emulator.url, "--api-key-file", key, "--lan-cidr", "192.168.1.0/24",
                    "--proxy", "127.0.0.1", "--admin-name", "quill-keeper", "--skip", "devices.stale", "--apply", "--yes",
                ], environment: environment(state))
            #expect(applied.status == 0, "\(applied.stderr)")
            #expect(applied.stdout.contains("After the run:"))
            #expect(applied.stdout.contains("PASS     admin.remote-access"))
            #expect(applied.stdout.contains("restart Jellyfin"))
            #expect(applied.stdout.contains("jellyfort unlock USER"))
            #expect(!applied.stdout.contains(fixture.scenario.apiKeys[0].token))
            #expect(try await ServerSnapshot.read(client) != before)
            let runs = try await CLI.run(["harden", "runs"], environment: environment(state))
            #expect(runs.stdout.contains("applied"))
            let rollback = try await CLI.run(["harden", "rollback", "--api-key-file", key, "--yes"], environment: environment(state))
            #expect(rollback.status == 0, "\(rollback.stderr)")
            let restored = try await ServerSnapshot.read(client)
            #expect(restored == before, "\(restored.differences(from: before).prefix(8))")
            #expect(try await CLI.run(["harden", "runs"], environment: environment(state)).stdout.contains("rolled-back"))
            await client.shutdown()
        }
    }

    @Test("a run killed with SIGKILL in the middle of applying is rolled back completely")
    func killedMidRun() async throws {
        let state = temporaryDirectory("state")
        defer { try? FileManager.default.removeItem(at: state) }
        try await withEmulator(
            "insecure",
            modify: {
                $0.generatedUsers = 1500
                $0.devices = []
            }
        ) { fixture in
            let key = try CLI.secretFile(fixture.scenario.apiKeys[0].token)
            let client = try fixture.client()
            let before = try await ServerSnapshot.read(client)
            let process = Process()
            process.executableURL = CLI.binary
            process.arguments = [
                "harden", "--server", fixture.emulator.url, "--api-key-file", key, "--lan-cidr", "192.168.1.0/24", "--apply", "--yes",
            ]
            var env = ProcessInfo.processInfo.environment
            env["XDG_STATE_HOME"] = state.path
            process.environment = env
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            let (exited, continuation) = AsyncStream<Void>.makeStream()
            process.terminationHandler = { _ in
                continuation.yield()
                continuation.finish()
            }
            try process.run()
            let runs = state.appendingPathComponent("jellyfort/runs")
            var journalLines = 0
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline, process.isRunning {
                if let run = try? FileManager.default.contentsOfDirectory(atPath: runs.path).first,
                    let text = try? String(contentsOf: runs.appendingPathComponent("\(run)/journal.jsonl"), encoding: .utf8)
                {
                    journalLines = text.split(separator: "\n").count
                    if journalLines >= 40 { break }
                }
                try await Task.sleep(for: .milliseconds(5))
            }
            let wasRunning = process.isRunning
            kill(process.processIdentifier, SIGKILL)
            for await _ in exited { break }
            #expect(wasRunning, "the run finished before it could be killed (\(journalLines) journal lines)")
            #expect(process.terminationReason == .uncaughtSignal)
            let changed = try await ServerSnapshot.read(client)
            #expect(changed != before, "some writes happened before the kill")
            let rollback = try await CLI.run(["harden", "rollback", "--api-key-file", key, "--yes"], environment: environment(state))
            #expect(rollback.status == 0, "\(rollback.stdout) \(rollback.stderr)")
            let restored = try await ServerSnapshot.read(client)
            #expect(restored == before, "\(restored.differences(from: before).prefix(8))")
            await client.shutdown()
        }
    }

    @Test("unlock re-enables a locked user; usage errors exit 64")
    func unlockAndUsage() async throws {
        try await withEmulator("hardened", modify: { $0.devices = [] }) { fixture in
            let key = try CLI.secretFile(fixture.scenario.apiKeys[0].token)
            let client = try fixture.client()
            for _ in 0..<5 { _ = try? await client.authenticate(user: "mira", password: Secret("wrong")) }
            #expect(try await client.users().first { $0.name == "mira" }?.policy.isDisabled == true)
            let unlock = try await CLI.run(["unlock", "mira", "--server", fixture.emulator.url, "--api-key-file", key])
            #expect(unlock.status == 0, "\(unlock.stderr)")
            #expect(try await client.users().first { $0.name == "mira" }?.policy.isDisabled == false)
            #expect(try await CLI.run(["unlock", "nobody", "--server", fixture.emulator.url, "--api-key-file", key]).status == 2)
            await client.shutdown()
        }
        for arguments in [
            ["harden", "--server", "http://x", "--lockout", "50"], ["harden", "--server", "http://x", "--rename", "nonsense"],
            ["harden", "--server", "http://x", "--accept-risk", "everything"], ["harden", "--server", "http://x", "--only", "no.such"],
        ] {
            let result = try await CLI.run(arguments)
            #expect(result.status == 64, "\(arguments): \(result.status) \(result.stderr)")
        }
    }
}
