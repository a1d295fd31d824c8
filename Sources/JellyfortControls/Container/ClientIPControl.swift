import JellyfortBase
import JellyfortCore

struct ClientIPControl: Control {
    static let description = ControlDescription(
        id: .containerClientIP, title: "Jellyfin sees real client addresses", guideItem: nil, severity: .high,
        rationale:
            "Remote-vs-LAN decides admin remote access, the IP filter and lockout bans (guide items 5, 9, "
            + "11). If a rootless port handler or a proxy Jellyfin does not know rewrites every source to one "
            + "address, all of that is silently void.",
        remediation: Remediation(
            "Run the container with Network=pasta (or slirp4netns:port_handler=slirp4netns) and set KnownProxies to the proxy's address."),
        evidence: [.host, .api, .probe])

    static let examples = [
        ControlExample("sessions from many addresses", .pass, Sample.evidence()),
        ControlExample(
            "every session from one NAT address", .fail,
            Sample.evidence(
                Sample.view {
                    $0.sessions = .observed([
                        SessionFacts(userName: "a", remoteEndPoint: "10.0.2.100"),
                        SessionFacts(userName: "b", remoteEndPoint: "10.0.2.100"),
                    ])
                })),
        ControlExample(
            "one session: cannot tell", .unknown,
            Sample.evidence(Sample.view { $0.sessions = .observed([SessionFacts(userName: "a", remoteEndPoint: "203.0.113.5")]) })),
        ControlExample("pasta in the unit", .pass, Sample.deployment()),
        ControlExample(
            "slirp4netns with the default port handler", .fail,
            Sample.deployment { $0.containers = [Sample.container { $0.network = "slirp4netns" }] }),
        ControlExample(
            "no network named: depends on the Podman version", .warn,
            Sample.deployment { $0.containers = [Sample.container { $0.network = nil }] }),
        ControlExample(
            "slirp4netns with rootlessport", .fail, Sample.deployment { $0.containers = [Sample.container { $0.network = "slirp4netns" }] }),
        ControlExample(
            "slirp4netns keeping sources", .pass,
            Sample.deployment { $0.containers = [Sample.container { $0.network = "slirp4netns:port_handler=slirp4netns" }] }),
        ControlExample("probe: seen as remote", .pass, Sample.probed()),
        ControlExample("probe: seen as LAN from the internet", .fail, Sample.probed { $0.clientAddress?.plain.isInNetwork = true }),
    ]

    /// What the container definition says: a failure, a pass, or nothing.
    static func fromDeployment(_ host: HostView) -> Verdict? {
        let rootless = host.containers.filter { !$0.rootfulEngine && !$0.publishes.isEmpty }
        guard !rootless.isEmpty else { return nil }
        var findings: [Finding] = []
        var unstated: [ContainerFacts] = []
        for container in rootless {
            let network = container.network ?? ""
            if network.hasPrefix("pasta") || network == "host" || network.contains("port_handler=slirp4netns") { continue }
            // No network named: Podman 5 uses pasta (addresses kept), Podman 4 slirp4netns with
            // rootlessport (addresses lost). The file cannot tell which Podman runs it.
            if network.isEmpty {
                unstated.append(container)
                continue
            }
            let what = network
            findings.append(
                .at(
                    container.at(nil), "\(what) publishes ports through rootlessport, which rewrites every client address",
                    ["Network": .string(network)]))
        }
        if !findings.isEmpty { return .fail("Jellyfin sees every client as the port handler's address", findings: findings) }
        if !unstated.isEmpty {
            return .warn(
                "no network is named: with Podman 5 (pasta) Jellyfin sees real client addresses, with Podman 4 (slirp4netns and "
                    + "rootlessport) it sees only one; set Network=pasta to be sure",
                findings: unstated.map { .at($0.at(nil), "no Network= (or --network): the default depends on the Podman version") })
        }
        return .pass(
            "the container's network (\(Set(rootless.compactMap(\.network)).sorted().joined(separator: ", "))) keeps client addresses")
    }

    static func evaluate(_ evidence: Evidence) -> Verdict {
        let probed = evidence.fromProbe { probe in
            guard let seen = ProbedClientAddress(probe), seen.check.method == .endpoint, seen.check.plain.isInNetwork != nil else {
                return nil
            }
            if let lan = seen.seenAsLAN { return .fail("Jellyfin sees a client on the internet as a LAN address", findings: [lan]) }
            return .pass("from outside, Jellyfin sees the prober as remote (IsInNetwork:false)")
        }
        return .combining([probed, fromFilesAndSessions(evidence)])
    }

    static func fromFilesAndSessions(_ evidence: Evidence) -> Verdict {
        let observed = fromSessions(evidence)
        guard let deployed = evidence.host.value.flatMap(fromDeployment) else { return observed }
        if deployed.status == .fail || observed.status != .fail { return deployed }
        return observed
    }

    static func fromSessions(_ evidence: Evidence) -> Verdict {
        evidence.withServerView { view in
            view.sessions.decide("the sessions") { _ in
                let analysis = ClientAddressAnalysis(view)
                if let only = analysis.singleProxyAddress {
                    let proxies = view.network.value?.knownProxies ?? []
                    let detail =
                        proxies.isEmpty
                        ? "KnownProxies is empty"
                        : "KnownProxies (\(proxies.joined(separator: ", "))) does not make Jellyfin see past it; a "
                            + "rootless port handler may be rewriting sources"
                    return .fail(
                        "every session comes from \(only): \(detail)",
                        findings: [
                            Finding(
                                subject: "config:network", message: "all \(analysis.sessionAddresses.count) sessions come from \(only)",
                                evidence: [
                                    "RemoteEndPoint": .string(only.description), "KnownProxies": .array(proxies.map { .string($0) }),
                                ])
                        ])
                }
                let distinct = Set(analysis.sessionAddresses)
                if distinct.count >= 2 { return .pass("Jellyfin sees \(distinct.count) different client addresses") }
                return .unknown("too few sessions to tell; needs \(MissingInput.deployment)")
            }
        }
    }
}
