import JellyfortBase
import JellyfortCore

struct UserEnumerationControl: Control {
    static let description = ControlDescription(
        id: .loginUserEnumeration, title: "Sign-in answers do not reveal account names", guideItem: nil, severity: .info,
        rationale: "A 403 instead of a 401 for a wrong password tells an attacker the account exists (disabled, remote-blocked or locked).",
        remediation: Remediation("Hide users, rename the administrator, and ban guessers by IP so the difference is worth little."),
        evidence: [.probe])

    static let examples = [
        ControlExample("no probe", .unknown, Sample.evidence()),
        ControlExample("probe: an existing admin answers like an unknown name", .pass, Sample.probed()),
        ControlExample(
            "probe: an admin named admin answers 403", .fail,
            Sample.probed {
                $0.signIns[1].name = "admin"
                $0.signIns[1].exchange.status = 403
            }),
        ControlExample("probe: an unguessable admin answers 403", .pass, Sample.probed { $0.signIns[1].exchange.status = 403 }),
        ControlExample("probe: no name could be tried safely", .unknown, Sample.probed { $0.signIns.removeLast() }),
    ]

    /// Compares the answer for names that exist with the answer for a random name. The probe
    /// tried only names whose sign-in cannot count toward a lockout (see `Prober`).
    static func evaluate(_ evidence: Evidence) -> Verdict {
        evidence.fromProbe { fromProbe($0, serverName: evidence.api.value?.serverName ?? evidence.anonymous.value?.serverName) }
            ?? Evidence.needsHostOrProbe(description.evidence)
    }

    static func fromProbe(_ probe: ProbeView, serverName: String?) -> Verdict {
        guard let baseline = probe.signIns.first(where: { $0.exists == false }), let unknownStatus = baseline.exchange.status else {
            return .unknown("the probe could not sign in with an unknown name to compare answers")
        }
        let named = probe.signIns.filter { $0.exists != false && $0.exchange.status != nil }
        guard !named.isEmpty else {
            return .unknown(
                "no account name could be tried without counting toward its lockout: give an administrator credential, or "
                    + "--probe-names with names you own")
        }
        let different = named.filter { $0.exchange.status != unknownStatus }
        // Knowing that an unguessable name exists helps only someone who already knows it.
        let revealing = different.filter {
            GuessableNames.isGuessable($0.name, serverName: serverName)
        }
        guard revealing.isEmpty else {
            return .fail(
                "a sign-in with a wrong password tells \(revealing.map(\.name).joined(separator: ", ")) from an unknown name",
                findings: revealing.map { attempt in
                    .probe(
                        probe.name, attempt.exchange,
                        "\(attempt.name) answers \(attempt.exchange.status ?? 0) where an unknown name gets \(unknownStatus): the account exists"
                    )
                })
        }
        if !different.isEmpty {
            return .pass(
                "\(different.map(\.name).joined(separator: ", ")) answers \(different[0].exchange.status ?? 0) where an unknown name gets "
                    + "\(unknownStatus), which tells that it exists, but nobody guesses that name")
        }
        return .pass("existing names answer a wrong password exactly like an unknown name (\(unknownStatus))")
    }
}
