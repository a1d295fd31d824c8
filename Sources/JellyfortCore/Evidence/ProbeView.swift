import Foundation

/// What a stranger on the internet saw, from where `audit --probe` ran. Every check keeps what
/// was sent and what came back, so a finding can say both; a check that could not be made is
/// absent, never assumed.
public struct ProbeView: Sendable, Codable, Equatable {
    /// The name probed (`--server`'s host).
    public var name: String
    /// The addresses that name was reached at (`--resolve`, or the resolver's answer).
    public var addresses: [String]
    /// Requests and connections made.
    public var operations: Int = 0
    /// HTTPS to the name: nil when it could not be reached (the reason is in `unreachable`).
    public var https: TLSCheck?
    public var unreachable: String?
    /// TLS 1.0 and 1.1, each offered alone.
    public var oldProtocols: [Exchange] = []
    /// `GET http://NAME/`.
    public var plainHTTP: Exchange?
    /// The answers whose headers are judged (`/web/` and an API answer).
    public var answers: [Answer] = []
    /// 8096/8920 TCP and 7359/1900 UDP on every address of the name and on `--origin`.
    public var directPorts: [PortCheck] = []
    /// Requests a scanner makes: no SNI with the bare IP, and an unknown name.
    public var strangers: [StrangerCheck] = []
    /// What Jellyfin takes the prober for, plainly and with a forged `X-Forwarded-For`.
    public var clientAddress: ClientAddressCheck?
    /// `--origin`'s 443 with SNI NAME, from the prober (not a CDN address).
    public var origins: [Exchange] = []
    /// Anonymous requests that should not succeed from outside.
    public var exposure: [ExposureCheck] = []
    /// Sign-ins with a random password for names that cannot count toward a lockout.
    public var signIns: [SignInCheck] = []

    public init(name: String, addresses: [String]) {
        self.name = name
        self.addresses = addresses
    }

    /// One request or connection: what was sent and what came back, in words.
    public struct Exchange: Sendable, Codable, Equatable {
        public var sent: String
        public var got: String
        /// Whether the other side accepted (a TLS handshake, a TCP connection, an HTTP answer).
        public var accepted: Bool
        public var status: Int?
        public var location: String?
        public init(sent: String, got: String, accepted: Bool, status: Int? = nil, location: String? = nil) {
            self.sent = sent
            self.got = got
            self.accepted = accepted
            self.status = status
            self.location = location
        }
    }

    public struct TLSCheck: Sendable, Codable, Equatable {
        public var exchange: Exchange
        public var version: String
        /// The chain verified for the name (system roots plus `--ca-file`).
        public var verified: Bool
        public var verifyProblem: String?
        public var certificateNames: [String]
        public var notAfter: Date?
        public init(
            exchange: Exchange, version: String, verified: Bool, verifyProblem: String? = nil, certificateNames: [String],
            notAfter: Date?
        ) {
            self.exchange = exchange
            self.version = version
            self.verified = verified
            self.verifyProblem = verifyProblem
            self.certificateNames = certificateNames
            self.notAfter = notAfter
        }
    }

    public struct Answer: Sendable, Codable, Equatable {
        public var exchange: Exchange
        /// Header names as received, with their values.
        public var headers: [String: String]
        public init(exchange: Exchange, headers: [String: String]) {
            self.exchange = exchange
            self.headers = headers
        }
        public func header(_ name: String) -> String? {
            headers.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value
        }
    }

    public struct PortCheck: Sendable, Codable, Equatable {
        public enum Transport: String, Sendable, Codable { case tcp, udp }
        public var address: String
        public var port: Int
        public var transport: Transport
        /// Connected (TCP) or answered (UDP).
        public var open: Bool
        public var got: String
        public init(address: String, port: Int, transport: Transport, open: Bool, got: String) {
            self.address = address
            self.port = port
            self.transport = transport
            self.open = open
            self.got = got
        }
        public var label: String { "\(transport.rawValue.uppercased()) \(address.contains(":") ? "[\(address)]" : address):\(port)" }
    }

    public struct StrangerCheck: Sendable, Codable, Equatable {
        public var exchange: Exchange
        /// The answer was Jellyfin's (its public system information came back).
        public var reachedJellyfin: Bool
        /// The names on the certificate served to this stranger, if one was.
        public var certificateNames: [String]
        public init(exchange: Exchange, reachedJellyfin: Bool, certificateNames: [String]) {
            self.exchange = exchange
            self.reachedJellyfin = reachedJellyfin
            self.certificateNames = certificateNames
        }
    }

    public struct ClientAddressCheck: Sendable, Codable, Equatable {
        /// `/System/Endpoint` (with a credential) or `/Users/Public` compared (without).
        public var method: Method
        public var plain: Seen
        public var forged: [Seen]
        public init(method: Method, plain: Seen, forged: [Seen]) {
            self.method = method
            self.plain = plain
            self.forged = forged
        }
        public enum Method: String, Sendable, Codable { case endpoint, publicUsers }
        public struct Seen: Sendable, Codable, Equatable {
            public var exchange: Exchange
            /// `X-Forwarded-For` sent, if any.
            public var forgedAddress: String?
            public var isInNetwork: Bool?
            public var isLocal: Bool?
            /// Users on the login screen (the `/Users/Public` method).
            public var publicUsers: Int?
            public init(exchange: Exchange, forgedAddress: String?, isInNetwork: Bool? = nil, isLocal: Bool? = nil, publicUsers: Int? = nil)
            {
                self.exchange = exchange
                self.forgedAddress = forgedAddress
                self.isInNetwork = isInNetwork
                self.isLocal = isLocal
                self.publicUsers = publicUsers
            }
        }
        /// A forged header changed what Jellyfin thinks the prober is.
        public var forgeryFlips: Seen? {
            forged.first { seen in
                switch method {
                case .endpoint: seen.isInNetwork == true && plain.isInNetwork == false
                case .publicUsers: (seen.publicUsers ?? 0) > (plain.publicUsers ?? Int.max)
                }
            }
        }
    }

    public struct ExposureCheck: Sendable, Codable, Equatable {
        public enum Kind: String, Sendable, Codable { case wizard, metrics, quickConnect, localAddress }
        public var kind: Kind
        public var exchange: Exchange
        /// The request got what it should not have from outside.
        public var exposed: Bool
        public init(kind: Kind, exchange: Exchange, exposed: Bool) {
            self.kind = kind
            self.exchange = exchange
            self.exposed = exposed
        }
    }

    public struct SignInCheck: Sendable, Codable, Equatable {
        public var name: String
        /// The name is an account (from the credential's user list); nil when not known.
        public var exists: Bool?
        public var exchange: Exchange
        public init(name: String, exists: Bool?, exchange: Exchange) {
            self.name = name
            self.exists = exists
            self.exchange = exchange
        }
    }
}
