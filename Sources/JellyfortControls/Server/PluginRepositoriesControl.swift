import JellyfortBase
import JellyfortCore

struct PluginRepositoriesControl: Control {
    static let description = ControlDescription(
        id: .pluginsRepositories, title: "Plugins come only from the official repository", guideItem: nil, severity: .medium,
        rationale:
            "Plugins run inside Jellyfin with its full rights. A third-party repository (worse, one over "
            + "plain http) can ship code that reads every token and file the server can.",
        remediation: Remediation("Remove or disable plugin repositories you do not trust in Dashboard → Plugins → Repositories."),
        evidence: [.api])

    static let examples = [
        ControlExample("official only", .pass, Sample.evidence()),
        ControlExample(
            "third party", .fail,
            Sample.evidence(
                Sample.view {
                    $0.repositories = .observed([RepositoryFacts(name: "extras", url: "http://plugins.example.net/manifest.json")])
                })),
        ControlExample(
            "third party but disabled", .pass,
            Sample.evidence(
                Sample.view {
                    $0.repositories = .observed([RepositoryFacts(name: "extras", url: "https://x.example/manifest.json", enabled: false)])
                })),
        ControlExample("repositories unreadable", .unknown, Sample.evidence(Sample.view { $0.repositories = .unavailable("403") })),
    ]

    static func evaluate(_ evidence: Evidence) -> Verdict {
        evidence.withServerView { view in
            view.repositories.decide("the plugin repositories") { repositories in
                let third = repositories.filter { $0.enabled && $0.url != JellyfinPlugins.officialRepository }
                guard !third.isEmpty else { return .pass("only the official plugin repository is enabled") }
                return .fail(
                    "\(plural(third.count, "third-party plugin repository")) enabled",
                    findings: third.map { repository in
                        Finding(
                            subject: "repository:\(repository.name ?? repository.url)",
                            message: repository.url.hasPrefix("http://")
                                ? "\(repository.url) is third-party and fetched over plain http" : "\(repository.url) is third-party code",
                            evidence: ["Url": .string(repository.url)])
                    })
            }
        }
    }
}
