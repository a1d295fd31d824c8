import JellyfinAPI
import JellyfortCore

/// Guide item 13.
struct AdminRenamedControl: Control {
    static let description = ControlDescription(
        id: "admin.renamed", title: "The administrator's name is not guessable", guideItem: 13, severity: .medium,
        rationale: "Password guessing needs a user name first. 'admin', 'root' or the server's own name are the first ones tried, and a name on the login screen is no secret at all.",
        remediation: Remediation("Rename the administrator to something only you know (jellyfort harden --admin-name NEW).", fixable: true),
        evidence: [.api, .anon])


    static let examples = [
        ControlExample("unusual name", .pass, Sample.evidence()),
        ControlExample("called admin", .fail, Sample.evidence(Sample.view(users: [Sample.admin("admin"), Sample.viewer()]))),
        ControlExample("named like the server", .fail, Sample.evidence(Sample.view(users: [Sample.admin("Den"), Sample.viewer()]))),
        ControlExample("shown on the login screen", .fail, Sample.evidence(nil, anonymous: Sample.anonymous { $0.publicUsers = [.init(name: "quill-keeper", isAdministrator: true)] })),
        ControlExample("anonymous view only, admin hidden", .unknown, Sample.evidence(nil)),
    ]

    static func evaluate(_ evidence: Evidence) -> Verdict {
        let serverName = (evidence.api.value?.serverName ?? evidence.anonymous.value?.serverName)?.lowercased()
        let shown = Set((evidence.anonymous.value?.publicUsers ?? []).map { $0.name.lowercased() })
        func reason(_ name: String) -> String? {
            let lowered = name.lowercased()
            if GuessableNames.firstTried.contains(lowered) { return "'\(name)' is among the first names tried" }
            if let serverName, !serverName.isEmpty, lowered == serverName { return "'\(name)' is the server's own name" }
            if shown.contains(lowered) { return "'\(name)' is shown on the login screen" }
            return nil
        }
        if let view = evidence.api.value {
            let admins = view.administrators.filter { !$0.isDisabled }
            let weak = admins.compactMap { admin in reason(admin.name).map { Finding.user(admin, $0, ["IsAdministrator": true]) } }
            guard weak.isEmpty else { return .fail("\(count(weak.count, of: admins.count, "administrator")) \(weak.count == 1 ? "has" : "have") a guessable name", findings: weak) }
            return .pass("no administrator has a guessable name")
        }
        let visibleAdmins = (evidence.anonymous.value?.publicUsers ?? []).filter(\.isAdministrator)
        if !visibleAdmins.isEmpty {
            return .fail("the login screen shows an administrator's name to anyone", findings: visibleAdmins.map {
                Finding(subject: "user:\($0.name)", message: reason($0.name) ?? "administrator listed by /Users/Public", evidence: ["IsAdministrator": true])
            })
        }
        return .unknown("needs \(MissingInput.credential) to see the administrators' names")
    }
}
