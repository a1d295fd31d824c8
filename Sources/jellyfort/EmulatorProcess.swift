import Foundation
import JellyfinAPI

/// The `jellyfort-emulator` program, started for `jellyfort demo` in a process of its own, so the
/// shipped `jellyfort` carries no emulator. It is looked for beside `jellyfort` (where
/// `swift build` and `make install` put both), then on PATH.
final class EmulatorProcess: @unchecked Sendable {
    let url: String
    let apiKey: Secret?
    let summary: String
    private let process: Process

    struct StartError: Error, CustomStringConvertible {
        let description: String
        /// The emulator refused its arguments (an unknown scenario).
        var isUsage = false
    }

    private init(process: Process, url: String, apiKey: Secret?, summary: String) {
        self.process = process
        self.url = url
        self.apiKey = apiKey
        self.summary = summary
    }

    static func locate() -> URL? {
        let own = URL(
            fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        let beside = own.deletingLastPathComponent().appendingPathComponent("jellyfort-emulator")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent("jellyfort-emulator")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    /// Starts the emulator on a free loopback port and waits (at most 30 s) for its address.
    static func start(scenario: String, logDirectory: URL? = nil) async throws(StartError) -> EmulatorProcess {
        guard let program = locate() else {
            throw StartError(
                description:
                    "the demo needs jellyfort-emulator beside jellyfort or on PATH; build both with 'swift build -c "
                    + "release' (or run 'swift run jellyfort demo' in the source folder)"
            )
        }
        let process = Process()
        process.executableURL = program
        process.arguments = ["--scenario", scenario, "--port", "0", "--quiet"] + (logDirectory.map { ["--log-dir", $0.path] } ?? [])
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { throw StartError(description: "cannot start \(program.path): \(error.localizedDescription)") }
        let lines = LineCollector()
        output.fileHandleForReading.readabilityHandler = { handle in lines.add(handle.availableData) }
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let seen = lines.lines
            if let listening = seen.first(where: { $0.contains("listening on ") }),
                let keyLine = seen.first(where: { $0.hasPrefix("API key: ") }),
                let summary = seen.first(where: { $0.hasPrefix("Scenario: ") })
            {
                output.fileHandleForReading.readabilityHandler = nil
                let url = String(listening[listening.range(of: "listening on ")!.upperBound...]).trimmingCharacters(in: .whitespaces)
                let token = keyLine.dropFirst("API key: ".count).split(separator: " ").first.map(String.init)
                return EmulatorProcess(
                    process: process, url: url, apiKey: token == "none" ? nil : token.map(Secret.init),
                    summary: String(summary.dropFirst("Scenario: ".count)))
            }
            if !process.isRunning {
                let reason = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(
                    in: .whitespacesAndNewlines)
                throw StartError(
                    description: reason.isEmpty
                        ? "jellyfort-emulator stopped at once (exit \(process.terminationStatus))"
                        : reason.replacingOccurrences(of: "jellyfort-emulator: ", with: ""),
                    isUsage: process.terminationStatus == 64)
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        throw StartError(description: "jellyfort-emulator did not say where it listens within 30 s")
    }

    /// Stops it (SIGTERM, then SIGKILL after 5 s) and waits for it to end.
    func stop() async {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = ContinuousClock.now + .seconds(5)
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// Lines from a pipe, gathered on the pipe's own queue.
private final class LineCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = Data()

    func add(_ data: Data) {
        lock.lock()
        defer { lock.unlock() }
        if buffer.count < 65_536 { buffer.append(data) }
    }

    var lines: [String] {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: buffer, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}
