import Foundation
import JellyfinAPI
import JellyfortBase
import JellyfortCore
import NIOCore
import NIOSSL
import Synchronization

/// Black-box checks from where Jellyfort runs, against the real name: what a stranger on the
/// internet reaches, as opposed to what the files meant. Bounded: at most
/// ``maximumOperations`` requests and connections, each under ``operationTimeout``, in two
/// rounds of concurrent checks, so that a host that drops every packet costs two time limits.
public struct Prober: Sendable {
    public static let maximumOperations = 60
    public static let operationTimeout: Duration = .seconds(4)
    /// At most this many of the name's addresses, and of `--origin`, are probed.
    public static let maximumAddresses = 3

    public let target: ProbeTarget
    /// The audit's client (carrying the credential, if any, and `--resolve`); nil skips the API checks.
    public let client: JellyfinClient?
    /// The accounts, when a credential read them: the sign-in check never tries one that would count.
    public let users: [UserFacts]?

    public init(target: ProbeTarget, client: JellyfinClient?, users: [UserFacts]?) {
        self.target = target
        self.client = client
        self.users = users
    }

    /// The most requests and connections a run against `addresses` and the origins can make.
    public func plannedOperations(addresses: Int) -> Int {
        let origins = min(target.origins.count, Self.maximumAddresses)
        let tls = 2 + 1 + 2 + 1  // HTTPS (and a look at an untrusted certificate), an API answer, TLS 1.0 and 1.1, HTTP
        let strangers = min(addresses, 2) + 1
        let ports = 4 * (addresses + origins)
        let api = client == nil ? 0 : 3 + 3 + 1 + signInCandidates(seenRemote: true).count
        return min(tls + strangers + ports + origins + api, Self.maximumOperations)
    }

    /// The name's addresses: `--resolve`, or the resolver's answer (at most ``maximumAddresses``).
    public func addresses() async -> Result<[String], ProbeInputError> {
        if !target.resolved.isEmpty { return .success(Array(target.resolved.prefix(Self.maximumAddresses))) }
        if IPAddress(target.name) != nil { return .success([target.name]) }
        let name = target.name
        let found = await within(Self.operationTimeout) { Resolver.addresses(of: name) }
        guard let found, !found.isEmpty else {
            return .failure(ProbeInputError("\(name) does not resolve from here; give its address with --resolve \(name):IP"))
        }
        return .success(Array(found.prefix(Self.maximumAddresses)))
    }

    public func run(addresses: [String], progress: @Sendable (String) -> Void = { _ in }) async -> ProbeView {
        let budget = Budget(limit: Self.maximumOperations)
        var view = ProbeView(name: target.name, addresses: addresses)
        progress("Probing \(target.name) from here: TLS, redirects, headers, names, ports…")
        await firstRound(&view, addresses: addresses, budget: budget)
        if let client, view.https != nil {
            progress("Probing what Jellyfin answers a stranger…")
            await secondRound(&view, client: client, budget: budget)
        }
        view.operations = budget.used
        return view
    }

    // MARK: - Round one: the wire

