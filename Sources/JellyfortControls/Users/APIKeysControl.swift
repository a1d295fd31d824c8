import Foundation
import JellyfortBase
import JellyfortCore

struct APIKeysControl: Control {
    static let description = ControlDescription(
        id: .apiKeys, title: "Few, recent API keys", guideItem: nil, severity: .medium,
        rationale:
            "An API key is a full administrator that never expires and ignores remote-access and lockout "
            + "rules. Every old or forgotten key (in a dashboard, a script, a backup) is a way in.",
        remediation: Remediation(
            "Revoke keys you no longer use and replace old ones (jellyfort harden --revoke-keys-older-than 180).", fixable: true),
        evidence: [.api])

    static let examples = [
        ControlExample("one recent key", .pass, Sample.evidence()),
        ControlExample(
            "a key older than 180 days", .fail,
            Sample.evidence(
                Sample.view {
                    $0.apiKeys = .observed([APIKeyFacts(appName: "Homepage", created: Sample.now.addingTimeInterval(-400 * 86_400))])
                })),
        ControlExample(
            "four keys", .fail,
            Sample.evidence(
                Sample.view { view in view.apiKeys = .observed((1...4).map { APIKeyFacts(appName: "app\($0)", created: Sample.now) }) })),
        ControlExample("keys unreadable", .unknown, Sample.evidence(Sample.view { $0.apiKeys = .unavailable("403") })),
    ]

    /// Keys older than `days`, by their position in the list (revoked ones no longer count).
    static func keys(olderThan days: Int, in keys: [APIKeyFacts], now: Date) -> [(index: Int, key: APIKeyFacts, ageDays: Int)] {
        keys.enumerated().compactMap { index, key in
            guard !key.revoked, let created = key.created else { return nil }
            let age = now.timeIntervalSince(created)
            return age > Double(days) * 86_400 ? (index, key, Int(age / 86_400)) : nil
        }
    }

    static func evaluate(_ evidence: Evidence) -> Verdict {
        let thresholds = evidence.settings.thresholds
        return evidence.withServerView { view in
            view.apiKeys.decide("the API keys") { all in
                let live = all.filter { !$0.revoked }
                let old = keys(olderThan: thresholds.apiKeyMaxAgeDays, in: all, now: evidence.settings.now)
                var findings = old.map { entry in
                    Finding(
                        subject: "apikey:\(entry.key.appName)", message: "created \(entry.ageDays) days ago (\(entry.key.redactedToken))",
                        evidence: ["AppName": .string(entry.key.appName), "Token": .string(entry.key.redactedToken)])
                }
                if live.count > thresholds.apiKeyMaxCount {
                    findings.append(
                        Finding(
                            subject: "config:server", message: "\(live.count) API keys, each a full administrator",
                            evidence: ["count": .int(Int64(live.count))]))
                }
                guard findings.isEmpty else {
                    return .fail(
                        "\(plural(live.count, "API key")), \(old.count) older than \(thresholds.apiKeyMaxAgeDays) days", findings: findings)
                }
                return .pass(
                    live.isEmpty ? "no API keys" : "\(plural(live.count, "API key")), none older than \(thresholds.apiKeyMaxAgeDays) days")
            }
        }
    }
}

extension APIKeysControl: FixableControl {
    static func plan(_ evidence: Evidence, options: FixOptions) -> FixPlan {
        guard let all = evidence.api.value?.apiKeys.value else { return .nothing }
        guard let days = options.revokeKeysOlderThanDays else {
            let old = keys(olderThan: evidence.settings.thresholds.apiKeyMaxAgeDays, in: all, now: evidence.settings.now)
            return old.isEmpty
                ? .nothing
                : FixPlan(skipped: [
                    "\(plural(old.count, "old API key")): revocation cannot be undone, so it is only planned with "
                        + "--revoke-keys-older-than DAYS"
                ])
        }
        var plan = FixPlan()
        for entry in keys(olderThan: days, in: all, now: evidence.settings.now) {
            if entry.key.isInUse {
                plan.skipped.append(
                    "the key \(entry.key.appName) (\(entry.key.redactedToken)) is the one this run uses; revoke it "
                        + "yourself after making a new one"
                )
                continue
            }
            plan.changes.append(
                FixChange(
                    .apiKeys, .apiKey(index: entry.index, app: entry.key.appName), "revoked", from: .string(entry.key.redactedToken),
                    to: "revoked (cannot be rolled back)"))
        }
        return plan
    }

    static let fixExamples = [
        FixExample(
            "a key older than 180 days, revocation asked",
            Sample.evidence(
                Sample.view {
                    $0.apiKeys = .observed([APIKeyFacts(appName: "Homepage", created: Sample.now.addingTimeInterval(-400 * 86_400))])
                }),
            options: {
                var options = FixOptions()
                options.revokeKeysOlderThanDays = 180
                return options
            }()),
        FixExample(
            "the old key is the one in use",
            Sample.evidence(
                Sample.view {
                    $0.apiKeys = .observed([
                        APIKeyFacts(appName: "Jellyfort", created: Sample.now.addingTimeInterval(-400 * 86_400), isInUse: true)
                    ])
                }),
            options: {
                var options = FixOptions()
                options.revokeKeysOlderThanDays = 180
                return options
            }(), after: .fail),
        FixExample(
            "an old key, revocation not asked",
            Sample.evidence(
                Sample.view {
                    $0.apiKeys = .observed([APIKeyFacts(appName: "Homepage", created: Sample.now.addingTimeInterval(-400 * 86_400))])
                }), after: .fail),
    ]
}
