/// `NetworkConfiguration` (`GET/POST /System/Configuration/network`); POST replaces it whole.
///
/// It carries `CertificatePassword` in clear text: never print `json` as a whole.
public struct NetworkConfiguration: JSONObjectModel {
    public static let schemaName = "NetworkConfiguration"
    public var json: JSONObject

    public init(json: JSONObject) throws(JSONShapeError) {
        for key in ["KnownProxies", "LocalNetworkSubnets", "RemoteIPFilter"] {
            _ = try json.require(key, as: [String].self)
        }
        for key in ["EnableRemoteAccess", "IsRemoteIPFilterBlacklist", "AutoDiscovery"] {
            _ = try json.require(key, as: Bool.self)
        }
        _ = try json.value("InternalHttpPort", as: Int.self)
        _ = try json.value("BaseUrl", as: String.self)
        self.json = json
    }

    public var knownProxies: [String] {
        get { json.checked("KnownProxies", default: []) }
        set { json.set("KnownProxies", newValue) }
    }
    public var localNetworkSubnets: [String] {
        get { json.checked("LocalNetworkSubnets", default: []) }
        set { json.set("LocalNetworkSubnets", newValue) }
    }
    public var remoteIPFilter: [String] {
        get { json.checked("RemoteIPFilter", default: []) }
        set { json.set("RemoteIPFilter", newValue) }
    }
    public var isRemoteIPFilterBlacklist: Bool {
        get { json.checked("IsRemoteIPFilterBlacklist", default: false) }
        set { json.set("IsRemoteIPFilterBlacklist", newValue) }
    }
    public var enableRemoteAccess: Bool {
        get { json.checked("EnableRemoteAccess", default: true) }
        set { json.set("EnableRemoteAccess", newValue) }
    }
    public var autoDiscovery: Bool {
        get { json.checked("AutoDiscovery", default: true) }
        set { json.set("AutoDiscovery", newValue) }
    }
    public var internalHttpPort: Int { json.checked("InternalHttpPort", default: 8096) }
    public var baseUrl: String { json.checked("BaseUrl", default: "") }
}