    private func firstRound(_ view: inout ProbeView, addresses: [String], budget: Budget) async {
        guard let first = addresses.first else { return }
        let target = target
        let hostHeader = target.port == 443 ? target.name : "\(target.name):\(target.port)"
        let origins = Array(target.origins.prefix(Self.maximumAddresses))
        func tls(_ name: String?, verify: Bool = false, min: TLSVersion = .tlsv12, max: TLSVersion? = nil) -> WireRequest.TLSOffer {
            WireRequest.TLSOffer(
                serverName: name, minimum: min, maximum: max, verifyFor: verify ? target.name : nil, extraRoots: target.extraRoots)
        }
        let infoPath = "/System/Info/Public"

        async let main = budget.exchange(
            WireRequest(
                address: first, port: target.port, tls: tls(target.name, verify: true), http: .init(path: "/web/", host: hostHeader)))
        async let apiAnswer = budget.exchange(
            WireRequest(address: first, port: target.port, tls: tls(target.name), http: .init(path: infoPath, host: hostHeader)))
        async let tls10 = budget.exchange(WireRequest(address: first, port: target.port, tls: tls(target.name, min: .tlsv1, max: .tlsv1)))
        async let tls11 = budget.exchange(WireRequest(address: first, port: target.port, tls: tls(target.name, min: .tlsv11, max: .tlsv11)))
        async let plain = budget.exchange(WireRequest(address: first, port: 80, http: .init(path: "/", host: target.name)))
        let strangerName = "jf-\(Self.randomLabel()).\(target.name.split(separator: ".").dropFirst().joined(separator: "."))"
        async let bareIP = withTaskGroup(of: (String, WireOutcome?).self) { group in
            for address in addresses.prefix(2) {
                let host = address.contains(":") ? "[\(address)]" : address
                group.addTask {
                    (
                        address,
                        await budget.exchange(
                            WireRequest(address: address, port: target.port, tls: tls(nil), http: .init(path: infoPath, host: host)))
                    )
                }
            }
            var all: [(String, WireOutcome?)] = []
            for await one in group { all.append(one) }
            return all.sorted { $0.0 < $1.0 }
        }
        async let unknownName = budget.exchange(
            WireRequest(address: first, port: target.port, tls: tls(strangerName), http: .init(path: infoPath, host: strangerName)))
        var seenAddresses: Set<String> = []
        let portAddresses = (addresses + origins).filter { seenAddresses.insert($0).inserted }
        async let ports = directPorts(portAddresses, budget: budget)
        async let originAnswers = withTaskGroup(of: (String, WireOutcome?).self) { group in
            for origin in origins {
                group.addTask {
                    (
                        origin,
                        await budget.exchange(
                            WireRequest(address: origin, port: 443, tls: tls(target.name), http: .init(path: infoPath, host: target.name)))
                    )
                }
            }
            var all: [(String, WireOutcome?)] = []
            for await one in group { all.append(one) }
            return all.sorted { $0.0 < $1.0 }
        }

        let sentMain = "HTTPS GET /web/ to \(first):\(target.port), SNI and Host \(target.name)"
        if let outcome = await main {
            await record(&view, main: outcome, sent: sentMain, address: first, hostHeader: hostHeader, budget: budget)
        }
        if let outcome = await apiAnswer, outcome.status != nil {
            let exchange = Self.exchange("HTTPS GET \(infoPath), Host \(target.name)", outcome)
            view.answers.append(.init(exchange: exchange, headers: Self.headers(outcome)))
            if let local = Self.localAddress(outcome) {
                var told = exchange
                told.got += ", LocalAddress \(local)"
                view.exposure.append(.init(kind: .localAddress, exchange: told, exposed: true))
            }
        }
        for (label, outcome) in [("TLS 1.0", await tls10), ("TLS 1.1", await tls11)] {
            guard let outcome else { continue }
            view.oldProtocols.append(
                .init(
                    sent: "a TLS handshake offering only \(label) to \(first):\(target.port)",
                    got: outcome.tlsVersion != nil ? "accepted (\(outcome.said))" : outcome.said, accepted: outcome.tlsVersion != nil))
        }
        if let outcome = await plain {
            view.plainHTTP = Self.exchange("HTTP GET / to \(first):80, Host \(target.name)", outcome)
        }
        for (address, outcome) in await bareIP {
            guard let outcome else { continue }
            view.strangers.append(
                Self.stranger("HTTPS GET \(infoPath) to the bare IP \(address), no SNI, Host \(address)", outcome))
        }
        if let outcome = await unknownName {
            view.strangers.append(
                Self.stranger("HTTPS GET \(infoPath) to \(first), SNI and Host \(strangerName) (an unknown name)", outcome))
        }
        view.directPorts = await ports
        for (origin, outcome) in await originAnswers {
            guard let outcome else { continue }
            var exchange = Self.exchange("HTTPS GET \(infoPath) to the origin \(origin):443, SNI \(target.name)", outcome)
            exchange.accepted = outcome.tlsVersion != nil
            view.origins.append(exchange)
        }
    }

