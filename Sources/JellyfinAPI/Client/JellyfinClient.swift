import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// Who Jellyfort says it is in the `Authorization` header. Jellyfin requires all four fields to
/// create a session, and lists the device under Dashboard → Devices.
public struct ClientIdentity: Sendable, Equatable {
    public var client: String
    public var version: String
    public var device: String
    public var deviceId: String

    public init(client: String = "Jellyfort", version: String = JellyfortVersion.current, device: String? = nil, deviceId: String? = nil) {
        let hostName = ProcessInfo.processInfo.hostName
        self.client = client
        self.version = version
        self.device = device ?? hostName
        // Stable per machine, so repeated runs reuse one device entry instead of piling up new ones.
        self.deviceId =
            deviceId ?? "jellyfort-"
            + String(
                hostName.unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-") }.map(
                    Character.init)
            ).lowercased()
    }
}

/// The version of Jellyfort, reported by `--version` and in the client identity.
public enum JellyfortVersion {
    public static let current = "0.1.0"
}

public struct JellyfinClientConfiguration: Sendable {
    public var server: ServerAddress
    public var credential: Credential?
    public var identity = ClientIdentity()
    /// PEM file of a private CA to trust in addition to the system's.
    public var caFile: String?
    /// Turns certificate verification off. The CLI warns on every run that uses it.
    public var insecureSkipVerify = false
    /// Allows credentials over plain HTTP to a host that is not this machine.
    public var allowInsecureHTTP = false
    public var connectTimeout: Duration = .seconds(5)
    public var requestTimeout: Duration = .seconds(30)
    public var maximumResponseBytes = 32 * 1024 * 1024
    /// One end for everything this client does (the audit's time limit): a request after it
    /// fails at once, and the one under way when it comes ends there.
    public var overallDeadline: OverallDeadline?
    /// Extra headers on every request (probes use this to send forged forwarding headers).
    public var additionalHeaders: [(String, String)] = []
    /// `--resolve NAME:IP`: connect to IP for NAME (SNI, Host and certificate checks stay NAME).
    public var dnsOverride: [String: String] = [:]

    public init(server: ServerAddress, credential: Credential? = nil) {
        self.server = server
        self.credential = credential
    }
}

/// The end of a whole run (`audit --deadline`), and its length for messages.
public struct OverallDeadline: Sendable {
    public var instant: ContinuousClock.Instant
    public var seconds: Int

    public init(seconds: Int, from start: ContinuousClock.Instant = .now) {
        self.seconds = seconds
        self.instant = start + .seconds(seconds)
    }
}

/// What came back from one request: status, headers and the whole (size-capped) body.
public struct JellyfinResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    /// The body as received, without a copy: a large user list is parsed straight from it.
    public var buffer: ByteBuffer

    public var body: [UInt8] { Array(buffer.readableBytesView) }

    public func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }

    public var text: String { String(buffer: buffer) }
}

public enum HTTPMethod: String, Sendable {
    case get = "GET"
    case post = "POST"
    case delete = "DELETE"
    case head = "HEAD"
}

/// A typed async client of the Jellyfin REST API.
///
/// It sends only the current `Authorization: MediaBrowser …` form (12.0 rejects `X-Emby-Token`
/// and `api_key`), caps response sizes and times, and never lets a credential leave over plain
/// HTTP or follow a redirect to another host.
public final class JellyfinClient: Sendable {
    public let configuration: JellyfinClientConfiguration
    private let http: HTTPClient
    private let state = Mutex(State())

    private struct State {
        var token: Secret?
        var userId: String?
        var requestCount = 0
        var isShutDown = false
    }

