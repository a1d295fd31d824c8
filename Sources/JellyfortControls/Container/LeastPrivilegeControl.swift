import JellyfortBase
import JellyfortCore

struct LeastPrivilegeControl: Control {
    static let description = ControlDescription(
        id: .containerLeastPrivilege, title: "The container has no extra privileges", guideItem: nil, severity: .medium,
        rationale:
            "Added capabilities, --privileged, devices beyond /dev/dri, or the host's network or PID "
            + "namespace each hand a compromised Jellyfin more of the machine.",
        remediation: Remediation(
            "Drop all capabilities, set NoNewPrivileges, pass only /dev/dri for hardware transcoding (jellyfort deploy --gpu)."),
        evidence: [.host])

    static let examples = [
        ControlExample("as deployed", .pass, Sample.deployment()),
        ControlExample("GPU is fine", .pass, Sample.deployment { $0.containers = [Sample.container { $0.devices = ["/dev/dri"] }] }),
        ControlExample(
            "added capability", .fail, Sample.deployment { $0.containers = [Sample.container { $0.addedCapabilities = ["SYS_ADMIN"] }] }),
        ControlExample("host network", .fail, Sample.deployment { $0.containers = [Sample.container { $0.network = "host" }] }),
        ControlExample(
            "no no-new-privileges", .fail, Sample.deployment { $0.containers = [Sample.container { $0.noNewPrivileges = false }] }),
    ]

    static func evaluate(_ evidence: Evidence) -> Verdict {
        evidence.withContainers { containers, _ in
            var findings: [Finding] = []
            for container in containers {
                let at = container.at(nil)
                if container.privileged { findings.append(.at(at, "--privileged")) }
                if !container.addedCapabilities.isEmpty {
                    findings.append(
                        .at(
                            at, "adds capabilities \(container.addedCapabilities.joined(separator: ", "))",
                            ["CapAdd": JSONValue(container.addedCapabilities)]))
                }
                if !container.noNewPrivileges { findings.append(.at(at, "no NoNewPrivileges (--security-opt no-new-privileges)")) }
                for device in container.devices where !device.hasPrefix("/dev/dri") {
                    findings.append(.at(at, "passes the device \(device)", ["Device": .string(device)]))
                }
                if container.network == "host" { findings.append(.at(at, "shares the host's network namespace")) }
                if container.pidHost { findings.append(.at(at, "shares the host's PID namespace")) }
                if container.ipcHost { findings.append(.at(at, "shares the host's IPC namespace")) }
            }
            guard findings.isEmpty else {
                return .fail("the container has \(plural(findings.count, "extra privilege"))", findings: findings)
            }
            return .pass("no extra capabilities, devices or host namespaces; no-new-privileges set")
        }
    }
}
