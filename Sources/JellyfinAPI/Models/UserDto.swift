import Foundation

/// `UserDto`: a user as `GET /Users` returns it, with its whole policy and configuration.
public struct UserDto: JSONObjectModel {
    public static let schemaName = "UserDto"
    public var json: JSONObject
    /// Checked on decode, kept in step with `json` by the setter.
    public private(set) var policy: UserPolicy

    public init(json: JSONObject) throws(JSONShapeError) {
        _ = try json.require("Name", as: String.self)
        let id = try json.require("Id", as: String.self)
        guard JellyfinID.isValid(id) else {
            throw JSONShapeError(field: "Id", problem: "'\(id.prefix(40))' is not a Jellyfin id (32 hex digits)")
        }
        _ = try json.value("HasPassword", as: Bool.self)
        _ = try json.value("HasConfiguredPassword", as: Bool.self)
        _ = try json.value("LastLoginDate", as: Date.self)
        _ = try json.value("LastActivityDate", as: Date.self)
        _ = try json.value("Configuration", as: JSONObject.self)
        let policyObject = try json.require("Policy", as: JSONObject.self)
        do {
            policy = try UserPolicy(json: policyObject)
        } catch {
            throw JSONShapeError(field: "Policy.\(error.field)", problem: error.problem)
        }
        self.json = json
    }

    public var name: String {
        get { json.checked("Name", default: "") }
        set { json.set("Name", newValue) }
    }
    public var id: String { json.checked("Id", default: "") }
    public var serverId: String? { json.checked("ServerId") }
    /// Meaningful on 10.x only: 12.0 always reports true.
    public var hasPassword: Bool? { json.checked("HasPassword") }
    public var hasConfiguredPassword: Bool? { json.checked("HasConfiguredPassword") }
    public var lastLoginDate: Date? { json.checked("LastLoginDate") }
    public var lastActivityDate: Date? { json.checked("LastActivityDate") }
    public var configuration: JSONObject? { json.checked("Configuration") }

    public mutating func setPolicy(_ newPolicy: UserPolicy) {
        policy = newPolicy
        json["Policy"] = .object(newPolicy.json)
    }
}

/// Jellyfin ids: GUIDs written as 32 lowercase hex digits (`Guid.ToString("N")`).
public enum JellyfinID {
    public static func isValid(_ text: String) -> Bool {
        text.utf8.count == 32
            && text.utf8.allSatisfy { byte in
                (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte) || (0x41...0x46).contains(byte)
            }
    }

    /// A fresh random id in Jellyfin's form.
    public static func random() -> String {
        UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }
}
