/// `ServerConfiguration` (`GET/POST /System/Configuration`); POST replaces it whole.
public struct ServerConfiguration: JSONObjectModel {
    public static let schemaName = "ServerConfiguration"
    public var json: JSONObject

    public init(json: JSONObject) throws(JSONShapeError) {
        for key in ["EnableMetrics", "QuickConnectAvailable", "IsStartupWizardCompleted"] {
            _ = try json.require(key, as: Bool.self)
        }
        _ = try json.value("EnableLegacyAuthorization", as: Bool.self)
        _ = try json.value("CorsHosts", as: [String].self)
        _ = try json.value("ServerName", as: String.self)
        _ = try json.value("PluginRepositories", as: [JSONObject].self)
        self.json = json
    }

    /// Absent before 10.11, where legacy authorization could not be turned off.
    public var enableLegacyAuthorization: Bool {
        get { json.checked("EnableLegacyAuthorization", default: true) }
        set { json.set("EnableLegacyAuthorization", newValue) }
    }
    public var enableMetrics: Bool {
        get { json.checked("EnableMetrics", default: false) }
        set { json.set("EnableMetrics", newValue) }
    }
    public var quickConnectAvailable: Bool {
        get { json.checked("QuickConnectAvailable", default: true) }
        set { json.set("QuickConnectAvailable", newValue) }
    }
    public var isStartupWizardCompleted: Bool { json.checked("IsStartupWizardCompleted", default: false) }
    public var corsHosts: [String] {
        get { json.checked("CorsHosts", default: ["*"]) }
        set { json.set("CorsHosts", newValue) }
    }
    public var serverName: String { json.checked("ServerName", default: "") }
}