    private func record(
        _ view: inout ProbeView, main outcome: WireOutcome, sent: String, address: String, hostHeader: String, budget: Budget
    ) async {
        var outcome = outcome
        var problem: String?
        if case .untrusted? = outcome.failure {
            // Look at what was served, without trusting it, to say why it failed.
            let again = await budget.exchange(
                WireRequest(
                    address: address, port: target.port, tls: .init(serverName: target.name, verifyFor: nil),
                    http: .init(path: "/web/", host: hostHeader)))
            if let again, again.tlsVersion != nil {
                problem = Self.untrustedReason(again.certificate, name: target.name)
                outcome = again
            } else {
                problem = "the chain does not verify"
            }
        }
        guard let version = outcome.tlsVersion else {
            view.unreachable = "\(sent): \(outcome.said)"
            return
        }
        let exchange = Self.exchange(sent, outcome)
        view.https = .init(
            exchange: exchange, version: version.words, verified: problem == nil, verifyProblem: problem,
            certificateNames: outcome.certificate?.dnsNames ?? [], notAfter: outcome.certificate?.notAfter)
        if outcome.status != nil { view.answers.insert(.init(exchange: exchange, headers: Self.headers(outcome)), at: 0) }
    }

    static func untrustedReason(_ certificate: CertificateSummary?, name: String) -> String {
        guard let certificate else { return "no certificate was presented" }
        if certificate.notAfter < Date() { return "it expired on \(ISO8601DateFormatter().string(from: certificate.notAfter))" }
        if !certificate.covers(name) {
            return "it is issued for \(certificate.dnsNames.prefix(3).joined(separator: ", ")), not \(name)"
        }
        return "it is not signed by an authority this machine trusts (for a private CA, give --ca-file)"
    }

    private func directPorts(_ addresses: [String], budget: Budget) async -> [ProbeView.PortCheck] {
        let discovery = Array("who is JellyfinServer?".utf8)
        let ssdp = Array(
            "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n".utf8)
        return await withTaskGroup(of: ProbeView.PortCheck?.self) { group in
            for address in addresses {
                for port in [8096, 8920] {
                    group.addTask {
                        guard let outcome = await budget.connect(address: address, port: port) else { return nil }
                        return .init(address: address, port: port, transport: .tcp, open: outcome.connected, got: outcome.said)
                    }
                }
                for (port, payload) in [(7359, discovery), (1900, ssdp)] {
                    group.addTask {
                        guard let answer = await budget.datagram(address: address, port: port, payload: payload) else { return nil }
                        let text = answer.map { "answered: " + Sanitized.terminal(String(decoding: $0.prefix(80), as: UTF8.self)) }
                        return .init(address: address, port: port, transport: .udp, open: answer != nil, got: text ?? "no answer")
                    }
                }
            }
            var checks: [ProbeView.PortCheck] = []
            for await check in group { if let check { checks.append(check) } }
            return checks.sorted { ($0.address, $0.transport.rawValue, $0.port) < ($1.address, $1.transport.rawValue, $1.port) }
        }
    }

    // MARK: - Round two: what Jellyfin answers

    private func secondRound(_ view: inout ProbeView, client: JellyfinClient, budget: Budget) async {
        let asks = Asks(client: client, budget: budget)
        async let seen = clientAddress(asks)
        async let wizard = asks.get("/Startup/Configuration")
        async let metrics = asks.get("/metrics")
        async let quickConnect = asks.get("/QuickConnect/Enabled")
        view.clientAddress = await seen
        if let (exchange, _) = await wizard {
            view.exposure.append(.init(kind: .wizard, exchange: exchange, exposed: exchange.status == 200))
        }
        if let (exchange, _) = await metrics {
            view.exposure.append(.init(kind: .metrics, exchange: exchange, exposed: exchange.status == 200))
        }
        if let (exchange, body) = await quickConnect {
            view.exposure.append(.init(kind: .quickConnect, exchange: exchange, exposed: exchange.status == 200 && body == .bool(true)))
        }
        view.signIns = await signIns(asks, seenRemote: view.clientAddress?.plain.isInNetwork == false)
    }

