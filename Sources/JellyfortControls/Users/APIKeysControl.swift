import Foundation
import JellyfinAPI
import JellyfortCore

struct APIKeysControl: Control {
    static let description = ControlDescription(
        id: "api.keys", title: "Few, recent API keys", guideItem: nil, severity: .medium,
        rationale: "An API key is a full administrator that never expires and ignores remote-access and lockout rules. Every old or forgotten key (in a dashboard, a script, a backup) is a way in.",
        remediation: Remediation("Revoke keys you no longer use and replace old ones (jellyfort harden --revoke-keys-older-than 180).", fixable: true),
        evidence: [.api])

    static let maximumAgeDays = 180
    static let maximumCount = 3

    static let examples = [
        ControlExample("one recent key", .pass, Sample.evidence()),
        ControlExample("a key older than 180 days", .fail, Sample.evidence(Sample.view { $0.apiKeys = .observed([APIKeyFacts(appName: "Homepage", created: Sample.now.addingTimeInterval(-400 * 86_400))]) })),
        ControlExample("four keys", .fail, Sample.evidence(Sample.view { view in view.apiKeys = .observed((1...4).map { APIKeyFacts(appName: "app\($0)", created: Sample.now) }) })),
        ControlExample("keys unreadable", .unknown, Sample.evidence(Sample.view { $0.apiKeys = .unavailable("403") })),
    ]

    static func evaluate(_ evidence: Evidence) -> Verdict {
        evidence.withServerView { view in
            view.apiKeys.decide("the API keys") { keys in
                let now = evidence.settings.now
                let old = keys.filter { key in key.created.map { now.timeIntervalSince($0) > Double(maximumAgeDays) * 86_400 } ?? false }
                var findings = old.map { key in
                    Finding(subject: "apikey:\(key.appName)", message: "created \(Int(now.timeIntervalSince(key.created!) / 86_400)) days ago (\(key.redactedToken))",
                            evidence: ["AppName": .string(key.appName), "Token": .string(key.redactedToken)])
                }
                if keys.count > maximumCount {
                    findings.append(Finding(subject: "config:server", message: "\(keys.count) API keys, each a full administrator", evidence: ["count": .int(Int64(keys.count))]))
                }
                guard findings.isEmpty else {
                    return .fail("\(plural(keys.count, "API key")), \(old.count) older than \(maximumAgeDays) days", findings: findings)
                }
                return .pass(keys.isEmpty ? "no API keys" : "\(plural(keys.count, "API key")), none older than \(maximumAgeDays) days")
            }
        }
    }
}
