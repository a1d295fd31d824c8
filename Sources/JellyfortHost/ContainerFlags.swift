import Foundation
import JellyfortCore

/// Builds `ContainerFacts` from option/value pairs, whatever syntax they came from (Quadlet keys
/// and run flags mean the same things).
struct ContainerFlags {
    var facts: ContainerFacts

    init(source: ContainerFacts.Source, location: FileLocation, engine: String = "podman", rootful: Bool = false) {
        facts = ContainerFacts(source: source, location: location, engine: engine, rootfulEngine: rootful || engine == "docker")
    }

    /// `SRC:DST[:OPTS]` (volume syntax); `--mount type=bind,source=…,target=…,ro=true,relabel=private`.
    mutating func volume(_ value: String, line: Int?) {
        var parts = value.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        // A Windows drive (C:\media:/media) keeps its colon.
        if parts.count >= 3, parts[0].count == 1, parts[0].first?.isLetter == true, parts[1].hasPrefix("\\") || parts[1].hasPrefix("/") {
            parts = [parts[0] + ":" + parts[1]] + parts.dropFirst(2)
        }
        guard parts.count >= 2 else { return }
        let options = parts.count > 2 ? parts[2].split(separator: ",").map(String.init) : []
        facts.mounts.append(.init(source: parts[0], target: parts[1], options: options, line: line))
    }

    mutating func mount(_ value: String, line: Int?) {
        var fields: [String: String] = [:]
        var flags: [String] = []
        for item in value.split(separator: ",") {
            let pair = item.split(separator: "=", maxSplits: 1).map(String.init)
            if pair.count == 2 { fields[pair[0].lowercased()] = pair[1] } else { flags.append(pair[0]) }
        }
        var options = flags
        if ["true", "1"].contains(fields["ro"] ?? fields["readonly"] ?? "") || flags.contains("ro") || flags.contains("readonly") {
            options.append("ro")
        }
        if let relabel = fields["relabel"] { options.append("relabel=\(relabel)") }
        facts.mounts.append(
            .init(
                source: fields["source"] ?? fields["src"] ?? "", target: fields["target"] ?? fields["destination"] ?? fields["dst"] ?? "",
                options: options, line: line))
    }

    /// `[IP:]HOSTPORT:CONTAINERPORT[/proto]` or `CONTAINERPORT`.
    mutating func publish(_ value: String, line: Int?) {
        let withoutProtocol = String(value.split(separator: "/").first ?? "")
        var parts = withoutProtocol.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        var hostIP: String?
        if withoutProtocol.hasPrefix("["), let close = withoutProtocol.firstIndex(of: "]") {
            hostIP = String(withoutProtocol[withoutProtocol.index(after: withoutProtocol.startIndex)..<close])
            parts = withoutProtocol[withoutProtocol.index(after: close)...].split(separator: ":").map(String.init)
        } else if parts.count == 3 {
            hostIP = parts.removeFirst()
        }
        switch parts.count {
        case 1: facts.publishes.append(.init(hostIP: hostIP, hostPort: parts[0], containerPort: parts[0], line: line))
        case 2:
            facts.publishes.append(
                .init(hostIP: hostIP.flatMap { $0.isEmpty ? nil : $0 }, hostPort: parts[0], containerPort: parts[1], line: line))
        default: break
        }
    }

    mutating func label(_ value: String) {
        let pair = value.split(separator: "=", maxSplits: 1).map(String.init)
        if pair.first == "io.containers.autoupdate" { facts.autoUpdateLabel = pair.count > 1 ? pair[1] : "" }
        // Watchtower (Docker's usual updater) updates containers labelled for it.
        if pair.first == "com.centurylinklabs.watchtower.enable", pair.count > 1, pair[1].lowercased() == "true" {
            facts.autoUpdateLabel = facts.autoUpdateLabel ?? "watchtower"
        }
    }

    mutating func securityOption(_ value: String) {
        if value.hasPrefix("no-new-privileges") { facts.noNewPrivileges = !value.hasSuffix("=false") && !value.hasSuffix(":false") }
    }

    mutating func capabilityDrop(_ value: String) {
        if value.split(separator: ",").contains(where: { $0.lowercased() == "all" }) { facts.dropsAllCapabilities = true }
    }

    mutating func capabilityAdd(_ value: String) {
        facts.addedCapabilities += value.split(separator: ",").map { String($0).uppercased() }
    }
}
