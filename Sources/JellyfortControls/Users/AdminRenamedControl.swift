import JellyfortBase
import JellyfortCore

/// Guide item 13.
struct AdminRenamedControl: Control {
    static let description = ControlDescription(
        id: .adminRenamed, title: "The administrator's name is not guessable", guideItem: 13, severity: .medium,
        rationale:
            "Password guessing needs a user name first. 'admin', 'root' or the server's own name are the "
            + "first ones tried, and a name on the login screen is no secret at all.",
        remediation: Remediation("Rename the administrator to something only you know (jellyfort harden --admin-name NEW).", fixable: true),
        evidence: [.api, .anon])

    static let examples = [
        ControlExample("unusual name", .pass, Sample.evidence()),
        ControlExample("called admin", .fail, Sample.evidence(Sample.view(users: [Sample.admin("admin"), Sample.viewer()]))),
        ControlExample("named like the server", .fail, Sample.evidence(Sample.view(users: [Sample.admin("Den"), Sample.viewer()]))),
        ControlExample(
            "shown on the login screen", .fail,
            Sample.evidence(nil, anonymous: Sample.anonymous { $0.publicUsers = [.init(name: "quill-keeper", isAdministrator: true)] })),
        ControlExample("anonymous view only, admin hidden", .unknown, Sample.evidence(nil)),
    ]

    /// Why `name` is guessable on this server, or nil: the one rule for the verdict and the fix.
    static func guessableReason(_ name: String, in evidence: Evidence, listed: Set<String>? = nil) -> String? {
        let serverName = (evidence.api.value?.serverName ?? evidence.anonymous.value?.serverName)?.lowercased()
        let lowered = name.lowercased()
        if GuessableNames.firstTried.contains(lowered) { return "'\(name)' is among the first names tried" }
        if let serverName, !serverName.isEmpty, lowered == serverName { return "'\(name)' is the server's own name" }
        if (listed ?? listedNames(evidence)).contains(lowered) { return "'\(name)' is shown on the login screen" }
        return nil
    }

    /// The names the login screen shows, lowercased, read once per verdict or plan.
    static func listedNames(_ evidence: Evidence) -> Set<String> {
        Set((evidence.anonymous.value?.publicUsers ?? []).map { $0.name.lowercased() })
    }

    static func evaluate(_ evidence: Evidence) -> Verdict {
        let listed = listedNames(evidence)
        func reason(_ name: String) -> String? { guessableReason(name, in: evidence, listed: listed) }
        if let view = evidence.api.value {
            let admins = view.administrators.filter { !$0.isDisabled }
            let weak = admins.compactMap { admin in reason(admin.name).map { Finding.user(admin, $0, ["IsAdministrator": true]) } }
            guard weak.isEmpty else {
                return .fail(
                    "\(count(weak.count, of: admins.count, "administrator")) \(weak.count == 1 ? "has" : "have") a guessable name",
                    findings: weak)
            }
            return .pass("no administrator has a guessable name")
        }
        let visibleAdmins = (evidence.anonymous.value?.publicUsers ?? []).filter(\.isAdministrator)
        if !visibleAdmins.isEmpty {
            return .fail(
                "the login screen shows an administrator's name to anyone",
                findings: visibleAdmins.map {
                    Finding(
                        subject: "user:\($0.name)", message: reason($0.name) ?? "administrator listed by /Users/Public",
                        evidence: ["IsAdministrator": true])
                })
        }
        return .unknown(MissingInput.sentence(for: [.api], in: evidence, purpose: " to see the administrators' names"))
    }
}

extension AdminRenamedControl: FixableControl {
    static func plan(_ evidence: Evidence, options: FixOptions) -> FixPlan {
        evidence.planWithServerView { view in
            var plan = FixPlan()
            var renames = options.renames
            let listed = listedNames(evidence)
            let guessable = view.enabledAdministrators.filter { guessableReason($0.name, in: evidence, listed: listed) != nil }
            if let newName = options.adminName {
                if guessable.count == 1 {
                    renames.insert(FixOptions.Rename(old: guessable[0].name, new: newName), at: 0)
                } else if guessable.count > 1 {
                    plan.skipped.append(
                        "\(guessable.count) administrators have guessable names "
                            + "(\(guessable.map(\.name).joined(separator: ", "))): name each with --rename OLD=NEW"
                    )
                }
            } else if !guessable.isEmpty, renames.isEmpty {
                plan.skipped.append("an administrator has a guessable name; Jellyfort never picks a name: give one with --admin-name NEW")
            }
            var taken = Set(view.users.map { $0.name.lowercased() })
            for rename in renames {
                guard let user = view.users.first(where: { $0.name == rename.old }) else {
                    plan.skipped.append("no user named \(rename.old)")
                    continue
                }
                guard rename.old != rename.new else { continue }
                if let problem = JellyfinUserName.problem(rename.new) {
                    plan.skipped.append("cannot rename \(rename.old) to \(rename.new): \(problem)")
                    continue
                }
                guard rename.old.lowercased() == rename.new.lowercased() || !taken.contains(rename.new.lowercased()) else {
                    plan.skipped.append("cannot rename \(rename.old) to \(rename.new): that name is taken")
                    continue
                }
                if user.isAdministrator, let reason = guessableReason(rename.new, in: evidence, listed: listed) {
                    plan.skipped.append("cannot rename \(rename.old) to \(rename.new): \(reason); pick a name nobody would guess")
                    continue
                }
                taken.insert(rename.new.lowercased())
                plan.changes.append(
                    FixChange(
                        .adminRenamed, .userName(userId: user.id, name: user.name), "Name", from: .string(user.name),
                        to: .string(rename.new)))
            }
            return plan
        }
    }

    static let fixExamples = [
        FixExample(
            "called admin, --admin-name given", Sample.evidence(Sample.view(users: [Sample.admin("admin"), Sample.viewer()])),
            options: {
                var options = FixOptions()
                options.adminName = "quill-keeper"
                return options
            }()),
        FixExample(
            "called admin, no name given: Jellyfort never picks one",
            Sample.evidence(Sample.view(users: [Sample.admin("admin"), Sample.viewer()])), after: .fail),
        FixExample(
            "two guessable admins, each named",
            Sample.evidence(Sample.view(users: [Sample.admin("admin"), Sample.admin("root"), Sample.viewer()])),
            options: {
                var options = FixOptions()
                options.renames = [.init(old: "admin", new: "quill-keeper"), .init(old: "root", new: "lamp-warden")]
                return options
            }()),
        FixExample(
            "a name Jellyfin refuses is not planned", Sample.evidence(Sample.view(users: [Sample.admin("admin"), Sample.viewer()])),
            options: {
                var options = FixOptions()
                options.adminName = " bad name"
                return options
            }(), after: .fail),
    ]
}
