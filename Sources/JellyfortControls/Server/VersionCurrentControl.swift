import JellyfortBase
import JellyfortCore

/// Jellyfin fixes security problems only in its newest stable release.
struct VersionCurrentControl: Control {
    static let description = ControlDescription(
        id: .serverVersionCurrent, title: "Jellyfin is up to date", guideItem: 3, severity: .medium,
        rationale:
            "Only the most recent stable Jellyfin release gets security fixes. A version below a fix is open "
            + "to that advisory's attack; anything older than the newest stable will not get the next fix.",
        remediation: Remediation(
            "Upgrade Jellyfin (with automatic image updates: AutoUpdate=registry and "
                + "podman-auto-update.timer). From 10.10.7 or any 10.11.x you can go straight to 12.x."
        ),
        evidence: [.anon])

    static let examples = [
        ControlExample("newest stable", .pass, running("12.1.0")),
        ControlExample("10.11.6 misses the 10.11.7 fixes", .fail, running("10.11.6")),
        ControlExample("10.11.11 has every fix but is not the newest", .fail, running("10.11.11")),
        ControlExample(
            "only the anonymous view, an old version", .fail, Sample.evidence(nil, anonymous: Sample.anonymous(version: "10.9.1"))),
        ControlExample("unparseable version", .unknown, running("banana")),
        ControlExample("no server", .unknown, Sample.nothing),
    ]

    static func running(_ version: String) -> Evidence {
        Sample.evidence(Sample.view(version: version), anonymous: Sample.anonymous(version: version))
    }

    static func evaluate(_ evidence: Evidence) -> Verdict {
        evaluate(evidence, advisories: .bundled)
    }

    static func evaluate(_ evidence: Evidence, advisories list: AdvisoryList) -> Verdict {
        guard let reported = evidence.serverVersion else {
            return evidence.withAnonymousView { _ in .unknown("the server did not report its version") }
        }
        guard let version = JellyfinVersion(reported) else { return .unknown("'\(reported)' is not a Jellyfin version number") }
        let applying = list.applying(to: version)
        let latest = JellyfinVersion(list.latestStable) ?? version
        var findings = applying.map { advisory in
            Finding(
                subject: "server",
                message: "\(advisory.id)\(advisory.cve.map { " (\($0))" } ?? ""): \(advisory.summary); fixed in \(advisory.fixed)",
                evidence: ["advisory": .string(advisory.id), "fixedIn": .string(advisory.fixed), "running": .string(version.description)])
        }
        if version == JellyfinVersion(10, 11, 11) {
            findings.append(
                Finding(
                    subject: "server", message: "10.11.11 does not save account lockouts (jellyfin#17278); 12.x fixes it",
                    evidence: ["running": "10.11.11"]))
        }
        if !applying.isEmpty {
            return .fail(
                "Jellyfin \(version) is affected by \(applying.count) published "
                    + "advisor\(applying.count == 1 ? "y" : "ies"): \(applying.map(\.id).joined(separator: ", "))",
                findings: findings, severity: .critical)
        }
        if version < latest {
            return .fail("Jellyfin \(version) is older than the newest stable release (\(latest), as of \(list.asOf))", findings: findings)
        }
        return .pass("Jellyfin \(version) is the newest stable release known (as of \(list.asOf))")
    }
}
