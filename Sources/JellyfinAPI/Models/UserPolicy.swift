/// `UserPolicy`: what a user may do. `POST /Users/{id}/Policy` replaces it whole.
public struct UserPolicy: JSONObjectModel {
    public static let schemaName = "UserPolicy"
    public var json: JSONObject

    public init(json: JSONObject) throws(JSONShapeError) {
        for key in ["IsAdministrator", "IsHidden", "IsDisabled", "EnableRemoteAccess", "EnableContentDeletion"] {
            _ = try json.require(key, as: Bool.self)
        }
        _ = try json.require("LoginAttemptsBeforeLockout", as: Int.self)
        _ = try json.require("MaxActiveSessions", as: Int.self)
        _ = try json.require("AuthenticationProviderId", as: String.self)
        _ = try json.require("PasswordResetProviderId", as: String.self)
        _ = try json.value("EnableRemoteControlOfOtherUsers", as: Bool.self)
        _ = try json.value("EnableContentDeletionFromFolders", as: [String].self)
        _ = try json.value("InvalidLoginAttemptCount", as: Int.self)
        _ = try json.value("EnabledDevices", as: [String].self)
        self.json = json
    }

    public var isAdministrator: Bool {
        get { json.checked("IsAdministrator", default: false) }
        set { json.set("IsAdministrator", newValue) }
    }
    public var isHidden: Bool {
        get { json.checked("IsHidden", default: true) }
        set { json.set("IsHidden", newValue) }
    }
    public var isDisabled: Bool {
        get { json.checked("IsDisabled", default: false) }
        set { json.set("IsDisabled", newValue) }
    }
    public var enableRemoteAccess: Bool {
        get { json.checked("EnableRemoteAccess", default: true) }
        set { json.set("EnableRemoteAccess", newValue) }
    }
    /// -1 = lockout off; 0 is stored by the server as 3; N = disable after N failures.
    public var loginAttemptsBeforeLockout: Int {
        get { json.checked("LoginAttemptsBeforeLockout", default: -1) }
        set { json.set("LoginAttemptsBeforeLockout", newValue) }
    }
    public var invalidLoginAttemptCount: Int {
        get { json.checked("InvalidLoginAttemptCount", default: 0) }
        set { json.set("InvalidLoginAttemptCount", newValue) }
    }
    /// 0 or negative = unlimited.
    public var maxActiveSessions: Int {
        get { json.checked("MaxActiveSessions", default: 0) }
        set { json.set("MaxActiveSessions", newValue) }
    }
    public var enableContentDeletion: Bool {
        get { json.checked("EnableContentDeletion", default: false) }
        set { json.set("EnableContentDeletion", newValue) }
    }
    public var enableContentDeletionFromFolders: [String] {
        get { json.checked("EnableContentDeletionFromFolders", default: []) }
        set { json.set("EnableContentDeletionFromFolders", newValue) }
    }
    public var enableRemoteControlOfOtherUsers: Bool {
        get { json.checked("EnableRemoteControlOfOtherUsers", default: false) }
        set { json.set("EnableRemoteControlOfOtherUsers", newValue) }
    }
    public var enableAllDevices: Bool {
        get { json.checked("EnableAllDevices", default: true) }
        set { json.set("EnableAllDevices", newValue) }
    }
    public var enabledDevices: [String] {
        get { json.checked("EnabledDevices", default: []) }
        set { json.set("EnabledDevices", newValue) }
    }
    public var authenticationProviderId: String {
        get { json.checked("AuthenticationProviderId", default: "") }
        set { json.set("AuthenticationProviderId", newValue) }
    }
    public var passwordResetProviderId: String {
        get { json.checked("PasswordResetProviderId", default: "") }
        set { json.set("PasswordResetProviderId", newValue) }
    }
}
