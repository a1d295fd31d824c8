import ArgumentParser
import Foundation
import JellyfinAPI
import JellyfinEmulator
import JellyfortAudit
import JellyfortCore
import JellyfortReport

extension Jellyfort {
    struct Demo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "See Jellyfort at work on a built-in Jellyfin emulator; needs nothing installed.",
            discussion: """
                Starts the bundled Jellyfin emulator on a free loopback port, set up the way most
                servers are left (the 'insecure' scenario), audits it exactly as 'jellyfort audit'
                would audit your server, and shows the report. Nothing leaves this machine.
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
            let run = await AuditRunner().run(client: client, settings: AuditSettings()) { Terminal.progress($0) }
            Terminal.clearProgress()
            await client.shutdown()
            await emulator.stop()

            print("Jellyfort demo: a Jellyfin emulator ('\(loaded.name)' scenario) on \(emulator.url)")
            print(loaded.summary)
            print("")
            let style = TerminalStyle(color: Terminal.standardOutputIsTerminal && ProcessInfo.processInfo.environment["NO_COLOR"] == nil, width: Terminal.width)
            print(try ReportFormat.text.render(run.report, terminal: style), terminator: "")
            print("")
            print("\(client.requestCount) requests, \(run.report.durationMs) ms. What to do next:")
            print("  1. Make an API key in your Jellyfin (Dashboard → API Keys) and save it alone in a file (chmod 600).")
            print("  2. jellyfort audit --server https://your-jellyfin --api-key-file PATH")
            print("  3. jellyfort controls explain ID   tells why a control matters and how to fix it.")
            if !run.problems.isEmpty {
                Terminal.error(run.problems[0])
                throw ExitCode(AuditExit.incomplete)
            }
        }
    }
}