    private func clientAddress(_ asks: Asks) async -> ProbeView.ClientAddressCheck? {
        let forgedAddresses = ["127.0.0.1", target.forgedLANAddress]
        let withCredential = client?.hasToken == true
        let path = withCredential ? "/System/Endpoint" : "/Users/Public"
        func seen(_ forged: String?) async -> ProbeView.ClientAddressCheck.Seen? {
            let headers = forged.map { [("X-Forwarded-For", $0)] } ?? []
            guard let (exchange, body) = await asks.get(path, authenticated: withCredential, headers: headers) else { return nil }
            var result = ProbeView.ClientAddressCheck.Seen(exchange: exchange, forgedAddress: forged)
            if withCredential {
                result.isInNetwork = body?["IsInNetwork"]?.boolValue
                result.isLocal = body?["IsLocal"]?.boolValue
                if let inNetwork = result.isInNetwork {
                    result.exchange.got += " IsInNetwork:\(inNetwork) IsLocal:\(result.isLocal.map(String.init) ?? "?")"
                }
            } else if case .array(let users)? = body {
                result.publicUsers = users.count
                result.exchange.got += users.count == 1 ? " 1 user listed" : " \(users.count) users listed"
            }
            return result
        }
        async let plain = seen(nil)
        async let loopback = seen(forgedAddresses[0])
        async let lan = seen(forgedAddresses[1])
        guard let plain = await plain else { return nil }
        return .init(
            method: withCredential ? .endpoint : .publicUsers, plain: plain, forged: [await loopback, await lan].compactMap { $0 })
    }

    /// Names whose sign-in cannot count toward a lockout: disabled accounts, and accounts without
    /// remote access when Jellyfin sees the prober as remote (both refused before the password is
    /// checked). Without a credential, only the names the user gave.
    func signInCandidates(seenRemote: Bool) -> [(name: String, exists: Bool?)] {
        guard let users else { return target.probeNames.prefix(3).map { ($0, nil) } }
        let safe = users.filter { $0.isDisabled || (seenRemote && !$0.enableRemoteAccess) }
        let ordered = safe.filter(\.isAdministrator) + safe.filter { !$0.isAdministrator }
        return ordered.prefix(2).map { ($0.name, true) }
    }

    private func signIns(_ asks: Asks, seenRemote: Bool) async -> [ProbeView.SignInCheck] {
        let baseline = "jf-probe-\(Self.randomLabel())"
        let tries = [(name: baseline, exists: Bool?.some(false))] + signInCandidates(seenRemote: seenRemote)
        return await withTaskGroup(of: (Int, ProbeView.SignInCheck?).self) { group in
            for (index, attempt) in tries.enumerated() {
                group.addTask {
                    let body: JSONValue = [
                        "Username": .string(attempt.name), "Pw": .string("jf-probe-" + Self.randomLabel() + Self.randomLabel()),
                    ]
                    guard let (exchange, _) = await asks.send(.post, "/Users/AuthenticateByName", body: body) else { return (index, nil) }
                    var sent = exchange
                    sent.sent = "POST /Users/AuthenticateByName for \(attempt.name) with a random password"
                    return (index, .init(name: attempt.name, exists: attempt.exists, exchange: sent))
                }
            }
            var results: [(Int, ProbeView.SignInCheck?)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.compactMap(\.1)
        }
    }

    // MARK: - Helpers

    static func exchange(_ sent: String, _ outcome: WireOutcome) -> ProbeView.Exchange {
        .init(
            sent: sent, got: outcome.said.isEmpty ? "nothing" : outcome.said, accepted: outcome.status != nil, status: outcome.status,
            location: outcome.header("Location").map { String($0.prefix(200)) })
    }

    static func headers(_ outcome: WireOutcome) -> [String: String] {
        var headers: [String: String] = [:]
        for (name, value) in outcome.headers.prefix(100) { headers[name.lowercased()] = String(value.prefix(300)) }
        return headers
    }

    static func stranger(_ sent: String, _ outcome: WireOutcome) -> ProbeView.StrangerCheck {
        let text = String(decoding: outcome.body.prefix(4096), as: UTF8.self)
        let jellyfin = outcome.status == 200 && (text.contains("\"ProductName\"") || text.contains("\"StartupWizardCompleted\""))
        return .init(exchange: exchange(sent, outcome), reachedJellyfin: jellyfin, certificateNames: outcome.certificate?.dnsNames ?? [])
    }

    /// The internal address Jellyfin announces in `/System/Info/Public`, when it is a private one.
    static func localAddress(_ outcome: WireOutcome) -> String? {
        guard outcome.status == 200, let info = try? JSONParser.parse(outcome.body), let local = info["LocalAddress"]?.stringValue,
            let host = URLComponents(string: local)?.host,
            let address = IPAddress(host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))),
            address.isPrivate || address.isLoopback
        else { return nil }
        return Sanitized.terminal(String(local.prefix(100)))
    }

    static func randomLabel() -> String { String(UInt32.random(in: 0...UInt32.max), radix: 16) }
}

