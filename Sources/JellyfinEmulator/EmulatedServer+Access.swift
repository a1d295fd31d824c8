import Foundation
import JellyfinAPI

/// Who is calling and from where, as Jellyfin works it out.
struct Caller {
    enum Identity {
        case apiKey(String)
        case user(id: String, token: String)
    }

    /// The client address after `X-Forwarded-For` processing.
    var address: IPAddress
    var isInLocalNetwork: Bool
    /// Connection and resolved address are the server's own machine (`HttpContext.IsLocal`).
    var isSameMachine: Bool
    /// The `MediaBrowser` fields of the Authorization header (Client, Device, DeviceId, Version, Token).
    var authorization: [String: String]
    var identity: Identity?
    /// A token was sent but matched nothing.
    var sentUnknownToken: Bool
}

extension EmulatedServer {
    // MARK: Client address

    /// Walks `X-Forwarded-For` right to left while each hop is a trusted proxy (facts §4.1).
    func resolveClientAddress(connection: IPAddress, forwardedFor: String?) -> IPAddress {
        let hops = (forwardedFor ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if activeKnownProxies.isEmpty {
            // Before 10.10.7 an empty KnownProxies trusted the header from anyone (CVE-2025-32012).
            if version < JellyfinVersion(10, 10, 7), let last = hops.last, let forged = IPAddress(last) { return forged }
            return connection
        }
        // ASP.NET keeps its loopback defaults when Jellyfin adds proxies.
        var trusted = activeKnownProxies.compactMap(IPNetwork.init)
        trusted += ["127.0.0.0/8", "::1"].compactMap(IPNetwork.init)
        var current = connection
        var remaining = hops
        while trusted.contains(where: { $0.contains(current) }), let hop = remaining.popLast() {
            guard let next = IPAddress(hop) else { break }
            current = next
        }
        return current
    }

    func isInLocalNetwork(_ address: IPAddress) -> Bool {
        JellyfinLAN.contains(
            address, localNetworkSubnets: networkConfiguration["LocalNetworkSubnets"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            ipv6Enabled: networkConfiguration["EnableIPv6"]?.boolValue == true)
    }

    // MARK: Authentication

    /// Parses `MediaBrowser k="v", …` (or the legacy `Emby` scheme); values are URL-decoded.
    static func parseAuthorization(_ header: String) -> (scheme: String, fields: [String: String])? {
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard let space = trimmed.firstIndex(of: " ") else { return nil }
        let scheme = String(trimmed[..<space]).lowercased()
        var fields: [String: String] = [:]
        var current = ""
        var inQuotes = false
        var pieces: [String] = []
        for character in trimmed[trimmed.index(after: space)...] {
            if character == "\"" {
                inQuotes.toggle()
                continue
            }
            if character == ",", !inQuotes {
                pieces.append(current)
                current = ""
                continue
            }
            current.append(character)
        }
        pieces.append(current)
        for piece in pieces {
            guard let equals = piece.firstIndex(of: "=") else { continue }
            let key = piece[..<equals].trimmingCharacters(in: .whitespaces)
            let raw = piece[piece.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            fields[key] = raw.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? raw
        }
        return (scheme, fields)
    }

    func identify(_ request: EmulatorRequest) -> Caller {
        let address = resolveClientAddress(connection: request.connectionAddress, forwardedFor: request.header("X-Forwarded-For"))
        let legacy = serverConfiguration["EnableLegacyAuthorization"]?.boolValue ?? !version.isTwelveOrLater
        var fields: [String: String] = [:]
        if let header = request.header("Authorization"), let parsed = Self.parseAuthorization(header),
            parsed.scheme == "mediabrowser" || (legacy && parsed.scheme == "emby")
        {
            fields = parsed.fields
        } else if legacy, let header = request.header("X-Emby-Authorization"), let parsed = Self.parseAuthorization(header) {
            fields = parsed.fields
        }
        var token = fields["Token"].flatMap { $0.isEmpty ? nil : $0 }
        if token == nil, legacy { token = request.header("X-Emby-Token") ?? request.header("X-MediaBrowser-Token") }
        if token == nil { token = request.queryValue("ApiKey") }
        if token == nil, legacy { token = request.query.first { $0.0 == "api_key" }?.1 }

        var identity: Caller.Identity?
        if let token {
            if apiKeys.contains(where: { $0.token == token }) {
                identity = .apiKey(token)
            } else if let stored = tokens[token] {
                identity = .user(id: stored.userId, token: token)
                tokens[token]?.lastActivity = Date()
                tokens[token]?.remoteAddress = address.description
            }
        }
        return Caller(
            address: address, isInLocalNetwork: isInLocalNetwork(address),
            isSameMachine: request.connectionAddress.isLoopback && address == request.connectionAddress,
            authorization: fields, identity: identity, sentUnknownToken: token != nil && identity == nil)
    }

    func isAdministrator(_ caller: Caller) -> Bool {
        switch caller.identity {
        case .apiKey: true
        case .user(let id, _): users.first { $0.id == id }?.policy["IsAdministrator"]?.boolValue == true
        case nil: false
        }
    }

    var wizardCompleted: Bool { serverConfiguration["IsStartupWizardCompleted"]?.boolValue == true }

    /// Applies a route's policy; returns the refusal, or nil when the call may go on.
    func authorize(_ policy: AccessPolicy, caller: inout Caller, request: EmulatorRequest) -> EmulatorResponse? {
        switch policy {
        case .anonymous:
            return nil
        case .firstTimeSetupOrElevated where !wizardCompleted, .firstTimeSetupOrAuthenticated where !wizardCompleted:
            return nil
        case .localAccessOrElevated where caller.isInLocalNetwork:
            return nil
        default:
            break
        }
        guard let identity = caller.identity else { return .empty(401) }
        if case .user(let id, _) = identity {
            guard let user = users.first(where: { $0.id == id }) else { return .empty(401) }
            if user.policy["IsDisabled"]?.boolValue == true { return .error(403) }
            if !caller.isInLocalNetwork, user.policy["EnableRemoteAccess"]?.boolValue == false { return .error(403) }
        }
        switch policy {
        case .elevated, .firstTimeSetupOrElevated, .localAccessOrElevated:
            return isAdministrator(caller) ? nil : .error(403)
        default:
            return nil
        }
    }

    /// `IPBasedAccessValidationMiddleware`: runs after authorization, on non-LAN addresses only.
    func ipFilter(caller: Caller, path: String) -> EmulatorResponse? {
        guard !caller.isInLocalNetwork, !caller.isSameMachine else { return nil }
        if networkConfiguration["EnableRemoteAccess"]?.boolValue == false {
            log.write(.ipBlocked(path: path, ip: caller.address.description, reason: "Remote access is disabled"))
            return .empty(503)
        }
        let filter = (networkConfiguration["RemoteIPFilter"]?.arrayValue ?? []).compactMap(\.stringValue).compactMap(IPNetwork.init)
        guard !filter.isEmpty else { return nil }
        let listed = filter.contains { $0.contains(caller.address) }
        let blacklist = networkConfiguration["IsRemoteIPFilterBlacklist"]?.boolValue == true
        if listed == blacklist {
            log.write(.ipBlocked(path: path, ip: caller.address.description, reason: blacklist ? "IP is blocked" : "IP is not allowed"))
            return .empty(503)
        }
        return nil
    }
}
