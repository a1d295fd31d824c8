import ArgumentParser
import Foundation
import JellyfinAPI
import JellyfinEmulator

extension Jellyfort {
    struct Demo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "See Jellyfort at work on a built-in Jellyfin emulator; needs nothing installed.",
            discussion: """
                Starts the bundled Jellyfin emulator on a free loopback port, set up the way most
                servers are left (the 'insecure' scenario), and shows what Jellyfort reads from it:
                the server, its version, its users and their risky settings. Nothing leaves this machine.
                """
        )

        @Option(help: "Which bundled scenario to run (see jellyfort-emulator --list-scenarios).")
        var scenario: String = "insecure"

        func run() async throws {
            let loaded: Scenario
            do {
                loaded = try Scenario.load(scenario)
            } catch {
                Terminal.error("\(error)")
                throw ExitCode(64)
            }
            Terminal.progress("Starting the Jellyfin emulator…")
            let emulator = try await JellyfinEmulator.start(scenario: loaded)
            Terminal.clearProgress()
            print("Jellyfin emulator '\(loaded.name)' listening on \(emulator.url)")
            print(loaded.summary)
            print("")
            guard let key = loaded.apiKeys.first else {
                print("This scenario has no API key, so only the anonymous view is shown.")
                try await showAnonymous(url: emulator.url)
                await emulator.stop()
                return
            }
            var configuration = JellyfinClientConfiguration(server: try ServerAddress(emulator.url), credential: .apiKey(Secret(key.token)))
            configuration.identity = ClientIdentity(device: "jellyfort-demo", deviceId: "jellyfort-demo")
            let client = try JellyfinClient(configuration: configuration)
            do {
                try await DemoReport(client: client).print()
            } catch {
                await client.shutdown()
                await emulator.stop()
                Terminal.error("\(error)")
                throw ExitCode(2)
            }
            await client.shutdown()
            await emulator.stop()
        }

        private func showAnonymous(url: String) async throws {
            let client = try JellyfinClient(configuration: JellyfinClientConfiguration(server: try ServerAddress(url)))
            let info = try await client.publicSystemInfo()
            print("Server \(info.serverName ?? "?"), Jellyfin \(info.version), wizard completed: \(info.startupWizardCompleted.map(String.init) ?? "unknown")")
            await client.shutdown()
        }
    }
}

/// What the client reads from a server, printed plainly. The audit turns this into verdicts.
struct DemoReport {
    let client: JellyfinClient

    func print() async throws {
        async let publicInfo = client.publicSystemInfo()
        async let anonymousUsers = client.publicUsers()
        async let users = client.users()
        async let configuration = client.serverConfiguration()
        async let network = client.networkConfiguration()
        async let sessions = client.sessions()
        async let keys = client.apiKeys()
        let info = try await publicInfo
        Swift.print("Server: \(info.serverName ?? "(unnamed)") · Jellyfin \(info.version) · wizard completed: \(info.startupWizardCompleted == true ? "yes" : "NO")")
        let everyone = try await users
        let visible = try await anonymousUsers
        Swift.print("Users (\(everyone.count)); the login screen shows \(visible.count) of them to anyone:")
        for user in everyone {
            let policy = user.policy
            var risks: [String] = []
            if policy.isAdministrator, policy.enableRemoteAccess { risks.append("admin reachable from the internet") }
            if !policy.isHidden { risks.append("shown on the login screen") }
            if policy.loginAttemptsBeforeLockout == -1 { risks.append("no lockout") }
            if !policy.isAdministrator, policy.maxActiveSessions <= 0 { risks.append("unlimited sessions") }
            if !policy.isAdministrator, policy.enableContentDeletion { risks.append("may delete media") }
            if user.hasPassword == false { risks.append("NO PASSWORD") }
            let role = policy.isAdministrator ? "admin" : "user"
            Swift.print("  \(user.name) [\(role)]: \(risks.isEmpty ? "no risky setting" : risks.joined(separator: ", "))")
        }
        let server = try await configuration
        let net = try await network
        Swift.print("Legacy authorization: \(server.enableLegacyAuthorization ? "on" : "off") · metrics: \(server.enableMetrics ? "on" : "off") · Quick Connect: \(server.quickConnectAvailable ? "on" : "off")")
        Swift.print("KnownProxies: \(net.knownProxies.isEmpty ? "(empty: behind a proxy every client looks local)" : net.knownProxies.joined(separator: ", ")) · LAN: \(net.localNetworkSubnets.isEmpty ? "(every private address)" : net.localNetworkSubnets.joined(separator: ", "))")
        let live = try await sessions
        let addresses = Set(live.compactMap(\.remoteEndPoint))
        Swift.print("Sessions: \(live.count) from \(addresses.count == 1 ? "one address (\(addresses.first!))" : "\(addresses.count) addresses")")
        let apiKeys = try await keys
        Swift.print("API keys: \(apiKeys.map { "\($0.appName ?? "?") (\($0.accessToken.redacted))" }.joined(separator: ", "))")
        Swift.print("")
        Swift.print("\(client.requestCount) requests. Next: point Jellyfort at your own server with")
        Swift.print("  jellyfort audit --server https://your-server --api-key-file ~/.config/jellyfort/api-key")
    }
}
