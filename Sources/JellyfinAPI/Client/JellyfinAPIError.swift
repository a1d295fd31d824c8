/// Everything that can go wrong talking to a Jellyfin server, each with a message a person can act on.
/// No case carries a secret.
public enum JellyfinAPIError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidServerURL(String, reason: String)
    /// Credentials would travel in clear text to a host that is not this machine.
    case insecureTransport(host: String)
    case unreachable(address: String, reason: String)
    case tlsFailure(address: String, reason: String)
    case timeout(endpoint: String, seconds: Int)
    /// 401: the credential was rejected (or none was sent to an endpoint that needs one).
    case unauthorized(endpoint: String, credentialSent: Bool)
    /// 403, with the reason when Jellyfin's answer or the context tells it.
    case forbidden(endpoint: String, reason: String?)
    case badRequest(endpoint: String, detail: String?)
    case notFound(endpoint: String)
    /// 503: the server is starting, or its IP filter blocks this address.
    case serviceUnavailable(endpoint: String)
    case serverError(endpoint: String, status: Int)
    case unexpectedStatus(endpoint: String, status: Int)
    case malformedResponse(endpoint: String, detail: String)
    case responseTooLarge(endpoint: String, limitBytes: Int)
    /// An endpoint that needs a credential was called without one.
    case credentialRequired(endpoint: String)
    /// An API key cannot do what needs a user (e.g. `GET /Users/Me`).
    case needsUserSession(endpoint: String)
    /// The server redirected to another origin (host, port or scheme). Jellyfort never follows:
    /// a credential or password would go to an address nobody asked for, and the answer would
    /// not be the server's own.
    case redirectedElsewhere(endpoint: String, from: String, to: String)
    /// Redirects that never end.
    case redirectLoop(endpoint: String, hops: Int)
    /// The whole request took longer than its deadline (a body trickling in counts).
    case deadlineExceeded(endpoint: String, seconds: Int)
    /// The whole run's time limit (`audit --deadline`) ran out before this request finished.
    case overallDeadlinePassed(endpoint: String, seconds: Int)

    public var description: String {
        switch self {
        case .invalidServerURL(let url, let reason):
            "'\(Sanitized.terminal(url))' is not a server address (\(reason)); give it as "
                + "https://host[:port][/base], e.g. https://jellyfin.example.org"
        case .insecureTransport(let host):
            "refusing to send credentials in clear text to \(host): use https://, or pass --allow-insecure-http if this network is trusted"
        case .unreachable(let address, let reason):
            "cannot reach the server at \(address): \(reason); check the address and port, and that Jellyfin is running"
        case .tlsFailure(let address, let reason):
            "TLS with \(address) failed: \(reason); for a private CA pass --ca-file PATH"
        case .timeout(let endpoint, let seconds):
            "\(endpoint) did not answer within \(seconds) s; the server may be overloaded or a proxy may be stalling"
        case .unauthorized(let endpoint, let credentialSent):
            credentialSent
                ? "the server rejected the credential (401 on \(endpoint)); check the API key or password "
                    + "(Dashboard → API Keys), and on 12.x that it is not a legacy token"
                : "\(endpoint) needs a credential: give --api-key-file PATH, set JELLYFORT_API_KEY, or use --user "
                    + "NAME with --password-file PATH"
        case .forbidden(let endpoint, let reason):
            "the server refused \(endpoint) (403)" + (reason.map { ": \($0)" } ?? "; the account may lack administrator rights")
        case .badRequest(let endpoint, let detail):
            "the server rejected the request to \(endpoint) as invalid (400)" + (detail.map { ": \($0)" } ?? "")
        case .notFound(let endpoint):
            "\(endpoint) does not exist on this server (404); is this a Jellyfin server, and is the base URL right?"
        case .serviceUnavailable(let endpoint):
            "the server answered 503 to \(endpoint): it is starting up, or its IP filter blocks this address"
        case .serverError(let endpoint, let status):
            "the server failed on \(endpoint) (HTTP \(status)); see Jellyfin's log (Dashboard → Logs)"
        case .unexpectedStatus(let endpoint, let status):
            "unexpected HTTP \(status) from \(endpoint); is this a Jellyfin server?"
        case .malformedResponse(let endpoint, let detail):
            "\(endpoint) answered with something that is not the JSON Jellyfin sends (\(detail)); is this a "
                + "Jellyfin server, or is a proxy rewriting answers?"
        case .responseTooLarge(let endpoint, let limit):
            "\(endpoint) sent more than \(limit / (1024 * 1024)) MiB; refusing to read it"
        case .credentialRequired(let endpoint):
            "\(endpoint) needs a credential: give --api-key-file PATH, set JELLYFORT_API_KEY, or use --user NAME with --password-file PATH"
        case .redirectedElsewhere(let endpoint, let from, let to):
            "\(from) redirected \(endpoint) to \(to), another address; Jellyfort does not follow redirects "
                + "away from the server it was given (a credential could leak). If your server really moved, give "
                + "--server with its new address"
        case .redirectLoop(let endpoint, let hops):
            "\(endpoint) was redirected \(hops) times without an answer (a redirect loop); check the reverse proxy's configuration"
        case .deadlineExceeded(let endpoint, let seconds):
            "\(endpoint) did not finish within \(seconds) s (the answer arrived too slowly); the server or a proxy may be stalling"
        case .overallDeadlinePassed(let endpoint, let seconds):
            "the audit's time limit of \(seconds) s ran out before \(endpoint) finished, so the controls "
                + "that need it are unknown; if the server is only slow, raise the limit with --deadline SECONDS "
                + "(or deadline: in jellyfort.yml)"
        case .needsUserSession(let endpoint):
            "\(endpoint) needs a signed-in user, not an API key: use --user NAME with --password-file PATH"
        }
    }
}
