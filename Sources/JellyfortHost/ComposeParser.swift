import Foundation
import JellyfortBase
import JellyfortCore

/// A compose file's services that run Jellyfin.
enum ComposeParser {
    static func parse(_ text: String, path: String) throws -> [ContainerFacts] {
        guard let document = try BoundedYAML.load(text) as? [String: Any], document["services"] is [String: Any] else { return [] }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        var interpolation = ComposeInterpolation(variables: environment(beside: folder))
        guard let root = interpolation.apply(document) as? [String: Any], let services = root["services"] as? [String: Any] else {
            return []
        }
        let unset = Array(Set(interpolation.unresolved)).sorted()
        let isPodmanCompose = URL(fileURLWithPath: path).lastPathComponent.lowercased().contains("podman") || root["x-podman"] != nil
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        func line(of needle: String) -> Int? {
            lines.firstIndex { $0.contains(needle) }.map { $0 + 1 }
        }
        var results: [ContainerFacts] = []
        for (name, value) in services.sorted(by: { $0.key < $1.key }) {
            guard let service = value as? [String: Any] else { continue }
            let image = service["image"] as? String
            guard (image ?? name).lowercased().contains("jellyfin") else { continue }
            var flags = ContainerFlags(source: .compose, location: FileLocation(path: path, line: line(of: "\(name):")), engine: "compose")
            // podman-compose runs rootless Podman as the user; Docker Compose talks to the root daemon.
            flags.facts.rootfulEngine = !isPodmanCompose
            flags.facts.engine = isPodmanCompose ? "podman" : "compose"
            if !unset.isEmpty {
                flags.facts.notUnderstood.append(
                    "\(unset.map { "$\($0)" }.joined(separator: ", ")) \(unset.count == 1 ? "is" : "are") set neither in .env nor with a default, "
                        + "so the values that use \(unset.count == 1 ? "it" : "them") are not known")
            }
            if service["extends"] != nil { flags.facts.notUnderstood.append("extends: takes settings from another service or file") }
            flags.facts.image = image
            flags.facts.user = (service["user"] as? String) ?? (service["user"] as? Int).map(String.init)
            flags.facts.userNamespace = service["userns_mode"] as? String
            flags.facts.privileged = service["privileged"] as? Bool ?? false
            flags.facts.network = service["network_mode"] as? String
            flags.facts.pidHost = (service["pid"] as? String) == "host"
            flags.facts.ipcHost = (service["ipc"] as? String) == "host"
            for capability in service["cap_add"] as? [String] ?? [] { flags.capabilityAdd(capability) }
            for capability in service["cap_drop"] as? [String] ?? [] { flags.capabilityDrop(capability) }
            for option in service["security_opt"] as? [String] ?? [] { flags.securityOption(option) }
            for device in service["devices"] as? [String] ?? [] {
                flags.facts.devices.append(String(device.split(separator: ":").first ?? ""))
            }
            for port in service["ports"] as? [Any] ?? [] {
                if let text = port as? String {
                    flags.publish(text, line: line(of: text))
                } else if let number = port as? Int {
                    flags.publish(String(number), line: nil)
                } else if let long = port as? [String: Any], let target = long["target"].map({ "\($0)" }) {
                    // Long syntax: target, published, host_ip (every interface when absent).
                    let published = long["published"].map { "\($0)" } ?? target
                    let host = (long["host_ip"] as? String).map { $0.contains(":") ? "[\($0)]:" : "\($0):" } ?? ""
                    flags.publish("\(host)\(published):\(target)", line: line(of: "target: \(target)"))
                }
            }
            for volume in service["volumes"] as? [Any] ?? [] {
                if let text = volume as? String {
                    flags.volume(text, line: line(of: text))
                } else if let long = volume as? [String: Any], let target = long["target"] as? String {
                    var options: [String] = []
                    if long["read_only"] as? Bool == true || (long["read_only"] as? String)?.lowercased() == "true" { options.append("ro") }
                    if let selinux = (long["bind"] as? [String: Any])?["selinux"] as? String { options.append(selinux) }
                    let type = long["type"] as? String ?? "volume"
                    let source = long["source"] as? String ?? ""
                    // A named volume is not a host folder: it never carries a host path's label or mode.
                    flags.facts.mounts.append(
                        .init(
                            source: type == "bind" ? source : "volume:\(source)", target: target, options: options, line: line(of: target)))
                }
            }
            // Relative sources are relative to the compose file's folder.
            for index in flags.facts.mounts.indices {
                let source = flags.facts.mounts[index].source
                if source.hasPrefix("./") || source.hasPrefix("../") || source == "." {
                    flags.facts.mounts[index].source = folder.appendingPathComponent(source).standardized.path
                }
            }
            // linuxserver.io images drop to PUID:PGID inside; PUID=0 keeps root.
            // environment: wins over env_file:, as in Compose.
            var environment = Self.environmentFiles(service["env_file"], folder: folder)
            environment.merge(Self.environment(of: service["environment"])) { _, inline in inline }
            // network_mode: service:X or container:X shares another container's network: its ports are there.
            if let mode = flags.facts.network, mode.hasPrefix("service:") || mode.hasPrefix("container:") {
                flags.facts.portsElsewhere = "\(mode) (network_mode)"
            }
            if flags.facts.user == nil, let uid = environment["PUID"] {
                flags.facts.user = uid + (environment["PGID"].map { ":\($0)" } ?? "")
            }
            if let labels = service["labels"] as? [String: Any] {
                for (key, value) in labels { flags.label("\(key)=\(value)") }
            } else if let labels = service["labels"] as? [String] {
                for label in labels { flags.label(label) }
            }
            results.append(flags.facts)
        }
        return results
    }

    /// The `.env` file beside the compose file, if there is one (a regular file under 1 MiB).
    static func environment(beside folder: URL) -> [String: String] {
        let path = folder.appendingPathComponent(".env").path
        guard case .regularFile(let size) = PathKind.of(path), size < 1 << 20, let data = FileManager.default.contents(atPath: path) else {
            return [:]
        }
        return ComposeInterpolation.environmentFile(String(decoding: data, as: UTF8.self))
    }

    /// `env_file:` (a path, a list of paths, or the long form with `path:`), read beside the compose file.
    static func environmentFiles(_ value: Any?, folder: URL) -> [String: String] {
        var paths: [String] = []
        if let single = value as? String { paths = [single] }
        for item in value as? [Any] ?? [] {
            if let text = item as? String {
                paths.append(text)
            } else if let long = item as? [String: Any], let path = long["path"] as? String {
                paths.append(path)
            }
        }
        var result: [String: String] = [:]
        for path in paths.prefix(16) {
            let file = path.hasPrefix("/") ? URL(fileURLWithPath: path) : folder.appendingPathComponent(path)
            guard case .regularFile(let size) = PathKind.of(file.path), size < 1 << 20,
                let data = FileManager.default.contents(atPath: file.path)
            else {
                continue
            }
            result.merge(ComposeInterpolation.environmentFile(String(decoding: data, as: UTF8.self))) { _, later in later }
        }
        return result
    }

    /// `environment:` as a list of `KEY=VALUE` or as a mapping.
    static func environment(of value: Any?) -> [String: String] {
        if let map = value as? [String: Any] { return map.mapValues { "\($0)" } }
        var result: [String: String] = [:]
        for item in value as? [Any] ?? [] {
            guard let text = item as? String, let equals = text.firstIndex(of: "=") else { continue }
            result[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        return result
    }
}
