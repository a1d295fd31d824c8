import Foundation

/// Network namespaces joined by veth pairs, addressed from the documentation ranges only
/// (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24): hosts that exist only inside the test, so
/// that real packets cross a real kernel path and reach nothing outside. Needs root (CI runs as
/// root); `remove()` deletes every namespace, which also deletes their links.
public final class NetworkLab: @unchecked Sendable {
    public let prefix: String
    public private(set) var namespaces: [String] = []
    private var links = 0
    private var background: [Process] = []

    public init(_ name: String) {
        prefix = "jf\(name.prefix(4))\(UInt16.random(in: 0...UInt16.max))"
    }

    /// Whether this machine lets a test make namespaces; the reason when it does not.
    public static func unavailableReason() -> String? {
        guard getuid() == 0 else { return "this test builds network namespaces: run it as root (CI does)" }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/ip") || FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip")
        else { return "ip is not installed: scripts/test installs Debian's iproute2" }
        return nil
    }

    /// A new namespace, loopback up; returns its full name.
    @discardableResult
    public func host(_ name: String) async throws -> String {
        let namespace = "\(prefix)-\(name)"
        try await ip(["netns", "add", namespace])
        namespaces.append(namespace)
        try await ip(["-n", namespace, "link", "set", "lo", "up"])
        return namespace
    }

    /// A cable between two namespaces, each end with its address (`203.0.113.1/24`).
    public func connect(_ left: String, _ leftAddress: String, _ right: String, _ rightAddress: String) async throws {
        links += 1
        let leftLink = "v\(links)a\(prefix.suffix(5))"
        let rightLink = "v\(links)b\(prefix.suffix(5))"
        try await ip(["link", "add", leftLink, "type", "veth", "peer", "name", rightLink])
        try await ip(["link", "set", leftLink, "netns", left])
        try await ip(["link", "set", rightLink, "netns", right])
        try await ip(["-n", left, "addr", "add", leftAddress, "dev", leftLink])
        try await ip(["-n", right, "addr", "add", rightAddress, "dev", rightLink])
        try await ip(["-n", left, "link", "set", leftLink, "up"])
        try await ip(["-n", right, "link", "set", rightLink, "up"])
    }

    /// Runs a command inside a namespace and waits for it.
    public func run(in namespace: String, _ command: [String], package: String = "iproute2") async throws -> ToolResult {
        try await runTool("ip", package: package, ["netns", "exec", namespace] + command)
    }

    /// Starts a long-running command inside a namespace; it is stopped by `remove()`.
    public func start(in namespace: String, _ command: [String], log: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ip")
        process.arguments = ["netns", "exec", namespace] + command
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        background.append(process)
    }

    /// `curl` from a namespace: the HTTP status, or "000" when nothing answered within `seconds`.
    public func httpStatus(from namespace: String, _ url: String, seconds: Int = 2) async throws -> String {
        let result = try await runTool(
            "ip", package: "curl",
            ["netns", "exec", namespace, "curl", "-s", "-o", "/dev/null", "-m", String(seconds), "-w", "%{http_code}", url])
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Daemons started by the test are killed outright (SIGKILL): a child of the test process
    /// may have SIGTERM blocked, and whatever they left in the kernel goes with their namespace.
    /// Polls `url` from a namespace until it answers 200 (a server still starting), at most five
    /// seconds; returns the last status.
    public func waitForHTTP(from namespace: String, _ url: String) async throws -> String {
        var status = ""
        for _ in 0..<50 where status != "200" {
            try await Task.sleep(for: .milliseconds(100))
            status = try await httpStatus(from: namespace, url)
        }
        return status
    }

    public func remove() {
        for process in background where process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        for namespace in namespaces {
            _ = try? Process.run(URL(fileURLWithPath: "/usr/bin/ip"), arguments: ["netns", "del", namespace]).waitUntilExit()
        }
        namespaces.removeAll()
    }

    @discardableResult
    private func ip(_ arguments: [String]) async throws -> ToolResult {
        let result = try await runTool("ip", package: "iproute2", arguments)
        guard result.status == 0 else { throw FixtureError("ip \(arguments.joined(separator: " ")) failed: \(result.output)") }
        return result
    }
}
