import JellyfortBase
import JellyfortCore

/// The input that decides a control, named in an `unknown` verdict so the reader knows what to add.
enum MissingInput {
    static let credential = "an administrator credential (--api-key-file PATH or JELLYFORT_API_KEY)"
    static let deployment = "--deployment PATH (your Quadlet unit, run script, compose file, Caddyfile or firewall rules)"
    static let probe = "--probe, run from outside your network (a phone hotspot or a VPS)"
    static let server = "the server (--server URL)"
    /// The server was given and could not be read: its error is in the report's notes once,
    /// not repeated by every control.
    static let unreadable = "the server could not be read (see the note at the top)"

    /// What would decide a control that reads `sources`, in words, from what is really missing:
    /// a server that was given but could not be read never asks for a credential.
    static func sentence(for sources: [EvidenceSource], in evidence: Evidence, purpose: String = "") -> String {
        let needed = InputNeeded.missing(for: sources.filter { $0 != .probe }, in: evidence)
        if needed.contains(.serverUnreadable) { return unreadable }
        let words = needed.map { need -> String in
            switch need {
            case .server: server
            case .serverUnreadable: unreadable
            case .credential: credential
            case .deployment: deployment
            case .probe: probe
            }
        }
        guard !words.isEmpty else { return "cannot be decided from what was read" }
        return "needs " + words.joined(separator: " or ") + purpose
    }

    /// Why the administrator's view is missing, in words that do not ask for a credential that
    /// was given.
    static func serverView(_ reason: String) -> String {
        switch reason {
        case InputNeeded.noCredentialReason: "needs \(credential)"
        case InputNeeded.noServerReason: "needs \(server) and \(credential)"
        default: unreadable
        }
    }
}

extension Evidence {
    /// Runs `decide` with the administrator's view, or says what would decide the control.
    func withServerView(_ decide: (ServerView) -> Verdict) -> Verdict {
        switch api {
        case .observed(let view): decide(view)
        case .unavailable(let reason): .unknown(MissingInput.serverView(reason))
        }
    }

    /// Runs `decide` with the anonymous view, or says why it is missing.
    func withAnonymousView(_ decide: (AnonymousView) -> Verdict) -> Verdict {
        switch anonymous {
        case .observed(let view): decide(view)
        case .unavailable(let reason):
            .unknown(reason == InputNeeded.noServerReason ? "needs \(MissingInput.server)" : MissingInput.unreadable)
        }
    }

    /// Runs `decide` with the deployment files' view, or says what would decide the control.
    func withHostView(_ decide: (HostView) -> Verdict) -> Verdict {
        switch host {
        case .observed(let view): decide(view)
        case .unavailable: .unknown("needs \(MissingInput.deployment)")
        }
    }

    /// The verdict of a control whose deciding evidence comes from deployment files or probes
    /// when neither was given.
    static func needsHostOrProbe(_ sources: [EvidenceSource]) -> Verdict {
        var inputs: [String] = []
        if sources.contains(.host) { inputs.append(MissingInput.deployment) }
        if sources.contains(.probe) { inputs.append(MissingInput.probe) }
        return .unknown("needs \(inputs.joined(separator: " or "))")
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
