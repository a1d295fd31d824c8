import Foundation
import JellyfortBase

/// One thing `jellyfort watch` decided: the line printed, the row journalled, the notice sent.
public struct WatchDecision: Sendable, Equatable {
    public enum Action: String, Sendable, Codable {
        case ban, unban, alert
    }

    public var action: Action
    /// The address banned, lifted or alerted about; nil for an alert about one name from many addresses.
    public var ip: String?
    public var reason: String
    public var failures: Int
    public var users: [String]
    /// When the ban ends (seconds since 1970).
    public var until: Double?
    public var backend: String

    public init(action: Action, ip: String?, reason: String, failures: Int = 0, users: [String] = [], until: Double? = nil, backend: String)
    {
        self.action = action
        self.ip = ip
        self.reason = reason
        self.failures = failures
        self.users = users
        self.until = until
        self.backend = backend
    }

    /// The contract's object: every key present, `until` in ISO 8601 (UTC) or null.
    public var json: JSONValue {
        [
            "action": .string(action.rawValue), "ip": ip.map(JSONValue.string) ?? .null, "reason": .string(reason),
            "failures": .int(Int64(failures)), "users": JSONValue(users),
            "until": until.map { .string(Self.iso8601($0)) } ?? .null, "backend": .string(backend),
        ]
    }

    /// One line for a person: `ban 203.0.113.9 for 1h (until …): 5 failures in 10m (alice, bob)`.
    public var text: String {
        var line = action.rawValue
        if let ip { line += " " + ip }
        if let until, action == .ban { line += " until \(Self.iso8601(until))" }
        line += ": " + reason
        if !users.isEmpty {
            line += " (" + users.prefix(5).map { Sanitized.terminal($0) }.joined(separator: ", ") + (users.count > 5 ? ", …" : "") + ")"
        }
        if action != .alert || backend != "none" { line += " [\(backend)]" }
        return line
    }

    static func iso8601(_ seconds: Double) -> String {
        Date(timeIntervalSince1970: seconds.rounded(.down)).formatted(.iso8601)
    }
}
