import JellyfortBase
import JellyfortCore

/// Guide item 1.
struct RootlessControl: Control {
    static let description = ControlDescription(
        id: .containerRootless, title: "The container runs rootless", guideItem: 1, severity: .high,
        rationale:
            "A container engine running as root means a container escape is root on the host. Rootless "
            + "Podman with UserNS=keep-id maps the container's user to an unprivileged one.",
        remediation: Remediation(
            "Run Jellyfin with rootless Podman: the Quadlet unit from jellyfort deploy (UserNS=keep-id, no --privileged)."),
        evidence: [.host])

    static let examples = [
        ControlExample("rootless Quadlet with keep-id", .pass, Sample.deployment()),
        ControlExample("no user namespace", .fail, Sample.deployment { $0.containers = [Sample.container { $0.userNamespace = nil }] }),
        ControlExample("privileged", .fail, Sample.deployment { $0.containers = [Sample.container { $0.privileged = true }] }),
        ControlExample("sudo podman run", .fail, Sample.deployment { $0.containers = [Sample.container { $0.rootfulEngine = true }] }),
        ControlExample("files without a container", .unknown, Sample.deployment { $0.containers = [] }),
        ControlExample("no deployment files", .unknown, Sample.evidence()),
    ]

    static func evaluate(_ evidence: Evidence) -> Verdict {
        evidence.withContainers { containers, _ in
            var findings: [Finding] = []
            for container in containers {
                let at = container.at(nil)
                if container.rootfulEngine {
                    findings.append(
                        .at(
                            at,
                            "\(container.engine == "podman" ? "sudo podman (or a system unit)" : container.engine) runs the container as root on the host"
                        )
                    )
                }
                if container.privileged {
                    findings.append(.at(at, "--privileged gives the container root's powers on the host", ["privileged": true]))
                }
                if let user = container.user, ["0", "root", "0:0"].contains(user) {
                    findings.append(.at(at, "runs as user \(user)", ["User": .string(user)]))
                }
                if !container.rootfulEngine, container.userNamespace?.hasPrefix("keep-id") != true {
                    findings.append(
                        .at(
                            at, "no UserNS=keep-id (--userns keep-id): the container's root is your user, not an unprivileged one",
                            ["UserNS": container.userNamespace.map { .string($0) } ?? .null]))
                }
            }
            guard findings.isEmpty else { return .fail("\(plural(findings.count, "problem")) with running rootless", findings: findings) }
            return .pass("rootless Podman with a user namespace")
        }
    }
}
