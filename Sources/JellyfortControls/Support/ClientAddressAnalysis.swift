import JellyfortBase
import JellyfortCore

/// Can the server tell remote clients from local ones? Several controls (admin remote access,
/// unauthenticated restart, real client IPs) depend on the same reading of KnownProxies and the
/// addresses sessions come from.
struct ClientAddressAnalysis {
    let network: NetworkFacts?
    let sessionAddresses: [IPAddress]

    init(_ view: ServerView) {
        network = view.network.value
        sessionAddresses = (view.sessions.value ?? []).compactMap { $0.remoteEndPoint.flatMap { IPAddress(endPoint: $0) } }
    }

    /// Every session comes from one loopback or private address: a proxy or NAT in front.
    var singleProxyAddress: IPAddress? {
        let distinct = Set(sessionAddresses)
        guard sessionAddresses.count >= 2, distinct.count == 1, let only = distinct.first, only.isLoopback || only.isPrivate else {
            return nil
        }
        return only
    }

    /// KnownProxies entries wider than one host, or public ranges: anyone inside can forge X-Forwarded-For.
    var broadProxies: [String] {
        (network?.knownProxies ?? []).filter { entry in
            guard let range = IPNetwork(entry) else { return false }
            return !range.isSingleHost || !(range.address.isPrivate || range.address.isLoopback)
        }
    }

    /// Why every client looks local to the server, or nil when nothing says so.
    var reasonEveryoneLooksLocal: String? {
        guard let network else { return nil }
        if network.knownProxies.isEmpty, let proxy = singleProxyAddress {
            return "every session comes from \(proxy) and KnownProxies is empty (every client looks local)"
        }
        if let wide = broadProxies.first(where: { IPNetwork($0)?.prefixLength == 0 }) {
            return "KnownProxies trusts \(wide): any client can claim a LAN address"
        }
        return nil
    }
}
