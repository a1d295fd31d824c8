import JellyfortBase
import JellyfortCore

extension Evidence {
    /// What the probe says about a control, or nil when there was no probe or it has nothing to
    /// say about it (the files or the API then decide alone).
    func fromProbe(_ decide: (ProbeView) -> Verdict?) -> Verdict? {
        if let view = probe.value { return decide(view) }
        return probeProblem.map(Verdict.unknown)
    }

    /// Why the probe could not decide, when `--probe` was given and got nowhere.
    var probeProblem: String? {
        guard settings.probeRequested, let reason = probe.reason, reason != InputNeeded.noProbeReason else { return nil }
        return "the probe could not run: \(reason)"
    }
}

extension Verdict {
    /// One verdict from several sources (files, API, probe): a failure anywhere fails, with every
    /// failing finding; then a warning; a pass needs at least one source that passed. When no
    /// source decided, the first undecided one speaks.
    static func combining(_ parts: [Verdict?]) -> Verdict {
        let parts = parts.compactMap { $0 }
        for status in [Status.fail, .warn] {
            let matching = parts.filter { $0.status == status }
            guard let first = matching.first else { continue }
            return Verdict(
                status, matching.map(\.summary).joined(separator: "; "), findings: matching.flatMap(\.findings),
                severity: matching.compactMap(\.severity).first ?? first.severity)
        }
        let passing = parts.filter { $0.status == .pass }
        if !passing.isEmpty { return .pass(passing.map(\.summary).joined(separator: "; "), findings: passing.flatMap(\.findings)) }
        return parts.first ?? .unknown("cannot be decided from what was read")
    }
}

extension Finding {
    /// A finding of the probe: what was sent and what came back.
    static func probe(_ name: String, _ exchange: ProbeView.Exchange, _ message: String) -> Finding {
        Finding(subject: "probe:\(name)", message: message, evidence: ["sent": .string(exchange.sent), "got": .string(exchange.got)])
    }
}

/// What the probe learned about remote vs LAN, in the words several controls use.
struct ProbedClientAddress {
    let name: String
    let check: ProbeView.ClientAddressCheck

    init?(_ probe: ProbeView) {
        guard let check = probe.clientAddress else { return nil }
        name = probe.name
        self.check = check
    }

    /// Jellyfin takes the prober, on the internet, for a LAN client.
    var seenAsLAN: Finding? {
        guard check.method == .endpoint, check.plain.isInNetwork == true else { return nil }
        return .probe(
            name, check.plain.exchange,
            "Jellyfin takes this prober for a LAN client (IsInNetwork:true): it cannot tell the internet from the LAN "
                + "(if you ran --probe from inside your LAN, run it again from outside: a phone hotspot or a VPS)")
    }

    /// A forged X-Forwarded-For changed what Jellyfin sees.
    var forgery: Finding? {
        guard let flip = check.forgeryFlips else { return nil }
        let what = check.method == .endpoint ? "IsInNetwork false to true" : "the login screen's user list"
        return .probe(
            name, flip.exchange,
            "a forged X-Forwarded-For: \(flip.forgedAddress ?? "?") changes \(what): anyone can pose as a LAN client")
    }

    /// Why remote-vs-LAN decisions are void, in one clause, or nil.
    var voidReason: String? {
        if seenAsLAN != nil { return "Jellyfin takes a stranger on the internet for a LAN client" }
        if forgery != nil { return "a forged X-Forwarded-For makes a stranger a LAN client" }
        return nil
    }

    /// Seen as remote, and forged headers do not change that.
    var seenAsRemote: Bool {
        check.method == .endpoint && check.plain.isInNetwork == false && !check.forged.isEmpty && forgery == nil
    }
}
