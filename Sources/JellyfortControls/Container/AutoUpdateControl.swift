import JellyfinAPI
import JellyfortCore

struct AutoUpdateControl: AwaitingCollectorControl {
    static let description = ControlDescription(
        id: "container.autoupdate", title: "The image updates itself", guideItem: 3, severity: .medium,
        rationale: "Security fixes help only once installed. Podman's auto-update pulls a new image and restarts the container, but only with AutoUpdate=registry, a fully qualified image and the timer enabled.",
        remediation: Remediation("Set AutoUpdate=registry with a fully qualified image (docker.io/jellyfin/jellyfin:latest) and run systemctl --user enable --now podman-auto-update.timer."),
        evidence: [.host])
}
