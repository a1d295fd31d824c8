import Foundation
import JellyfortCore

/// A systemd-style INI file: sections, `Key=Value` lines with line numbers, `\` continuations.
struct INIFile {
    struct Entry {
        var section: String
        var key: String
        var value: String
        var line: Int
    }

    var entries: [Entry] = []

    init(_ text: String) {
        var section = ""
        var pending: (key: String, value: String, line: Int)?
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = raw.trimmingCharacters(in: .whitespaces)
            if var open = pending {
                let continues = line.hasSuffix("\\")
                if continues { line.removeLast() }
                open.value += " " + line.trimmingCharacters(in: .whitespaces)
                if continues {
                    pending = open
                } else {
                    entries.append(Entry(section: section, key: open.key, value: open.value, line: open.line))
                    pending = nil
                }
                continue
            }
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast())
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.hasSuffix("\\") {
                value.removeLast()
                pending = (key, value.trimmingCharacters(in: .whitespaces), index + 1)
            } else {
                entries.append(Entry(section: section, key: key, value: value, line: index + 1))
            }
        }
        if let open = pending { entries.append(Entry(section: section, key: open.key, value: open.value, line: open.line)) }
    }

    func values(_ section: String, _ key: String) -> [Entry] { entries.filter { $0.section == section && $0.key == key } }
}

/// A Podman Quadlet `.pod` unit: the ports it publishes for its containers.
enum QuadletPodParser {
    static func publishes(_ text: String, path: String) -> [ContainerFacts.Publish] {
        var flags = ContainerFlags(source: .quadlet, location: FileLocation(path: path, line: nil))
        for entry in INIFile(text).entries where entry.section == "Pod" && entry.key == "PublishPort" {
            flags.publish(entry.value, line: entry.line)
        }
        return flags.facts.publishes
    }
}

/// A Podman Quadlet `.container` unit.
enum QuadletParser {
    static func parse(_ text: String, path: String) -> ContainerFacts? {
        let ini = INIFile(text)
        let container = ini.entries.filter { $0.section == "Container" }
        guard !container.isEmpty else { return nil }
        var flags = ContainerFlags(source: .quadlet, location: FileLocation(path: path, line: container.first?.line))
        // A system unit runs under the root Podman: one in a system folder, or one wanted by
        // multi-user.target that is not in a user's folder.
        let userFolder = path.contains("/.config/containers/systemd/") || path.contains("/containers/systemd/users/")
        let systemFolder = path.contains("/etc/containers/systemd/") || path.contains("/usr/share/containers/systemd/")
        let wantedBySystem = ini.entries.contains {
            $0.section == "Install" && $0.key == "WantedBy" && $0.value.contains("multi-user.target")
        }
        if !userFolder, systemFolder || wantedBySystem { flags.facts.rootfulEngine = true }
        for entry in container {
            let value = entry.value
            switch entry.key {
            case "Image":
                flags.facts.image = value
                // Image=jellyfin.image names a Quadlet .image unit: the real reference is in it.
                if value.hasSuffix(".image") || value.hasSuffix(".build") { flags.facts.imageElsewhere = value }
            case "User": flags.facts.user = value
            case "UserNS": flags.facts.userNamespace = value
            case "Network":
                // Network=media.network is a Quadlet network unit: a bridge, with rootlessport's address rewriting.
                flags.facts.network = value.hasSuffix(".network") ? "bridge:\(value)" : value
            case "PublishPort": flags.publish(value, line: entry.line)
            // The ports of a container in a pod are the pod's: in its .pod unit.
            case "Pod": flags.facts.portsElsewhere = value
            case "Volume": flags.volume(value, line: entry.line)
            case "Mount": flags.mount(value, line: entry.line)
            case "AutoUpdate": flags.facts.autoUpdateLabel = value
            case "Label": flags.label(value)
            case "NoNewPrivileges": flags.facts.noNewPrivileges = value.lowercased() == "true"
            case "DropCapability": flags.capabilityDrop(value.split(separator: " ").joined(separator: ","))
            case "AddCapability": flags.capabilityAdd(value.split(separator: " ").joined(separator: ","))
            case "AddDevice": flags.facts.devices.append(value)
            case "SecurityLabelDisable": break
            case "PodmanArgs":
                let words = ShellWords.split(value)
                RunCommandParser.apply(words, to: &flags, line: entry.line)
            default: break
            }
        }
        return flags.facts
    }
}
