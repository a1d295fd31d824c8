import Foundation
import JellyfortBase
import JellyfortCore

/// `podman inspect` JSON (an array of containers).
enum InspectParser {
    static func parse(_ value: JSONValue, path: String) -> [ContainerFacts] {
        (value.arrayValue ?? []).compactMap(\.objectValue).filter { $0["HostConfig"] != nil }.map { container in
            let host = container["HostConfig"]?.objectValue ?? JSONObject()
            let config = container["Config"]?.objectValue ?? JSONObject()
            var flags = ContainerFlags(source: .inspect, location: FileLocation(path: path, line: nil))
            flags.facts.image = container["ImageName"]?.stringValue ?? config["Image"]?.stringValue
            flags.facts.user = config["User"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
            flags.facts.userNamespace = host["UsernsMode"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
            flags.facts.privileged = host["Privileged"]?.boolValue ?? false
            flags.facts.network = host["NetworkMode"]?.stringValue
            flags.facts.pidHost = host["PidMode"]?.stringValue == "host"
            for capability in host["CapAdd"]?.arrayValue?.compactMap(\.stringValue) ?? [] { flags.capabilityAdd(capability) }
            for capability in host["CapDrop"]?.arrayValue?.compactMap(\.stringValue) ?? [] { flags.capabilityDrop(capability) }
            let bounding = container["BoundingCaps"]?.arrayValue ?? []
            if bounding.isEmpty, container["BoundingCaps"] != nil { flags.facts.dropsAllCapabilities = true }
            for option in host["SecurityOpt"]?.arrayValue?.compactMap(\.stringValue) ?? [] { flags.securityOption(option) }
            for device in host["Devices"]?.arrayValue?.compactMap(\.objectValue) ?? [] {
                if let path = device["PathOnHost"]?.stringValue { flags.facts.devices.append(path) }
            }
            for mount in container["Mounts"]?.arrayValue?.compactMap(\.objectValue) ?? [] {
                var options = mount["Options"]?.arrayValue?.compactMap(\.stringValue) ?? []
                if mount["RW"]?.boolValue == false { options.append("ro") }
                if let mode = mount["Mode"]?.stringValue, !mode.isEmpty { options.append(mode) }
                flags.facts.mounts.append(
                    .init(
                        source: mount["Source"]?.stringValue ?? "", target: mount["Destination"]?.stringValue ?? "", options: options,
                        line: nil))
            }
            for (containerPort, bindings) in host["PortBindings"]?.objectValue?.fields ?? [:] {
                for binding in bindings.arrayValue?.compactMap(\.objectValue) ?? [] {
                    let hostIP = binding["HostIp"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
                    flags.facts.publishes.append(
                        .init(
                            hostIP: hostIP, hostPort: binding["HostPort"]?.stringValue ?? "",
                            containerPort: String(containerPort.split(separator: "/").first ?? ""), line: nil))
                }
            }
            flags.facts.autoUpdateLabel = config["Labels"]?.objectValue?["io.containers.autoupdate"]?.stringValue
            return flags.facts
        }
    }
}
