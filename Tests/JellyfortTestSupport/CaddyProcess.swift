import Foundation

/// A real Caddy (Debian's `caddy` package) started by a test on loopback, with `tls internal`,
/// and stopped by PID. Its local CA's root certificate is what a client passes as --ca-file.
public final class CaddyProcess: @unchecked Sendable {
    public let folder: URL
    public let process = Process()

    /// The root certificate of Caddy's local CA (`tls internal`).
    public var rootCertificate: URL { folder.appendingPathComponent("data/pki/authorities/local/root.crt") }

    /// Starts `caddy run` with `sites` after a global block that keeps everything in a scratch
    /// folder (no admin API, no trust-store install); returns once `port` accepts connections.
    public init(sites: String, port: Int) async throws {
        guard let binary = ["/usr/bin/caddy", "/usr/local/bin/caddy"].first(where: { FileManager.default.isExecutableFile(atPath: $0) })
        else {
            throw FixtureError("Caddy is not installed: scripts/test installs Debian's caddy package (apt-get install caddy)")
        }
        folder = temporaryDirectory("caddy")
        let caddyfile = folder.appendingPathComponent("Caddyfile")
        let text = """
            {
            \tadmin off
            \tauto_https disable_redirects
            \tskip_install_trust
            \tstorage file_system \(folder.appendingPathComponent("data").path)
            }

            \(sites)
            """
        try text.write(to: caddyfile, atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["run", "--config", caddyfile.path, "--adapter", "caddyfile"]
        var environment = ProcessInfo.processInfo.environment
        environment["XDG_DATA_HOME"] = folder.appendingPathComponent("xdg").path
        environment["XDG_CONFIG_HOME"] = folder.appendingPathComponent("xdg").path
        process.environment = environment
        let log = folder.appendingPathComponent("caddy.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: log)
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if !process.isRunning {
                let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                throw FixtureError("caddy exited at start: \(output.suffix(600))")
            }
            if FileManager.default.fileExists(atPath: rootCertificate.path), isListening(port: port) { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        stop()
        throw FixtureError("caddy did not listen on 127.0.0.1:\(port) within 20 s")
    }

    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: folder)
    }
}

/// A TCP socket bound to a free port on 127.0.0.1, and that port; the caller listens or closes.
public func boundLoopbackSocket() -> (descriptor: Int32, port: Int) {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
    }
    return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
}

/// A TCP port on 127.0.0.1 that nothing listens on right now.
public func freeLoopbackPort() -> Int {
    let (descriptor, port) = boundLoopbackSocket()
    close(descriptor)
    return port
}

/// Whether something accepts TCP connections on 127.0.0.1:port.
public func isListening(port: Int) -> Bool {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    } == 0
}
