import Foundation
import JellyfortCore

/// A compose file's services that run Jellyfin.
enum ComposeParser {
    static func parse(_ text: String, path: String) throws -> [ContainerFacts] {
        guard let root = try BoundedYAML.load(text) as? [String: Any], let services = root["services"] as? [String: Any] else { return [] }
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
            flags.facts.rootfulEngine = true
            flags.facts.image = image
            flags.facts.user = (service["user"] as? String) ?? (service["user"] as? Int).map(String.init)
            flags.facts.userNamespace = service["userns_mode"] as? String
            flags.facts.privileged = service["privileged"] as? Bool ?? false
            flags.facts.network = service["network_mode"] as? String
            flags.facts.pidHost = (service["pid"] as? String) == "host"
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
                }
            }
            for volume in service["volumes"] as? [Any] ?? [] {
                if let text = volume as? String {
                    flags.volume(text, line: line(of: text))
                } else if let long = volume as? [String: Any], let target = long["target"] as? String {
                    var options: [String] = []
                    if long["read_only"] as? Bool == true { options.append("ro") }
                    if let selinux = (long["bind"] as? [String: Any])?["selinux"] as? String { options.append(selinux) }
                    flags.facts.mounts.append(
                        .init(source: long["source"] as? String ?? "", target: target, options: options, line: line(of: target)))
                }
            }
            if let labels = service["labels"] as? [String: Any] {
                flags.facts.autoUpdateLabel = labels["io.containers.autoupdate"] as? String
            } else if let labels = service["labels"] as? [String] {
                for label in labels { flags.label(label) }
            }
            results.append(flags.facts)
        }
        return results
    }
}
