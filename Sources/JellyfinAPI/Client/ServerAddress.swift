import Foundation

/// A parsed server address: scheme, host, port and Jellyfin's BaseUrl prefix.
public struct ServerAddress: Sendable, Equatable, CustomStringConvertible {
    public var scheme: String
    public var host: String
    public var port: Int
    /// Jellyfin's `BaseUrl`: empty, or a leading "/" and no trailing "/".
    public var basePath: String

    public init(_ text: String) throws(JellyfinAPIError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        // Checked before any parser sees it: a password must never reach a message, and a port
        // that does not fit in 16 bits must be refused, not trapped on.
        let authority = Self.authority(of: trimmed)
        if authority.contains("@") {
            throw .invalidServerURL(
                Self.redactingUserInfo(trimmed),
                reason:
                    "a user name or password does not belong in the address: sign in with --user NAME "
                    + "--password-file PATH, or use --api-key-file PATH"
            )
        }
        if let port = Self.portText(of: authority) {
            guard !port.isEmpty, port.count <= 5, port.allSatisfy(\.isASCII), let number = Int(port), port.allSatisfy(\.isNumber),
                (1...65535).contains(number)
            else {
                throw .invalidServerURL(trimmed, reason: "the port must be a number from 1 to 65535")
            }
        }
        guard trimmed.count <= 2048, !trimmed.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw .invalidServerURL(String(trimmed.prefix(80)), reason: "it is too long or has control characters")
        }
        guard let components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased() else {
            throw .invalidServerURL(text, reason: "no scheme")
        }
        guard scheme == "http" || scheme == "https" else {
            throw .invalidServerURL(text, reason: "scheme must be http or https")
        }
        guard let host = components.host, !host.isEmpty else { throw .invalidServerURL(text, reason: "no host") }
        guard components.user == nil, components.password == nil else {
            throw .invalidServerURL(text, reason: "credentials do not belong in the address")
        }
        guard components.query == nil, components.fragment == nil else {
            throw .invalidServerURL(text, reason: "no query or fragment, please")
        }
        self.scheme = scheme
        self.host = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        self.port = components.port ?? (scheme == "https" ? 443 : 80)
        var path = components.percentEncodedPath
        while path.hasSuffix("/") { path.removeLast() }
        self.basePath = path
    }

    public init(scheme: String, host: String, port: Int, basePath: String = "") {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.basePath = basePath
    }

    var hostForURL: String { host.contains(":") ? "[\(host)]" : host }

    /// `scheme://host:port`, the origin redirects are compared against.
    public var origin: String { "\(scheme)://\(hostForURL):\(port)" }

    public var description: String { origin + basePath }

    /// This machine: credentials may go over plain HTTP only here. Only literal loopback
    /// addresses and `localhost` itself count: any other name (`x.localhost` too) goes through DNS.
    public var isLoopback: Bool {
        let lowered = host.lowercased()
        if lowered == "localhost" { return true }
        guard let address = IPAddress(lowered) else { return false }
        return address.isLoopback
    }

    /// `user:pass@host:port` of `scheme://user:pass@host:port/path`.
    static func authority(of text: String) -> Substring {
        guard let start = text.range(of: "://")?.upperBound else { return "" }
        let rest = text[start...]
        return rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
    }

    /// The port digits after the host (IPv6 brackets respected), or nil when none is written.
    static func portText(of authority: Substring) -> Substring? {
        let hostPort = authority.split(separator: "@").last ?? authority
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { return nil }
            let after = hostPort[hostPort.index(after: close)...]
            return after.hasPrefix(":") ? after.dropFirst() : nil
        }
        guard let colon = hostPort.lastIndex(of: ":") else { return nil }
        return hostPort[hostPort.index(after: colon)...]
    }

    /// The address with anything before `@` in its authority replaced, for messages.
    static func redactingUserInfo(_ text: String) -> String {
        guard let start = text.range(of: "://")?.upperBound else { return "(address hidden)" }
        let authority = Self.authority(of: text)
        guard let at = authority.lastIndex(of: "@") else { return text }
        return String(text[..<start]) + "•••@" + String(authority[authority.index(after: at)...]) + String(text[authority.endIndex...])
    }

    /// The full URL of an API path with an already-encoded query.
    func url(path: String, query: [(String, String)]) -> String {
        var url = origin + basePath + path
        if !query.isEmpty {
            url += "?" + query.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        }
        return url
    }

    static let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }
}
