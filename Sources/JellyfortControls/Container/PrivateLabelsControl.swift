import JellyfortBase
import JellyfortCore

/// Guide item 2.
struct PrivateLabelsControl: Control {
    static let description = ControlDescription(
        id: .containerPrivateLabels, title: "Volumes carry private SELinux labels; no broad host paths", guideItem: 2, severity: .medium,
        rationale:
            "A private label (:Z) confines each volume to this container. Mounting /, /home, /etc or the "
            + "Podman socket gives the container the keys to the host.",
        remediation: Remediation("Use :Z on config and cache volumes and mount only the folders Jellyfin needs (jellyfort deploy)."),
        evidence: [.host])

    static let examples = [
        ControlExample("private labels", .pass, Sample.deployment()),
        ControlExample(
            "no /config mount found", .unknown, Sample.deployment { $0.containers = [Sample.container { $0.mounts.removeFirst() }] }),
        ControlExample("config without :Z", .fail, Sample.deployment { $0.containers = [Sample.container { $0.mounts[0].options = [] }] }),
        ControlExample(
            "the podman socket mounted", .fail,
            Sample.deployment {
                $0.containers = [
                    Sample.container {
                        $0.mounts.append(
                            .init(source: "/run/user/1000/podman/podman.sock", target: "/var/run/docker.sock", options: [], line: 21))
                    }
                ]
            }),
    ]

    static func evaluate(_ evidence: Evidence) -> Verdict {
        evidence.withContainers { containers, _ in
            var findings: [Finding] = []
            for container in containers {
                for mount in container.mounts {
                    if BroadHostPaths.contains(mount.source) {
                        findings.append(
                            .at(
                                container.at(mount.line), "mounts \(mount.source), which reaches far beyond Jellyfin's own folders",
                                ["Source": .string(mount.source)]))
                    } else if ["/config", "/cache"].contains(mount.target), mount.isHostPath, !mount.hasPrivateLabel {
                        findings.append(
                            .at(
                                container.at(mount.line), "\(mount.target) has no private SELinux label (:Z)",
                                ["Options": JSONValue(mount.options)]))
                    }
                }
            }
            guard findings.isEmpty else { return .fail("\(plural(findings.count, "volume problem"))", findings: findings) }
            // A pass needs the folders it speaks of: no /config bind mount found is not "labelled".
            let configMounts = containers.flatMap(\.mounts).filter { $0.target == "/config" && $0.isHostPath }
            guard !configMounts.isEmpty else {
                return .unknown(
                    "no bind mount of /config was found, so its label cannot be checked (a named volume, or a path Jellyfort could not read)"
                )
            }
            return .pass("config and cache carry private labels; no broad host path is mounted")
        }
    }
}
