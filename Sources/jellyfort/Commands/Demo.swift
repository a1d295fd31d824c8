import ArgumentParser
import Foundation
import JellyfinAPI
import JellyfortAudit
import JellyfortBase
import JellyfortCore
import JellyfortHarden
import JellyfortReport
import JellyfortWatch

extension Jellyfort {
    struct Demo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "See Jellyfort at work on a built-in Jellyfin emulator; needs nothing installed.",
            discussion: """
                Starts the bundled Jellyfin emulator on a free loopback port, set up the way most servers are left \
                (the 'insecure' scenario), and runs the whole story on it: the audit, the harden plan, applying it, \
                the audit after (score before → after), and the rollback. Nothing leaves this machine and nothing \
                is kept.
                """
        )

        @Option(
            help: ArgumentHelp(
                "Which bundled scenario to run: insecure, hardened, wizard-open, lockout-bug, spoofable-proxies "
                    + "(jellyfort-emulator --list-scenarios).")
        )
        var scenario: String = "insecure"

        /// Where the emulator writes Jellyfin's log for step 6; removed at the end.
        var logDirectory: URL {
            FileManager.default.temporaryDirectory.appendingPathComponent("jellyfort-demo-log-\(ProcessInfo.processInfo.processIdentifier)")
        }

        func run() async throws {
            defer { try? FileManager.default.removeItem(at: logDirectory) }
            Terminal.progress("Starting the Jellyfin emulator…")
            let emulator: EmulatorProcess
            do {
                emulator = try await EmulatorProcess.start(scenario: scenario, logDirectory: logDirectory)
            } catch {
                Terminal.clearProgress()
                Terminal.error("\(error)")
                throw ExitCode(error.isUsage ? AuditExit.usage : AuditExit.incomplete)
            }
            do {
                try await story(emulator)
            } catch {
                await emulator.stop()
                throw error
            }
            await emulator.stop()
        }

        func story(_ emulator: EmulatorProcess) async throws {
            var configuration = JellyfinClientConfiguration(
                server: try ServerAddress(emulator.url), credential: emulator.apiKey.map { .apiKey($0) })
            configuration.identity = ClientIdentity(device: "jellyfort-demo", deviceId: "jellyfort-demo")
            let client = try JellyfinClient(configuration: configuration)
            let settings = AuditSettings(lanCIDRs: ["192.168.1.0/24"])
            let run = await AuditRunner().run(client: client, settings: settings) { Terminal.progress($0) }
            Terminal.clearProgress()

            print("Jellyfort demo: a Jellyfin emulator ('\(scenario)' scenario) on \(emulator.url)")
            print(emulator.summary)
            print("")
            print("━━ 1. Audit: jellyfort audit --server \(emulator.url) --api-key-file KEY --lan-cidr 192.168.1.0/24")
            let style = TerminalStyle(
                color: Terminal.standardOutputIsTerminal && ProcessInfo.processInfo.environment["NO_COLOR"] == nil, width: Terminal.width)
            print(try ReportFormat.text.render(run.report, terminal: style), terminator: "")
            if emulator.apiKey == nil || !run.problems.isEmpty {
                await client.shutdown()
                if emulator.apiKey == nil {
                    print("")
                    print(
                        "This server has no administrator yet: whoever reaches it first creates one. Finish the setup "
                            + "wizard over a private path first"
                    )
                    print(
                        "(ssh -L 8096:127.0.0.1:8096 your-server, then http://127.0.0.1:8096), and only then put it on "
                            + "the internet. There is nothing to harden until then."
                    )
                }
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
            // Signing out a device cannot be rolled back, and step 5 rolls back: leave it out, and say so.
            options.skip = [.devicesStale]
            print("")
            print(
                "━━ 2. Plan: jellyfort harden --server \(emulator.url) --api-key-file KEY --lan-cidr "
                    + "192.168.1.0/24 --proxy 127.0.0.1 --admin-name quill-keeper --create-media-user mira --skip "
                    + "devices.stale"
            )
            print("   (--skip devices.stale because step 5 rolls everything back, and a signed-out device cannot be signed in again)")
            let plan = try await HardenPlanner(client: client, options: options).plan()
            print(HardenText.plan(plan))
            print("")
            print("━━ 3. Apply: the same command with --apply")
            let outcome = try await HardenExecutor(client: client, store: store).apply(plan)
            print("Applied \(outcome.applied) writes; every object was backed up first (run \(plan.runId)).")
            for failure in outcome.failures { print("  failed: \(failure)") }
            // KnownProxies takes effect at start-up: restart the emulator's Jellyfin, as you would yours.
            _ = try? await client.send(.post, "/System/Restart")
            let after = await AuditRunner().run(client: client, settings: settings)
            print("")
            print("━━ 4. Audit again")
            print(
                "Score \(run.report.score.value)/100 (\(run.report.score.grade)) → "
                    + "\(after.report.score.value)/100 (\(after.report.score.grade)); failing controls "
                    + "\(run.report.summary.fail) → \(after.report.summary.fail)."
            )
            for result in after.report.controls where result.status == .fail {
                print("  still failing: \(result.id): \(result.summary)")
            }
            print(
                "  (the rest of the guide lives outside Jellyfin: container, proxy, firewall; those controls "
                    + "stay unknown until you give --deployment with your deployment files, or --probe from outside)"
            )
            print("")
            print("━━ 5. Roll back: jellyfort harden rollback \(plan.runId)")
            let undo = try await HardenRollback(client: client, store: store).rollback(plan.runId)
            let restored = await AuditRunner().run(client: client, settings: settings)
            print("Restored \(undo.restored.count) objects; the score is back to \(restored.report.score.value)/100.")
            for item in undo.notRestorable { print("  not restorable through the API: \(item)") }
            try await guesser(client: client, emulator: emulator)
            await client.shutdown()
            print("")
            print("What to do next with your own server:")
            print("  1. Make an API key in Jellyfin (Dashboard → API Keys) and save it alone in a file (chmod 600).")
            print("  2. jellyfort audit --server https://your-jellyfin --api-key-file PATH")
            print("  3. jellyfort harden --server https://your-jellyfin --api-key-file PATH   (add --apply when the plan looks right)")
            print("  4. jellyfort controls explain ID   tells why a control matters and how to fix it.")
            print("  5. jellyfort watch --log-dir JELLYFIN-LOG-FOLDER --ban nftables   (as root) bans password guessers;")
            print("     jellyfort deploy writes it as a service, and jellyfort watch --self-test proves the ban drops traffic.")
            print("  6. From outside your network (a phone hotspot or a VPS): the same audit with --probe adds what the internet")
            print("     really reaches: the certificate and TLS 1.0/1.1, HTTP → HTTPS, the headers, Jellyfin's own ports (8096, 8920,")
            print("     7359, 1900), whether the bare IP or an unknown name reaches Jellyfin, and whether a forged X-Forwarded-For")
            print("     makes a stranger LAN. At most 60 requests and connections; it never guesses a password.")
        }

        /// Step 6: a guesser tries passwords from the internet (through the proxy, as Jellyfin sees
        /// it with KnownProxies set) and `jellyfort watch` reads Jellyfin's log and bans it (dry run).
        func guesser(client: JellyfinClient, emulator: EmulatorProcess) async throws {
            print("")
            print("━━ 6. Watch: a password guesser at 203.0.113.9 (behind your proxy, KnownProxies = 127.0.0.1) tries six passwords")
            var network = try await client.networkConfiguration()
            let before = network
            network.knownProxies = ["127.0.0.1"]
            try await client.updateNetworkConfiguration(network)
            _ = try? await client.send(.post, "/System/Restart")
            var configuration = JellyfinClientConfiguration(server: try ServerAddress(emulator.url))
            configuration.identity = ClientIdentity(device: "guesser", deviceId: "guesser")
            configuration.additionalHeaders = [("X-Forwarded-For", "203.0.113.9")]
            let attacker = try JellyfinClient(configuration: configuration)
            for (index, name) in ["admin", "admin", "administrator", "root", "jellyfin", "admin"].enumerated() {
                _ = try? await attacker.authenticate(user: name, password: Secret("guess-\(index)"))
            }
            await attacker.shutdown()
            try await client.updateNetworkConfiguration(before)
            _ = try? await client.send(.post, "/System/Restart")
            print("jellyfort watch --log-dir \(logDirectory.path) --once --dry-run --lan-cidr 192.168.1.0/24")
            var settings = WatchSettings()
            settings.exemptions = Exemptions(lan: [IPNetwork("192.168.1.0/24")].compactMap { $0 })
            let watcher = try Watcher(
                source: .logDirectory(logDirectory.path), settings: settings, backend: NoBackend(), dryRun: true, store: nil,
                emit: { print("  " + Sanitized.terminal($0.text)) }, warn: { Terminal.warning($0) })
            try await watcher.start()
            try await watcher.poll()
            print("  (with --ban nftables, firewalld or crowdsec instead of --dry-run, the address is dropped at the firewall)")
        }
    }
}
