import JellyfinAPI
import JellyfortCore

struct BruteForceBanControl: AwaitingCollectorControl {
    static let description = ControlDescription(
        id: "auth.brute-force-ban", title: "Password guessers get banned by IP", guideItem: nil, severity: .medium,
        rationale: "Jellyfin's lockout is per account and has no timed unlock; banning the guessing address at the firewall stops the attack without locking the owner out. The filter must match all five deny messages in both log formats and read log_*.log.",
        remediation: Remediation("Use the fail2ban filter and jail or the CrowdSec acquisition from jellyfort deploy, or run jellyfort watch."),
        evidence: [.host])
}
