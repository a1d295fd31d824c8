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
            FileManager.default.createFile(atPath: inputURL.path, contents: Data(input ?? []))
        else { throw .cannotStart(executable) }
        // posix_spawn and waitpid, not Foundation's Process: Process learns of the end of its child
        // through a run-loop socket that Foundation cannot always create (seen in a network
        // namespace whose loopback is down), and then never hears of it.
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, input == nil ? "/dev/null" : inputURL.path, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputURL.path, O_WRONLY | O_TRUNC, 0)
        posix_spawn_file_actions_addopen(&actions, 2, errorURL.path, O_WRONLY | O_TRUNC, 0)
        let environmentList = (environment ?? ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": scratch.path, "LANG": "C"])
            .map { "\($0.key)=\($0.value)" }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environmentList.map { strdup($0) } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        guard posix_spawn(&pid, executable, &actions, nil, argv, envp) == 0 else { throw .cannotStart(executable) }
        let deadline = ContinuousClock.now + timeLimit
        var status: Int32 = 0
        var pause: UInt32 = 200
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid || (reaped == -1 && errno != EINTR) { break }
            if ContinuousClock.now >= deadline {
                kill(pid, SIGTERM)
                usleep(200_000)
                if waitpid(pid, &status, WNOHANG) != pid {
                    kill(pid, SIGKILL)
                    waitpid(pid, &status, 0)
                }
                throw .timedOut(executable, timeLimit)
            }
            usleep(pause)
            pause = min(pause * 2, 5000)
        }
        let exitStatus: Int32 = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        let collected = readPrefix(outputURL, limit: outputLimit)
        let errorData = readPrefix(errorURL, limit: 8192)
        return Result(status: exitStatus, output: Array(collected), errors: String(decoding: errorData, as: UTF8.self))
    }

    /// At most `limit` bytes from the start of a file, the file closed again at once.
    static func readPrefix(_ url: URL, limit: Int) -> Data {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return Data() }
        defer { try? handle.close() }
        return ((try? handle.read(upToCount: limit)) ?? nil) ?? Data()
    }
}
