import ArgumentParser
import Foundation
import JellyfinAPI
import JellyfinEmulator

@main
struct EmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jellyfort-emulator",
        abstract: "Run a Jellyfin 10.11 / 12.x emulator on a loopback port, for testing Jellyfort and your own tools.",
        discussion: """
            The emulator answers the Jellyfin API the way a real Jellyfin 10.11 server does for everything \
            Jellyfort touches: users and their whole policies, lockout, session limits, remote vs LAN with \
            KnownProxies and X-Forwarded-For, API keys, the activity log, and a log file in Jellyfin's exact \
            format. It starts from a scenario: a bundled one by name, or your own JSON file.

            Examples:
              jellyfort-emulator --scenario insecure --port 8096
              jellyfort-emulator --scenario hardened --port 0 --log-dir /tmp/jf-log
              jellyfort-emulator --list-scenarios
            """,
        version: JellyfortVersion.current
    )

    @Option(help: "Port to listen on; 0 picks a free one and prints it.")
    var port: Int = 8096

    @Option(help: "Address to listen on. Keep it on loopback.")
    var host: String = "127.0.0.1"

    @Option(help: "A bundled scenario name or a path to a scenario JSON file.")
    var scenario: String = "insecure"

    @Option(help: "Folder for Jellyfin's daily log files (log_YYYYMMDD.log).")
    var logDir: String?

    @Option(help: "Report this Jellyfin version instead of the scenario's (e.g. 10.10.7, 10.11.11, 12.1.0).")
    var serverVersion: String?

    @Option(
        help: ArgumentHelp(
            "Also answer Jellyfin's UDP client discovery (a real server uses 7359) on this port, while AutoDiscovery is on.",
            valueName: "port"))
    var discoveryPort: Int?

    @Flag(help: "List the bundled scenarios and exit.")
    var listScenarios = false

    @Flag(help: "Do not echo log lines in Jellyfin's console format on standard output.")
    var quiet = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        if let serverVersion, JellyfinVersion(serverVersion) == nil {
            throw ValidationError("--server-version '\(serverVersion)' is not a Jellyfin version such as 10.11.11 or 12.1.0")
        }
    }

    func run() async throws {
        if listScenarios {
            for name in Scenario.bundledNames {
                let summary = (try? Scenario.load(name).summary) ?? ""
                print("\(name)\n    \(summary)")
            }
            return
        }
        var loaded: Scenario
        do {
            loaded = try Scenario.load(scenario)
        } catch {
            Self.write("jellyfort-emulator: \(error)\n", to: STDERR_FILENO)
            throw ExitCode(64)
        }
        if let serverVersion { loaded.version = serverVersion }
        let echo: @Sendable (String) -> Void = { line in EmulatorCommand.say(line) }
        let console = quiet ? nil : echo
        let emulator: JellyfinEmulator
        do {
            emulator = try await JellyfinEmulator.start(
                scenario: loaded, host: host, port: port,
                logDirectory: logDir.map { URL(fileURLWithPath: $0) },
                console: console)
        } catch {
            Self.write("jellyfort-emulator: \(error)\n", to: STDERR_FILENO)
            throw ExitCode(2)
        }
        Self.say("Jellyfin emulator (\(loaded.name), Jellyfin \(loaded.version)) listening on \(emulator.url)")
        if let key = loaded.apiKeys.first {
            Self.say(
                "API key: \(key.token)  (an emulator's test key; administrator: "
                    + "\(loaded.users.first(where: \.isAdministrator)?.name ?? "none"))"
            )
        } else {
            Self.say("API key: none (this scenario has no administrator yet)")
        }
        Self.say("Scenario: \(loaded.summary)")
        var discovery: DiscoveryResponder?
        if let discoveryPort {
            do {
                discovery = try await DiscoveryResponder.start(
                    host: host, port: discoveryPort, server: emulator.server, address: emulator.url)
                Self.say("Answering discovery on UDP \(host):\(discovery?.port ?? discoveryPort)")
            } catch {
                Self.write("jellyfort-emulator: cannot answer discovery on UDP \(host):\(discoveryPort): \(error)\n", to: STDERR_FILENO)
                await emulator.stop()
                throw ExitCode(2)
            }
        }
        Self.say("Press Ctrl-C to stop.")
        let signals = SignalWaiter()
        await signals.wait()
        await discovery?.stop()
        await emulator.stop()
    }
}

extension EmulatorCommand {
    /// `write(2)`: a closed stream is ignored, never a trap.
    static func write(_ text: String, to descriptor: Int32) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            guard written > 0 else { return }
            bytes = bytes.dropFirst(written)
        }
    }

    /// Unbuffered, so a script reading our output sees each line at once.
    static func say(_ line: String) {
        write(line + "\n", to: STDOUT_FILENO)
    }
}

/// Waits for SIGINT or SIGTERM, so the emulator stops cleanly and frees its port.
struct SignalWaiter {
    func wait() async {
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let sources = [SIGINT, SIGTERM].map { DispatchSource.makeSignalSource(signal: $0, queue: .main) }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let once = OnceFlag()
            for source in sources {
                source.setEventHandler {
                    if once.claim() { continuation.resume() }
                }
                source.resume()
            }
        }
        for source in sources { source.cancel() }
    }
}

final class OnceFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false
    func claim() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if done { return false }
        done = true
        return true
    }
}
