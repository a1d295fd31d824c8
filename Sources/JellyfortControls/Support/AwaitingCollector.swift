import JellyfortBase
import JellyfortCore

/// A control whose deciding evidence (network probes) this version of Jellyfort does not
/// collect yet. It stays in the catalogue, so every report names it, and it
/// reports `unknown` saying which input would decide it. The catalogue test holds it to that
/// instead of asking for pass and fail examples; the marker goes once its collector exists.
protocol AwaitingCollectorControl: Control {}

extension AwaitingCollectorControl {
    static var examples: [ControlExample] {
        [
            ControlExample("no deployment files or probes", .unknown, Sample.evidence()),
            ControlExample(
                "files given to a version that cannot read them", .unknown,
                Sample.evidence(settings: {
                    $0.deploymentPaths = ["/srv/jellyfin"]
                    $0.probeRequested = true
                })),
        ]
    }

    static func evaluate(_ evidence: Evidence) -> Verdict {
        Evidence.needsHostOrProbe(description.evidence, given: evidence.settings)
    }
}
