import Foundation
import JellyfinAPI
import JellyfortCore

/// One field that a run changes, as shown to the user and in `--format json`.
public struct PlannedChange: Sendable, Equatable, Codable {
    public var control: String
    /// `user:NAME`, `config:server`, `config:network`, `apikey:APP`, `device:NAME`.
    public var subject: String
    public var field: String
    public var from: JSONValue
    public var to: JSONValue

    public init(control: String, subject: String, field: String, from: JSONValue, to: JSONValue) {
        self.control = control
        self.subject = subject
        self.field = field
        self.from = from
        self.to = to
    }
}

/// A control the run leaves alone, and why.
public struct SkippedControl: Sendable, Equatable, Codable {
    public var control: String
    public var reason: String
    public init(control: String, reason: String) {
        self.control = control
        self.reason = reason
    }
}

/// One write to the server. Each carries the whole object to send, because Jellyfin replaces
/// policies and configurations whole.
public enum HardenOperation: Sendable {
    case updatePolicy(user: UserDto, policy: UserPolicy)
    case renameUser(user: UserDto, newName: String)
    case updateServerConfiguration(original: ServerConfiguration, updated: ServerConfiguration)
    case updateNetworkConfiguration(original: NetworkConfiguration, updated: NetworkConfiguration)
    case createMediaUser(name: String, policy: JSONObject)
    case rotatePassword(user: UserDto)
    case revokeAPIKey(app: String, token: Secret)
    case deleteDevice(id: String, name: String)

    /// A short line for the journal and progress; never a secret.
    public var label: String {
        switch self {
        case .updatePolicy(let user, _): "policy of user:\(user.name)"
        case .renameUser(let user, let newName): "rename user:\(user.name) to \(newName)"
        case .updateServerConfiguration: "config:server"
        case .updateNetworkConfiguration: "config:network"
        case .createMediaUser(let name, _): "create user:\(name)"
        case .rotatePassword(let user): "password of user:\(user.name)"
        case .revokeAPIKey(let app, let token): "revoke apikey:\(app) (\(token.redacted))"
        case .deleteDevice(_, let name): "remove device:\(name)"
        }
    }

    /// The backup this write needs first: (file name, object).
    var backup: (name: String, object: JSONObject)? {
        switch self {
        case .updatePolicy(let user, _), .renameUser(let user, _): ("user-\(user.id).json", user.json)
        case .updateServerConfiguration(let original, _): ("config-server.json", original.json)
        case .updateNetworkConfiguration(let original, _): ("config-network.json", original.json)
        case .createMediaUser, .rotatePassword, .revokeAPIKey, .deleteDevice: nil
        }
    }
}

/// What a run will do: the changes to show, the writes to send, and what it leaves alone.
public struct HardenPlan: Sendable {
    public var runId: String
    public var server: String
    public var changes: [PlannedChange]
    public var operations: [HardenOperation]
    public var skipped: [SkippedControl]
    /// Things to tell the user (restart needed, the way back from a lockout, …).
    public var notes: [String]

    public var isEmpty: Bool { operations.isEmpty }

    /// Old name → new name, for the users this plan renames.
    public var renamedUsers: [String: String] {
        var renames: [String: String] = [:]
        for change in changes where change.field == "Name" {
            if let new = change.to.stringValue { renames[String(change.subject.dropFirst("user:".count))] = new }
        }
        return renames
    }

    /// Controls that the plan changes something for (for the re-audit).
    public var touchedControls: Set<ControlID> { Set(changes.compactMap { ControlID(rawValue: $0.control) }) }

    public static func newRunId(now: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: now) + "-" + String(format: "%04x", UInt16.random(in: 0...UInt16.max))
    }
}
