import JellyfinAPI
import JellyfortCore

struct RootlessControl: AwaitingCollectorControl {
    static let description = ControlDescription(
        id: "container.rootless", title: "The container runs rootless", guideItem: 1, severity: .high,
        rationale: "A container engine running as root means a container escape is root on the host. Rootless Podman with UserNS=keep-id maps the container's user to an unprivileged one.",
        remediation: Remediation("Run Jellyfin with rootless Podman: the Quadlet unit from jellyfort deploy (UserNS=keep-id, no --privileged)."),
        evidence: [.host])
}
