import Foundation
import JellyfortBase

/// Caddy's own reading of a Caddyfile (`caddy adapt`), when Caddy is installed: the real parser
/// decides whether the file is valid and which sites and upstreams it holds, and Jellyfort's own
/// reading is trusted only where the two agree. The command runs with a time limit, its
/// arguments as an array, and a bounded output.
enum CaddyAdapt {
    static let candidates = ["/usr/bin/caddy", "/usr/local/bin/caddy", "/usr/sbin/caddy"]
    static let timeLimit: Duration = .seconds(5)
    static let outputLimit = 16 << 20

    enum Reading: Equatable {
        /// Caddy read it: its JSON configuration.
        case read(JSONValue)
        /// Caddy refused it, with its first line of error.
        case refused(String)
        /// No Caddy here, or it did not answer in time: nothing to compare with.
        case unavailable
    }

    static func read(_ path: String) -> Reading {
        guard let binary = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return .unavailable }
        // Output to files, not pipes: a large answer cannot fill a pipe and stall the process.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("jellyfort-adapt-\(UUID().uuidString)")
        guard (try? FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)) != nil else { return .unavailable }
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outputURL = scratch.appendingPathComponent("out")
        let errorURL = scratch.appendingPathComponent("err")
        guard FileManager.default.createFile(atPath: outputURL.path, contents: nil),
            FileManager.default.createFile(atPath: errorURL.path, contents: nil),
            let output = try? FileHandle(forWritingTo: outputURL), let errors = try? FileHandle(forWritingTo: errorURL)
        else { return .unavailable }
        defer {
            try? output.close()
            try? errors.close()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["adapt", "--config", path, "--adapter", "caddyfile"]
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": scratch.path]
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        do { try process.run() } catch { return .unavailable }
        if finished.wait(timeout: .now() + Double(timeLimit.components.seconds)) == .timedOut {
            process.terminate()
            return .unavailable
        }
        let collected: Data = ((try? FileHandle(forReadingFrom: outputURL).read(upToCount: outputLimit + 1)) ?? nil) ?? Data()
        let errorData: Data = ((try? FileHandle(forReadingFrom: errorURL).read(upToCount: 4096)) ?? nil) ?? Data()
        let errorText = String(decoding: errorData, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            let line =
                errorText.split(whereSeparator: \.isNewline).last { $0.contains("Error") } ?? errorText.split(whereSeparator: \.isNewline)
                .last ?? ""
            return .refused(Sanitized.terminal(String(line.prefix(200))))
        }
        guard collected.count <= outputLimit, let json = try? JSONParser.parse(Array(collected)) else { return .unavailable }
        return .read(json)
    }

    /// The host name of a site address as Caddy routes on it (scheme and port dropped).
    static func hostName(_ address: String) -> String? {
        var name = address
        for scheme in ["http://", "https://"] where name.hasPrefix(scheme) { name = String(name.dropFirst(scheme.count)) }
        if name.hasPrefix("[") { return name.split(separator: "]").first.map { String($0.dropFirst()) } }
        let host = String(name.split(separator: ":", omittingEmptySubsequences: false).first ?? "")
        return host.isEmpty ? nil : host
    }
}
