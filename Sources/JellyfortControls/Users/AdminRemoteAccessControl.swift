import JellyfortBase
import JellyfortCore

/// Guide item 9: administrators sign in only from the LAN.
struct AdminRemoteAccessControl: Control {
    static let description = ControlDescription(
        id: .adminRemoteAccess, title: "Administrators cannot sign in from outside the LAN", guideItem: 9, severity: .critical,
        rationale:
            "An administrator account reachable from the internet is the one password between an attacker "
            + "and every file, user and setting. Jellyfin can refuse remote sign-ins per user, but only when "
            + "it can tell remote from local: behind a proxy with KnownProxies empty, every client looks local "
            + "and the setting does nothing.",
        remediation: Remediation(
            "Set EnableRemoteAccess=false on every administrator (jellyfort harden), set KnownProxies to "
                + "your proxy, and administer from the LAN or a VPN.",
            fixable: true),
        evidence: [.api, .probe])

    static let examples = [
        ControlExample("admins LAN-only, proxy known", .pass, Sample.evidence()),
        ControlExample(
            "admin with remote access", .fail,
            Sample.evidence(Sample.view(users: [Sample.admin { $0.enableRemoteAccess = true }, Sample.viewer()]))),
        ControlExample(
            "LAN-only but every client looks local", .fail,
            Sample.evidence(
                Sample.view { view in
                    view.network = .observed(NetworkFacts(knownProxies: [], localNetworkSubnets: []))
                    view.sessions = .observed([
                        SessionFacts(userName: "mira", remoteEndPoint: "127.0.0.1"),
                        SessionFacts(userName: "x", remoteEndPoint: "127.0.0.1"),
                    ])
                })),
        ControlExample("no credential", .unknown, Sample.evidence(nil)),
        ControlExample(
            "LAN-only, but a forged header makes the prober LAN", .fail,
            {
                var evidence = Sample.evidence()
                evidence.probe = .observed(Sample.probe { $0.clientAddress?.forged[1].isInNetwork = true })
                return evidence
            }()),
        ControlExample("probe alone cannot say who may sign in", .unknown, Sample.probed()),
    ]

    static func evaluate(_ evidence: Evidence) -> Verdict {
        let probed = evidence.fromProbe { probe -> Verdict? in
            guard let seen = ProbedClientAddress(probe) else { return nil }
            guard let reason = seen.voidReason else { return nil }
            return .fail(
                "from outside, \(reason), so remote sign-in blocks do nothing",
                findings: [seen.seenAsLAN, seen.forgery].compactMap { $0 })
        }
        guard let probed, probed.status == .fail else { return fromServer(evidence) }
        return .combining([probed, fromServer(evidence)])
    }

    static func fromServer(_ evidence: Evidence) -> Verdict {
        evidence.withServerView { view in
            let admins = view.administrators.filter { !$0.isDisabled }
            let remote = admins.filter(\.enableRemoteAccess)
            if !remote.isEmpty {
                return .fail(
                    "\(count(remote.count, of: admins.count, "administrator")) can sign in from the internet",
                    findings: remote.map {
                        Finding.user(
                            $0, "administrator with EnableRemoteAccess=true", ["EnableRemoteAccess": true, "IsAdministrator": true])
                    })
            }
            if let blind = ClientAddressAnalysis(view).reasonEveryoneLooksLocal {
                return .fail(
                    "administrators are LAN-only on paper, but \(blind), so the setting does nothing",
                    findings: [
                        Finding(
                            subject: "config:network", message: blind,
                            evidence: ["KnownProxies": .array((view.network.value?.knownProxies ?? []).map { .string($0) })])
                    ])
            }
            return .pass(
                admins.count == 1
                    ? "the administrator can sign in only from the LAN" : "all \(admins.count) administrators can sign in only from the LAN"
            )
        }
    }
}

extension AdminRemoteAccessControl: FixableControl {
    static func plan(_ evidence: Evidence, options: FixOptions) -> FixPlan {
        evidence.planWithServerView { view in
            var plan = FixPlan()
            for admin in view.enabledAdministrators where admin.enableRemoteAccess {
                if admin.id == view.credential.userId, !view.credentialIsOnLAN, !options.acceptedRisks.contains(.selfRemoteBlock) {
                    plan.skipped.append(
                        "you are signed in as \(admin.name) from outside the LAN: turning its remote access off would "
                            + "lock you out; run from the LAN, or pass --accept-risk self-remote-block"
                    )
                    continue
                }
                plan.changes.append(.policy(.adminRemoteAccess, admin, "EnableRemoteAccess", from: true, to: false))
            }
            return plan
        }
    }

    static let fixExamples = [
        FixExample(
            "the admin can sign in from outside",
            Sample.evidence(Sample.view(users: [Sample.admin { $0.enableRemoteAccess = true }, Sample.viewer()]))),
        FixExample(
            "signed in as that admin from outside: refused",
            Sample.evidence(
                Sample.view(users: [Sample.admin { $0.enableRemoteAccess = true }, Sample.viewer()]) { view in
                    view.credential = CredentialFacts(
                        kind: .user, userName: "quill-keeper", userId: "id-quill-keeper", remoteEndPoint: "203.0.113.9")
                }), after: .fail),
        FixExample(
            "signed in as that admin from outside, risk accepted",
            Sample.evidence(
                Sample.view(users: [Sample.admin { $0.enableRemoteAccess = true }, Sample.viewer()]) { view in
                    view.credential = CredentialFacts(
                        kind: .user, userName: "quill-keeper", userId: "id-quill-keeper", remoteEndPoint: "203.0.113.9")
                }),
            options: {
                var options = FixOptions()
                options.acceptedRisks = [.selfRemoteBlock]
                return options
            }()),
        FixExample(
            "signed in as that admin from the LAN",
            Sample.evidence(
                Sample.view(users: [Sample.admin { $0.enableRemoteAccess = true }, Sample.viewer()]) { view in
                    view.credential = CredentialFacts(
                        kind: .user, userName: "quill-keeper", userId: "id-quill-keeper", remoteEndPoint: "192.168.1.20")
                })),
    ]
}