    public init(configuration: JellyfinClientConfiguration) throws(JellyfinAPIError) {
        let server = configuration.server
        if configuration.credential != nil, server.scheme == "http", !server.isLoopback, !configuration.allowInsecureHTTP {
            throw .insecureTransport(host: server.host)
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        if configuration.insecureSkipVerify {
            tls.certificateVerification = .none
        } else if let caFile = configuration.caFile {
            do {
                let certificates = try NIOSSLCertificate.fromPEMFile(caFile)
                guard !certificates.isEmpty else {
                    throw JellyfinAPIError.tlsFailure(address: server.origin, reason: "no certificate in \(caFile)")
                }
                tls.additionalTrustRoots = [.certificates(certificates)]
            } catch let error as JellyfinAPIError {
                throw error
            } catch {
                throw .tlsFailure(address: server.origin, reason: "cannot read the CA file \(caFile): it must be a PEM certificate")
            }
        }
        var httpConfiguration = HTTPClient.Configuration(
            tlsConfiguration: tls,
            redirectConfiguration: .disallow,
            timeout: .init(connect: .init(configuration.connectTimeout), read: .init(configuration.requestTimeout))
        )
        httpConfiguration.dnsOverride = configuration.dnsOverride
        httpConfiguration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 16)
        self.configuration = configuration
        self.http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: httpConfiguration)
        if case .apiKey(let key) = configuration.credential {
            state.withLock { $0.token = key }
        }
    }

    /// A client dropped without `shutdown()` still closes its pool, unless it is dropped on an
    /// event loop, where a blocking shutdown would deadlock (the pool then closes with the process).
    deinit {
        if !state.withLock({ $0.isShutDown }), MultiThreadedEventLoopGroup.currentEventLoop == nil {
            try? http.syncShutdown()
        }
    }

    /// Closes the connection pool. Call it once, when done.
    public func shutdown() async {
        let alreadyDone = state.withLock { state in
            defer { state.isShutDown = true }
            return state.isShutDown
        }
        if !alreadyDone { try? await http.shutdown() }
    }

    /// How many HTTP requests this client has sent (for benchmarks and tests).
    public var requestCount: Int { state.withLock { $0.requestCount } }

    /// True when requests will carry a token (an API key, or a password after `signIn()`).
    public var hasToken: Bool { state.withLock { $0.token != nil } }

    /// The signed-in user's id, after a password `signIn()`.
    public var signedInUserId: String? { state.withLock { $0.userId } }

    /// Exchanges a user name and password for a session token; a no-op for an API key.
    @discardableResult
    public func signIn() async throws(JellyfinAPIError) -> UserDto? {
        guard case .password(let user, let password) = configuration.credential else { return nil }
        let result = try await authenticate(user: user, password: password)
        state.withLock {
            $0.token = result.accessToken
            $0.userId = result.user.id
        }
        return result.user
    }

    /// Forgets the session token (after a logout).
    func clearToken() {
        state.withLock { $0.token = nil }
    }

    /// `POST /Users/AuthenticateByName`. Does not change this client's own session.
    public func authenticate(user: String, password: Secret) async throws(JellyfinAPIError) -> AuthenticationResult {
        let endpoint = "POST /Users/AuthenticateByName"
        let body: JSONValue = ["Username": .string(user), "Pw": .string(password.exposedValue)]
        let response = try await send(.post, "/Users/AuthenticateByName", body: body, authenticated: false)
        switch response.status {
        case 200: return try Self.decode(AuthenticationResult.self, from: response, endpoint: endpoint)
        case 401: throw .unauthorized(endpoint: endpoint, credentialSent: true)
        case 403:
            throw .forbidden(
                endpoint: endpoint,
                reason:
                    "user \(user) may not sign in: the account is disabled or locked out, has no remote access from "
                    + "this address, is outside its schedule, or is at its session limit"
            )
        default: throw Self.statusError(response, endpoint: endpoint, credentialSent: false)
        }
    }

    /// The Authorization header value for a token (or none).
    func authorizationHeader(token: Secret?) -> String {
        let identity = configuration.identity
        var pairs = [
            ("Client", identity.client), ("Device", identity.device),
            ("DeviceId", identity.deviceId), ("Version", identity.version),
        ]
        if let token { pairs.append(("Token", token.exposedValue)) }
        return "MediaBrowser " + pairs.map { "\($0.0)=\"\(ServerAddress.encode($0.1))\"" }.joined(separator: ", ")
    }

    /// Sends one request and returns whatever status came back; transport problems are thrown.
    /// `authenticated: false` sends the identity without a token (what an anonymous visitor sees).
    public func send(
        _ method: HTTPMethod,
        _ path: String,
        query: [(String, String)] = [],
        body: JSONValue? = nil,
        authenticated: Bool = true,
        headers extraHeaders: [(String, String)] = []
    ) async throws(JellyfinAPIError) -> JellyfinResponse {
        let endpoint = "\(method.rawValue) \(path)"
        var token: Secret?
        if authenticated {
            token = state.withLock { $0.token }
            guard token != nil else { throw .credentialRequired(endpoint: endpoint) }
        }
        var url = configuration.server.url(path: path, query: query)
        var method = method
        var body = body
        let origin = configuration.server.origin
        // Same-origin redirects only (a trailing slash, a base path): anything else would carry
        // the token or a password body elsewhere, or answer for a server nobody asked.
        for _ in 0..<Self.maximumRedirects {
            let response = try await perform(method, url: url, token: token, body: body, endpoint: endpoint, headers: extraHeaders)
            // An HTTPS server given plain HTTP answers 400 with a sentence, not Jellyfin's JSON.
            if response.status == 400, response.buffer.readableBytesView.first != UInt8(ascii: "{"), await speaksTLSInstead() {
                throw .unreachable(address: origin, reason: Self.httpsPortReason)
            }
            guard [301, 302, 303, 307, 308].contains(response.status) else { return response }
            guard let location = response.header("Location") else {
                throw .malformedResponse(endpoint: endpoint, detail: "HTTP \(response.status) without a Location")
            }
            let next = try Self.redirectTarget(location, from: url, endpoint: endpoint)
            guard next.origin == origin else {
                throw .redirectedElsewhere(endpoint: endpoint, from: origin, to: next.origin)
            }
            // 303 (and 301/302 after a POST, as browsers do) become a GET without the body.
            if response.status == 303 || ((response.status == 301 || response.status == 302) && method == .post) {
                method = .get
                body = nil
            }
            url = next.url
        }
        throw .redirectLoop(endpoint: endpoint, hops: Self.maximumRedirects)
    }

    static let maximumRedirects = 5

    /// Where a `Location` points, checked as strictly as `--server` (port range, no user info).
    public static func redirectTarget(_ location: String, from current: String, endpoint: String) throws(JellyfinAPIError) -> (
        origin: String, url: String
    ) {
        guard location.count <= 4096, let base = URL(string: current), let next = URL(string: location, relativeTo: base)?.absoluteURL,
            let scheme = next.scheme, let host = next.host
        else {
            throw .malformedResponse(
                endpoint: endpoint, detail: "a redirect to '\(Sanitized.terminal(String(location.prefix(100))))', which is not an address")
        }
        let authority = ServerAddress.authority(of: next.absoluteString)
        let portPart = ServerAddress.portText(of: authority).map { ":\($0)" } ?? ""
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        let address: ServerAddress
        do {
            address = try ServerAddress("\(scheme)://\(bracketed)\(portPart)")
        } catch {
            throw .malformedResponse(
                endpoint: endpoint,
                detail: "a redirect to '\(Sanitized.terminal(String(ServerAddress.redactingUserInfo(location).prefix(100))))': \(error)")
        }
        return (address.origin, next.absoluteString)
    }

    private func perform(
        _ method: HTTPMethod, url: String, token: Secret?, body: JSONValue?, endpoint: String, headers extraHeaders: [(String, String)]
    ) async throws(JellyfinAPIError) -> JellyfinResponse {
        var request = HTTPClientRequest(url: url)
        request.method = NIOHTTP1.HTTPMethod(rawValue: method.rawValue)
        request.headers.add(name: "Authorization", value: authorizationHeader(token: token))
        request.headers.add(name: "Accept", value: "application/json")
        for (name, value) in configuration.additionalHeaders + extraHeaders { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: JSONWriter.bytes(body)))
        }
        state.withLock { $0.requestCount += 1 }
        let limit = configuration.maximumResponseBytes
        let started = ContinuousClock.now
        if let overall = configuration.overallDeadline, started >= overall.instant {
            throw .overallDeadlinePassed(endpoint: endpoint, seconds: overall.seconds)
        }
        let deadline = min(
            started + configuration.requestTimeout, configuration.overallDeadline?.instant ?? started + configuration.requestTimeout)
        do {
            let response = try await http.execute(request, timeout: .init(deadline - started))
            let length = response.headers.first(name: "Content-Length").flatMap(Int.init)
            if let length, length > limit {
                throw JellyfinAPIError.responseTooLarge(endpoint: endpoint, limitBytes: limit)
            }
            // Sized once from Content-Length: a growing buffer would briefly hold a large body twice.
            var buffer = ByteBufferAllocator().buffer(capacity: length ?? 16 * 1024)
            // The whole answer has one deadline: a body trickling in a byte at a time never
            // trips a read timeout, so the clock is checked as it arrives, and a watchdog ends
            // the read when nothing arrives before the deadline.
            let seconds = Int(configuration.requestTimeout.components.seconds)
            buffer = try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
                group.addTask { [buffer] in
                    var buffer = buffer
                    for try await chunk in response.body {
                        guard buffer.readableBytes + chunk.readableBytes <= limit else {
                            throw JellyfinAPIError.responseTooLarge(endpoint: endpoint, limitBytes: limit)
                        }
                        guard ContinuousClock.now < deadline else { throw self.deadlineError(endpoint: endpoint, seconds: seconds) }
                        buffer.writeImmutableBuffer(chunk)
                    }
                    return buffer
                }
                group.addTask {
                    try await Task.sleep(until: deadline, clock: .continuous)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let body = first else {
                    throw self.deadlineError(endpoint: endpoint, seconds: seconds)
                }
                return body
            }
            return JellyfinResponse(
                status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, buffer: buffer)
        } catch {
            let classified = classify(error, endpoint: endpoint)
            switch classified {
            case .tlsFailure(let address, _):
                throw .tlsFailure(address: address, reason: await diagnoseTLS())
            case .unreachable(let address, _) where Self.isTransportOddity(error):
                if await speaksTLSInstead() { throw .unreachable(address: address, reason: Self.httpsPortReason) }
                throw classified
            default:
                throw classified
            }
        }
    }

    /// Which deadline ended a request: the run's own (`--deadline`) or the request's.
    private func deadlineError(endpoint: String, seconds: Int) -> JellyfinAPIError {
        if let overall = configuration.overallDeadline, ContinuousClock.now >= overall.instant {
            return .overallDeadlinePassed(endpoint: endpoint, seconds: overall.seconds)
        }
        return .deadlineExceeded(endpoint: endpoint, seconds: seconds)
    }

    static let httpsPortReason = "this port speaks HTTPS, not plain HTTP; use https:// with the same address"

    /// A connection that was reset, closed without an answer, or answered with something that
    /// is not HTTP: what plain HTTP sent to a TLS port looks like.
    private static func isTransportOddity(_ error: any Error) -> Bool {
        switch error {
        case let error as IOError: return error.errnoCode == ECONNRESET
        case let error as HTTPClientError: return error == .remoteConnectionClosed
        case is HTTPParserError: return true
        default: return false
        }
    }

    /// Transport errors by their type and errno, each to the message that names cause and fix.
    private func classify(_ error: any Error, endpoint: String) -> JellyfinAPIError {
        let address = configuration.server.origin
        let requestSeconds = Int(configuration.requestTimeout.components.seconds)
        let plainHTTP = configuration.server.scheme == "http"
        let tlsHint = plainHTTP ? "; if this port speaks HTTPS, use https://" : ""
        switch error {
        case let error as JellyfinAPIError:
            return error
        case is CancellationError:
            return deadlineError(endpoint: endpoint, seconds: requestSeconds)
        case let error as HTTPClientError:
            switch error {
            case .connectTimeout:
                return .unreachable(
                    address: address,
                    reason:
                        "no answer within \(configuration.connectTimeout.components.seconds) s (nothing listening, or a "
                        + "firewall drops the packets)"
                )
            case .readTimeout, .deadlineExceeded:
                if case .overallDeadlinePassed(let endpoint, let seconds) = deadlineError(endpoint: endpoint, seconds: requestSeconds) {
                    return .overallDeadlinePassed(endpoint: endpoint, seconds: seconds)
                }
                return .timeout(endpoint: endpoint, seconds: requestSeconds)
            case .tlsHandshakeTimeout: return .tlsFailure(address: address, reason: "the TLS handshake timed out")
            case .remoteConnectionClosed:
                return .unreachable(address: address, reason: "the server closed the connection without answering\(tlsHint)")
            case .invalidURL: return .invalidServerURL(address, reason: "not a URL the client can use")
            default: return .unreachable(address: address, reason: "the HTTP exchange failed (\(error.shortDescription))\(tlsHint)")
            }
        case let error as IOError:
            return .unreachable(address: address, reason: Self.reason(errno: error.errnoCode, tlsHint: tlsHint))
        case let error as NIOConnectionError:
            if let first = error.connectionErrors.first?.error as? IOError {
                return .unreachable(address: address, reason: Self.reason(errno: first.errnoCode, tlsHint: tlsHint))
            }
            if error.dnsAError != nil || error.dnsAAAAError != nil {
                return .unreachable(address: address, reason: "the name \(configuration.server.host) could not be resolved")
            }
            return .unreachable(address: address, reason: "no connection could be made")
        case is HTTPParserError:
            return .unreachable(address: address, reason: "the answer is not HTTP\(tlsHint)")
        case is NIOSSLError, is BoringSSLError, is NIOSSLExtraError:
            return .tlsFailure(address: address, reason: "the TLS handshake failed")
        default:
            return .unreachable(address: address, reason: "the connection failed (\(type(of: error)))\(tlsHint)")
        }
    }

    private static func reason(errno code: Int32, tlsHint: String) -> String {
        switch code {
        case ECONNREFUSED: "connection refused (nothing listens on that port)"
        case ECONNRESET: "the server reset the connection\(tlsHint)"
        case EHOSTUNREACH, ENETUNREACH: "no route to the host"
        case ETIMEDOUT: "the connection timed out"
        default: String(cString: strerror(code))
        }
    }

    /// Why a handshake failed, found by what the port does rather than by BoringSSL's text:
    /// an answer in plain HTTP means the port does not speak TLS; a handshake that succeeds
    /// without verification means the certificate is not trusted. Neither probe carries a
    /// credential or any header of the real request.
    private func diagnoseTLS() async -> String {
        if await answers(scheme: "https") {
            return "the certificate is not trusted (self-signed, expired, or for another name)"
        }
        if await answers(scheme: "http") {
            return "the server answers in plain HTTP on this port, not TLS; use http:// (or the HTTPS port)"
        }
        return "the TLS handshake failed (the port may not speak TLS, or speaks an old version)"
    }

    /// Whether this host and port answer `GET /` over `scheme` at all (https without checking
    /// the certificate): a diagnosis after a failure, with no credential and no header of ours.
    private func answers(scheme: String) async -> Bool {
        let server = configuration.server
        let url = "\(scheme)://\(server.host.contains(":") ? "[\(server.host)]" : server.host):\(server.port)/"
        var settings = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(3), read: .seconds(3)))
        if scheme == "https" {
            var unverified = TLSConfiguration.makeClientConfiguration()
            unverified.certificateVerification = .none
            settings.tlsConfiguration = unverified
        }
        let probe = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: settings)
        let answered = (try? await probe.execute(HTTPClientRequest(url: url), timeout: .seconds(3))) != nil
        try? await probe.shutdown()
        return answered
    }

    /// After plain HTTP failed oddly (a reset, a closed connection, an answer that is not HTTP,
    /// or a 400 that is not Jellyfin's): if the port completes a TLS handshake, it is an HTTPS
    /// port and the fix is https://.
    private func speaksTLSInstead() async -> Bool {
        guard configuration.server.scheme == "http" else { return false }
        return await answers(scheme: "https")
    }

    // MARK: Decoding

    static func parseJSON(_ response: JellyfinResponse, endpoint: String) throws(JellyfinAPIError) -> JSONValue {
        guard response.buffer.readableBytes > 0 else { throw .malformedResponse(endpoint: endpoint, detail: "empty body") }
        do {
            return try response.buffer.withUnsafeReadableBytes { raw in
                try JSONParser.parse(UnsafeBufferPointer(start: raw.baseAddress?.assumingMemoryBound(to: UInt8.self), count: raw.count))
            }
        } catch {
            throw .malformedResponse(endpoint: endpoint, detail: "not JSON: \(error)")
        }
    }

    static func decode<Model: JSONReadableModel>(_ type: Model.Type, from response: JellyfinResponse, endpoint: String)
        throws(JellyfinAPIError) -> Model
    {
        let value = try parseJSON(response, endpoint: endpoint)
        guard let object = value.objectValue else {
            throw .malformedResponse(endpoint: endpoint, detail: "expected a \(Model.schemaName) object, found \(value.kindName)")
        }
        do {
            return try Model(json: object)
        } catch {
            throw .malformedResponse(endpoint: endpoint, detail: "\(Model.schemaName) \(error)")
        }
    }

    static func decodeArray<Model: JSONReadableModel>(_ type: Model.Type, from value: JSONValue, endpoint: String) throws(JellyfinAPIError)
        -> [Model]
    {
        guard let elements = value.arrayValue else {
            throw .malformedResponse(endpoint: endpoint, detail: "expected an array of \(Model.schemaName), found \(value.kindName)")
        }
        var models: [Model] = []
        models.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            guard let object = element.objectValue else {
                throw .malformedResponse(endpoint: endpoint, detail: "item \(index) is \(element.kindName), not a \(Model.schemaName)")
            }
            do {
                models.append(try Model(json: object))
            } catch {
                throw .malformedResponse(endpoint: endpoint, detail: "item \(index): \(Model.schemaName) \(error)")
            }
        }
        return models
    }

    static func decodeQueryResult<Model: JSONReadableModel>(_ type: Model.Type, from response: JellyfinResponse, endpoint: String)
        throws(JellyfinAPIError) -> QueryResult<Model>
    {
        let value = try parseJSON(response, endpoint: endpoint)
        guard let object = value.objectValue, let items = object["Items"] else {
            throw .malformedResponse(endpoint: endpoint, detail: "expected a query result with Items")
        }
        let models = try decodeArray(type, from: items, endpoint: endpoint)
        let total = object["TotalRecordCount"]?.intValue ?? models.count
        let start = object["StartIndex"]?.intValue ?? 0
        return QueryResult(items: models, totalRecordCount: total, startIndex: start)
    }

    static func statusError(_ response: JellyfinResponse, endpoint: String, credentialSent: Bool) -> JellyfinAPIError {
        let detail: String? = {
            let text = response.text.trimmingCharacters(in: .whitespacesAndNewlines)
            // Production Jellyfin hides details behind this sentence; it tells nothing.
            guard !text.isEmpty, text.count <= 200, text != "Error processing request." else { return nil }
            return text.filter { !$0.isNewline }
        }()
        switch response.status {
        case 400: return .badRequest(endpoint: endpoint, detail: detail)
        case 401: return .unauthorized(endpoint: endpoint, credentialSent: credentialSent)
        case 403: return .forbidden(endpoint: endpoint, reason: detail)
        case 404: return .notFound(endpoint: endpoint)
        case 503: return .serviceUnavailable(endpoint: endpoint)
        case 500...599: return .serverError(endpoint: endpoint, status: response.status)
        default: return .unexpectedStatus(endpoint: endpoint, status: response.status)
        }
    }
}
