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
        guard let binary = ExternalCommand.find(candidates),
            let result = try? ExternalCommand.run(
                binary, ["adapt", "--config", path, "--adapter", "caddyfile"], timeLimit: timeLimit, outputLimit: outputLimit + 1,
                environment: ["PATH": "/usr/bin:/bin", "HOME": FileManager.default.temporaryDirectory.path])
        else { return .unavailable }
        guard result.status == 0 else { return .refused(result.errorLine) }
        guard result.output.count <= outputLimit, let json = try? JSONParser.parse(result.output) else { return .unavailable }
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
