import JellyfortBase
import JellyfortCore

/// The input that decides a control, named in an `unknown` verdict so the reader knows what to add.
enum MissingInput {
    static let credential = "an administrator credential (--api-key-file PATH or JELLYFORT_API_KEY)"
    static let deployment = "--deployment PATH (your Quadlet unit, run script, compose file, Caddyfile or firewall rules)"
    static let probe = "a network check from outside your network (not in this version of Jellyfort: test from a phone hotspot by hand)"
    static let server = "the server (--server URL)"
}

extension Evidence {
    /// Runs `decide` with the administrator's view, or says what would decide the control.
    func withServerView(_ decide: (ServerView) -> Verdict) -> Verdict {
        switch api {
        case .observed(let view): decide(view)
        case .unavailable(let reason): .unknown("needs \(MissingInput.credential): \(reason)")
        }
    }

    /// Runs `decide` with the anonymous view, or says why it is missing.
    func withAnonymousView(_ decide: (AnonymousView) -> Verdict) -> Verdict {
        switch anonymous {
        case .observed(let view): decide(view)
        case .unavailable(let reason): .unknown("needs \(MissingInput.server): \(reason)")
        }
    }

    /// Runs `decide` with the deployment files' view, or says what would decide the control.
    func withHostView(_ decide: (HostView) -> Verdict) -> Verdict {
        switch host {
        case .observed(let view): decide(view)
        case .unavailable: .unknown("needs \(MissingInput.deployment)")
        }
    }

    /// The verdict of a control whose deciding evidence comes from deployment files or probes,
    /// which this version of Jellyfort does not collect yet.
    static func needsHostOrProbe(_ sources: [EvidenceSource], given settings: AuditSettings) -> Verdict {
        var inputs: [String] = []
        if sources.contains(.host) { inputs.append(MissingInput.deployment) }
        if sources.contains(.probe) { inputs.append(MissingInput.probe) }
        let suffix = settings.probeRequested && sources.contains(.probe) ? " (this version of Jellyfort does not run probes yet)" : ""
        return .unknown("needs \(inputs.joined(separator: " or "))\(suffix)")
    }
}

extension Observed {
    /// Runs `decide` with the value, or explains which read failed.
    func decide(_ what: String, _ decide: (Value) -> Verdict) -> Verdict {
        switch self {
        case .observed(let value): decide(value)
        case .unavailable(let reason): .unknown("could not read \(what): \(reason)")
        }
    }
}

extension Finding {
    static func user(_ user: UserFacts, _ message: String, _ evidence: JSONObject = [:]) -> Finding {
        Finding(subject: "user:\(user.name)", message: message, evidence: evidence)
    }
}

/// "1 of 3 users", "both administrators", …
func count(_ number: Int, of total: Int, _ noun: String) -> String {
    total == 1 ? "the only \(noun)" : "\(number) of \(total) \(noun)s"
}

func plural(_ number: Int, _ noun: String) -> String {
    if number == 1 { return "1 \(noun)" }
    if noun.hasSuffix("y"), let before = noun.dropLast().last, !"aeiou".contains(before) { return "\(number) \(noun.dropLast())ies" }
    return "\(number) \(noun)s"
}
