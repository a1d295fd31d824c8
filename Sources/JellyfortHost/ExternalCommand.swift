import Foundation
import JellyfortBase

/// A program Jellyfort runs (caddy, nft, firewall-cmd, cscli): arguments as an array, never a
/// shell; a time limit; output through files, so a large answer cannot fill a pipe and stall
/// it; and a bounded amount of that output read back.
public enum ExternalCommand {
    public struct Result: Sendable {
        public var status: Int32
        public var output: [UInt8]
        public var errors: String

        /// The last line of the error output that says something, for a one-line message.
        public var errorLine: String {
            let lines = errors.split(whereSeparator: \.isNewline)
            let line = lines.last { $0.contains("Error") || $0.contains("error") } ?? lines.last ?? ""
            return Sanitized.terminal(String(line.prefix(200)))
        }
    }

    public enum Failure: Error, Sendable, Equatable {
        case notInstalled(String)
        case timedOut(String, Duration)
        case cannotStart(String)
    }

    /// The first of `candidates` that is an executable file.
    public static func find(_ candidates: [String]) -> String? {
        candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    public static func run(
        _ executable: String, _ arguments: [String], input: [UInt8]? = nil, timeLimit: Duration = .seconds(10),
        outputLimit: Int = 16 << 20, environment: [String: String]? = nil
    ) throws(Failure) -> Result {
        guard FileManager.default.isExecutableFile(atPath: executable) else { throw .notInstalled(executable) }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("jellyfort-run-\(UUID().uuidString)")
        guard (try? FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)) != nil else {
            throw .cannotStart(executable)
        }
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outputURL = scratch.appendingPathComponent("out")
        let errorURL = scratch.appendingPathComponent("err")
        let inputURL = scratch.appendingPathComponent("in")
        guard FileManager.default.createFile(atPath: outputURL.path, contents: nil),
            FileManager.default.createFile(atPath: errorURL.path, contents: nil),
            FileManager.default.createFile(atPath: inputURL.path, contents: Data(input ?? [])),
            let output = try? FileHandle(forWritingTo: outputURL), let errors = try? FileHandle(forWritingTo: errorURL),
            let inputHandle = try? FileHandle(forReadingFrom: inputURL)
        else { throw .cannotStart(executable) }
        defer {
            try? output.close()
            try? errors.close()
            try? inputHandle.close()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment ?? ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": scratch.path, "LANG": "C"]
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = input == nil ? FileHandle.nullDevice : inputHandle
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        do { try process.run() } catch { throw .cannotStart(executable) }
        let seconds = Double(timeLimit.components.seconds) + Double(timeLimit.components.attoseconds) / 1e18
        if finished.wait(timeout: .now() + seconds) == .timedOut {
            process.terminate()
            if finished.wait(timeout: .now() + 1) == .timedOut { kill(process.processIdentifier, SIGKILL) }
            throw .timedOut(executable, timeLimit)
        }
        let collected: Data = ((try? FileHandle(forReadingFrom: outputURL).read(upToCount: outputLimit)) ?? nil) ?? Data()
        let errorData: Data = ((try? FileHandle(forReadingFrom: errorURL).read(upToCount: 8192)) ?? nil) ?? Data()
        return Result(status: process.terminationStatus, output: Array(collected), errors: String(decoding: errorData, as: UTF8.self))
    }
}
