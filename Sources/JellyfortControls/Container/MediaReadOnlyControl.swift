import JellyfinAPI
import JellyfortCore

struct MediaReadOnlyControl: AwaitingCollectorControl {
    static let description = ControlDescription(
        id: "container.media-readonly", title: "Media is mounted read-only", guideItem: 2, severity: .high,
        rationale: "Jellyfin only needs to read your films. A writable media mount lets a compromised server or a user with deletion rights destroy the collection.",
        remediation: Remediation("Mount media read-only: Volume=/srv/media:/media:ro,Z (or --mount ...,ro=true,relabel=private)."),
        evidence: [.host])
}
