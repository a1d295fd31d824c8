import JellyfinAPI

/// The whole objects behind the evidence, as the server sent them: what `harden` backs up and
/// writes back (Jellyfin replaces policies and configurations whole, unknown fields included).
/// Never part of a report.
public struct ServerObjects: Sendable {
    public var users: [UserDto] = []
    public var configuration: ServerConfiguration?
    public var network: NetworkConfiguration?
    /// `GET /Auth/Keys` in the order the evidence lists them.
    public var apiKeys: [APIKeyInfo] = []

    public init() {}
}
