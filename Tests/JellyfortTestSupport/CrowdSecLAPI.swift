import Foundation

/// A CrowdSec local API on a free loopback port, with its own configuration and database in a
/// scratch folder (nothing under /etc or /var is touched), and a machine for Jellyfort.
public final class CrowdSecLAPI: @unchecked Sendable {
    public let folder: URL
    let process = Process()
    public let port = freeLoopbackPort()
    public var url: String { "http://127.0.0.1:\(port)" }
    public var config: String { folder.appendingPathComponent("crowdsec/config.yaml").path }
    public var credentials: String { folder.appendingPathComponent("crowdsec/local_api_credentials.yaml").path }

    public init(folder: URL) async throws {
        self.folder = folder
        let base = folder.appendingPathComponent("crowdsec")
        try FileManager.default.createDirectory(at: base.appendingPathComponent("data"), withIntermediateDirectories: true)
        try """
        common:
          daemonize: false
          log_media: stdout
          log_level: info
          working_dir: .
        config_paths:
          config_dir: /etc/crowdsec/
          data_dir: \(base.path)/data/
          simulation_path: /etc/crowdsec/simulation.yaml
          hub_dir: /var/lib/crowdsec/hub/
          index_path: /var/lib/crowdsec/hub/.index.json
          notification_dir: /etc/crowdsec/notifications/
          plugin_dir: /usr/lib/crowdsec/plugins/
        crowdsec_service:
          acquisition_path: \(base.path)/acquis.yaml
        cscli:
          output: human
          hub_branch: master
        db_config:
          type: sqlite
          db_path: \(base.path)/data/crowdsec.db
        api:
          client:
            credentials_path: \(base.path)/local_api_credentials.yaml
          server:
            listen_uri: 127.0.0.1:\(port)
            profiles_path: /etc/crowdsec/profiles.yaml
            trusted_ips: [127.0.0.1, "::1"]
        prometheus:
          enabled: false

        """.write(toFile: base.appendingPathComponent("config.yaml").path, atomically: true, encoding: .utf8)
        let machine = try await cscli(["machines", "add", "jellyfort-test", "--auto", "--force", "-f", credentials])
        guard machine.status == 0 else { throw FixtureError("cscli machines add failed: \(machine.output)") }
        let log = base.appendingPathComponent("crowdsec.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/crowdsec")
        process.arguments = ["-c", config, "-no-cs"]
        process.standardOutput = try FileHandle(forWritingTo: log)
        process.standardError = process.standardOutput
        try process.run()
        for _ in 0..<100 {
            if isListening(port: port) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        stop()
        throw FixtureError("the CrowdSec local API did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
    }

    public func cscli(_ arguments: [String]) async throws -> ToolResult {
        try await runTool("cscli", package: "crowdsec", ["-c", config] + arguments)
    }

    public func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
