import Foundation

/// Runs a real program (caddy, nft, fail2ban-regex, firewall-offline-cmd) and collects its output.
/// A missing program is a failure that names the Debian package, never a silent pass.
public struct ToolResult: Sendable {
    public var status: Int32
    public var output: String
}

public func runTool(_ name: String, package: String, _ arguments: [String], environment: [String: String] = [:], in folder: URL? = nil)
    async throws -> ToolResult
{
    let paths = ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/bin"]
    guard let binary = paths.map({ "\($0)/\(name)" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
        throw FixtureError("\(name) is not installed: scripts/test installs Debian's \(package) package")
    }
    let scratch = temporaryDirectory("tool")
    defer { try? FileManager.default.removeItem(at: scratch) }
    let out = scratch.appendingPathComponent("out")
    _ = FileManager.default.createFile(atPath: out.path, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for (key, value) in environment { env[key] = value }
    process.environment = env
    if let folder { process.currentDirectoryURL = folder }
    let handle = try FileHandle(forWritingTo: out)
    process.standardOutput = handle
    process.standardError = handle
    process.standardInput = FileHandle.nullDevice
    let (exited, continuation) = AsyncStream<Void>.makeStream()
    process.terminationHandler = { _ in
        continuation.yield()
        continuation.finish()
    }
    try process.run()
    for await _ in exited { break }
    return ToolResult(status: process.terminationStatus, output: (try? String(contentsOf: out, encoding: .utf8)) ?? "")
}