/// Counts every request and connection and refuses the ones past the limit.
final class Budget: Sendable {
    private let state: Mutex<Int>
    let limit: Int
    init(limit: Int) {
        self.limit = limit
        state = Mutex(0)
    }
    var used: Int { state.withLock { $0 } }

    func take() -> Bool {
        state.withLock { used in
            guard used < limit else { return false }
            used += 1
            return true
        }
    }

    func exchange(_ request: WireRequest) async -> WireOutcome? {
        guard take() else { return nil }
        var request = request
        request.timeout = Prober.operationTimeout
        return await Wire.exchange(request)
    }

    func connect(address: String, port: Int) async -> WireOutcome? {
        guard take() else { return nil }
        return await Wire.connect(address: address, port: port, timeout: Prober.operationTimeout)
    }

    func datagram(address: String, port: Int, payload: [UInt8]) async -> [UInt8]?? {
        guard take() else { return nil }
        return .some(await Wire.datagram(address: address, port: port, payload: payload, timeout: .seconds(2)))
    }
}

/// API requests through the audit's client, each counted and under the probe's time limit.
struct Asks: Sendable {
    let client: JellyfinClient
    let budget: Budget

    func get(_ path: String, authenticated: Bool = false, headers: [(String, String)] = []) async -> (ProbeView.Exchange, JSONValue?)? {
        await send(.get, path, authenticated: authenticated, headers: headers)
    }

    func send(
        _ method: JellyfinAPI.HTTPMethod, _ path: String, body: JSONValue? = nil, authenticated: Bool = false,
        headers: [(String, String)] = []
    ) async -> (ProbeView.Exchange, JSONValue?)? {
        guard budget.take() else { return nil }
        let forged = headers.first { $0.0 == "X-Forwarded-For" }.map { " with X-Forwarded-For: \($0.1)" } ?? ""
        let sent = "\(method.rawValue) \(path)\(forged)\(authenticated ? " (with the credential)" : "")"
        let client = client
        let answer = await within(Prober.operationTimeout) { () -> Result<JellyfinResponse, JellyfinAPIError> in
            do throws(JellyfinAPIError) {
                return .success(try await client.send(method, path, body: body, authenticated: authenticated, headers: headers))
            } catch {
                return .failure(error)
            }
        }
        switch answer {
        case nil:
            return (.init(sent: sent, got: "no answer within \(Prober.operationTimeout.components.seconds) s", accepted: false), nil)
        case .failure(let error)?:
            return (.init(sent: sent, got: error.description, accepted: false), nil)
        case .success(let response)?:
            let json = try? JSONParser.parse(response.buffer.readableBytesView.prefix(1 << 20))
            return (.init(sent: sent, got: "HTTP \(response.status)", accepted: true, status: response.status), json)
        }
    }
}

/// The result of `work`, or nil when it takes longer than `limit` (the work is then cancelled).
func within<T: Sendable>(_ limit: Duration, _ work: @escaping @Sendable () async -> T) async -> T? {
    await withTaskGroup(of: T?.self) { group in
        group.addTask { await work() }
        group.addTask {
            try? await Task.sleep(for: limit)
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
    }
}
