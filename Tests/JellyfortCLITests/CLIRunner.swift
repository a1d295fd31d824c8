import Foundation
import JellyfortTestSupport

/// Runs the built `jellyfort` binary the way a person or a script would.
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

enum CLI {
    static var binary: URL {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("jellyfort")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        return repositoryRoot.appendingPathComponent(".build/debug/jellyfort")
    }

    /// Waits for the process without blocking a thread of the concurrency pool: the emulator the
    /// command talks to runs on that same pool, in this process.
    static func run(_ arguments: [String], environment: [String: String] = [:], workingDirectory: URL? = nil) async throws -> CLIResult {
        try await runProgram(binary, arguments, environment: environment, workingDirectory: workingDirectory)
    }

    static func runProgram(_ program: URL, _ arguments: [String], environment: [String: String] = [:], workingDirectory: URL? = nil)
        async throws -> CLIResult
    {
        let folder = temporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out")
        let err = folder.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["JELLYFORT_API_KEY"] = nil
        env["JELLYFORT_PASSWORD"] = nil
        env["NO_COLOR"] = "1"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        if let workingDirectory { process.currentDirectoryURL = workingDirectory }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        let (exited, continuation) = AsyncStream<Void>.makeStream()
        process.terminationHandler = { _ in
            continuation.yield()
            continuation.finish()
        }
        try process.run()
        for await _ in exited { break }
        return CLIResult(
            status: process.terminationStatus,
            stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    /// Runs a shell command line with `$JELLYFORT` set to the binary (for redirections such as
    /// a closed standard output that `Process` cannot express).
    static func runShell(_ commandLine: String) async throws -> CLIResult {
        try await runProgram(URL(fileURLWithPath: "/bin/sh"), ["-c", commandLine], environment: ["JELLYFORT": binary.path])
    }

    /// A file holding `text`, readable by the test only.
    static func secretFile(_ text: String) throws -> String {
        let path = temporaryDirectory("secret").appendingPathComponent("key").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        return path
    }
}
