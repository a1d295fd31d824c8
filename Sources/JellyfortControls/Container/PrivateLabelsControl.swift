import JellyfinAPI
import JellyfortCore

struct PrivateLabelsControl: AwaitingCollectorControl {
    static let description = ControlDescription(
        id: "container.private-labels", title: "Volumes carry private SELinux labels; no broad host paths", guideItem: 2, severity: .medium,
        rationale: "A private label (:Z) confines each volume to this container. Mounting /, /home, /etc or the Podman socket gives the container the keys to the host.",
        remediation: Remediation("Use :Z on config and cache volumes and mount only the folders Jellyfin needs (jellyfort deploy)."),
        evidence: [.host])
}
