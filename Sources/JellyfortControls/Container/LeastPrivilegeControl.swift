import JellyfinAPI
import JellyfortCore

struct LeastPrivilegeControl: AwaitingCollectorControl {
    static let description = ControlDescription(
        id: "container.least-privilege", title: "The container has no extra privileges", guideItem: nil, severity: .medium,
        rationale: "Added capabilities, --privileged, devices beyond /dev/dri, or the host's network or PID namespace each hand a compromised Jellyfin more of the machine.",
        remediation: Remediation("Drop all capabilities, set NoNewPrivileges, pass only /dev/dri for hardware transcoding (jellyfort deploy --gpu)."),
        evidence: [.host])
}
