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

    /// This machine: credentials may go over plain HTTP only here.
    public var isLoopback: Bool {
        let lowered = host.lowercased()
        if lowered == "localhost" || lowered.hasSuffix(".localhost") || lowered == "::1" { return true }
        let parts = lowered.split(separator: ".")
        return parts.count == 4 && parts.first == "127" && parts.allSatisfy { UInt8($0) != nil }
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
