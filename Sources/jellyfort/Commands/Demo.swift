import ArgumentParser
import Foundation
import JellyfinAPI
import JellyfinEmulator
import JellyfortAudit
import JellyfortCore
import JellyfortHarden
import JellyfortReport

extension Jellyfort {
    struct Demo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "See Jellyfort at work on a built-in Jellyfin emulator; needs nothing installed.",
            discussion: """
                Starts the bundled Jellyfin emulator on a free loopback port, set up the way most servers are left (the 'insecure' scenario), and runs the whole story on it: the audit, the harden plan, applying it, the audit after (score before → after), and the rollback. Nothing leaves this machine and nothing is kept.
                """
        )

        @Option(help: "Which bundled scenario to run: insecure, hardened, wizard-open, lockout-bug, spoofable-proxies.")
        var scenario: String = "insecure"

        func run() async throws {
            let loaded: Scenario
            do {
                loaded = try Scenario.load(scenario)
            } catch {
                Terminal.error("\(error)")
                throw ExitCode(AuditExit.usage)
            }
            Terminal.progress("Starting the Jellyfin emulator…")
            let emulator: JellyfinEmulator
            do {
                emulator = try await JellyfinEmulator.start(scenario: loaded)
            } catch {
                Terminal.error("\(error)")
                throw ExitCode(AuditExit.incomplete)
            }
            var configuration = JellyfinClientConfiguration(server: try ServerAddress(emulator.url), credential: loaded.apiKeys.first.map { .apiKey(Secret($0.token)) })
            configuration.identity = ClientIdentity(device: "jellyfort-demo", deviceId: "jellyfort-demo")
            let client = try JellyfinClient(configuration: configuration)
            let settings = AuditSettings(lanCIDRs: ["192.168.1.0/24"])
            let run = await AuditRunner().run(client: client, settings: settings) { Terminal.progress($0) }
            Terminal.clearProgress()

            print("Jellyfort demo: a Jellyfin emulator ('\(loaded.name)' scenario) on \(emulator.url)")
            print(loaded.summary)
            print("")
            print("━━ 1. Audit: jellyfort audit --server \(emulator.url) --api-key-file KEY --lan-cidr 192.168.1.0/24")
            let style = TerminalStyle(color: Terminal.standardOutputIsTerminal && ProcessInfo.processInfo.environment["NO_COLOR"] == nil, width: Terminal.width)
            print(try ReportFormat.text.render(run.report, terminal: style), terminator: "")
            if loaded.apiKeys.isEmpty || !run.problems.isEmpty {
                await client.shutdown()
                await emulator.stop()
                if let problem = run.problems.first {
                    Terminal.error(problem)
                    throw ExitCode(AuditExit.incomplete)
                }
                return
            }

            // The harden step keeps its run in a folder of its own, so the demo leaves no trace.
            let state = FileManager.default.temporaryDirectory.appendingPathComponent("jellyfort-demo-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: state) }
            let store = RunStore(root: state)
            var options = HardenOptions()
            options.lanCIDRs = ["192.168.1.0/24"]
            options.proxies = ["127.0.0.1"]
            options.adminName = "quill-keeper"
            options.createMediaUser = "mira"
            options.skip = ["devices.stale"]
            print("")
            print("━━ 2. Plan: jellyfort harden --server \(emulator.url) --api-key-file KEY --lan-cidr 192.168.1.0/24 --proxy 127.0.0.1 --admin-name quill-keeper --create-media-user mira")
            let plan = try await HardenPlanner(client: client, options: options).plan()
            print(HardenText.plan(plan))
            print("")
            print("━━ 3. Apply: the same command with --apply")
            let outcome = try await HardenExecutor(client: client, store: store).apply(plan)
            print("Applied \(outcome.applied) writes; every object was backed up first (run \(plan.runId)).")
            for failure in outcome.failures { print("  failed: \(failure)") }
            // KnownProxies takes effect at start-up: restart the emulator's Jellyfin, as you would yours.
            await emulator.server.restart()
            let after = await AuditRunner().run(client: client, settings: settings)
            print("")
            print("━━ 4. Audit again")
            print("Score \(run.report.score.value)/100 (\(run.report.score.grade)) → \(after.report.score.value)/100 (\(after.report.score.grade)); failing controls \(run.report.summary.fail) → \(after.report.summary.fail).")
            for result in after.report.controls where result.status == .fail {
                print("  still failing: \(result.id): \(result.summary)")
            }
            print("  (the rest of the guide lives outside Jellyfin: container, proxy, firewall; those controls stay unknown until you give --deployment or --probe)")
            print("")
            print("━━ 5. Roll back: jellyfort harden rollback \(plan.runId)")
            let undo = try await HardenRollback(client: client, store: store).rollback(plan.runId)
            let restored = await AuditRunner().run(client: client, settings: settings)
            print("Restored \(undo.restored.count) objects; the score is back to \(restored.report.score.value)/100.")
            await client.shutdown()
            await emulator.stop()
            print("")
            print("What to do next with your own server:")
            print("  1. Make an API key in Jellyfin (Dashboard → API Keys) and save it alone in a file (chmod 600).")
            print("  2. jellyfort audit --server https://your-jellyfin --api-key-file PATH")
            print("  3. jellyfort harden --server https://your-jellyfin --api-key-file PATH   (add --apply when the plan looks right)")
            print("  4. jellyfort controls explain ID   tells why a control matters and how to fix it.")
        }
    }
}
