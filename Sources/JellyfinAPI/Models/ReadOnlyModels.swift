import Foundation

/// `PublicSystemInfo` (`GET /System/Info/Public`, anonymous).
public struct PublicSystemInfo: JSONReadableModel, Equatable {
    public static let schemaName = "PublicSystemInfo"
    public var serverName: String?
    public var version: String
    public var productName: String?
    public var id: String?
    public var localAddress: String?
    /// Absent on some old servers; nil means "not said".
    public var startupWizardCompleted: Bool?

    public init(json: JSONObject) throws(JSONShapeError) {
        serverName = try json.value("ServerName")
        version = try json.require("Version")
        productName = try json.value("ProductName")
        id = try json.value("Id")
        localAddress = try json.value("LocalAddress")
        startupWizardCompleted = try json.value("StartupWizardCompleted")
    }
}

/// `SystemInfo` (`GET /System/Info`): anonymous before the wizard, then any signed-in user.
public struct SystemInfo: JSONReadableModel, Equatable {
    public static let schemaName = "SystemInfo"
    public var serverName: String?
    public var version: String
    public var id: String?
    public var hasPendingRestart: Bool
    public var logPath: String?
    public var packageName: String?

    public init(json: JSONObject) throws(JSONShapeError) {
        serverName = try json.value("ServerName")
        version = try json.require("Version")
        id = try json.value("Id")
        hasPendingRestart = try json.value("HasPendingRestart") ?? false
        logPath = try json.value("LogPath")
        packageName = try json.value("PackageName")
    }
}

/// `AuthenticationResult` of `POST /Users/AuthenticateByName`. Holds a secret: never print it.
public struct AuthenticationResult: JSONReadableModel {
    public static let schemaName = "AuthenticationResult"
    public var user: UserDto
    public var accessToken: Secret
    public var serverId: String?

    public init(json: JSONObject) throws(JSONShapeError) {
        let userObject = try json.require("User", as: JSONObject.self)
        do { user = try UserDto(json: userObject) } catch { throw JSONShapeError(field: "User.\(error.field)", problem: error.problem) }
        accessToken = Secret(try json.require("AccessToken", as: String.self))
        serverId = try json.value("ServerId")
    }
}

/// `SessionInfoDto` (`GET /Sessions`).
public struct SessionInfo: JSONReadableModel, Equatable {
    public static let schemaName = "SessionInfoDto"
    public var id: String
    public var userId: String?
    public var userName: String?
    public var client: String?
    public var deviceName: String?
    public var deviceId: String?
    public var applicationVersion: String?
    public var remoteEndPoint: String?
    public var lastActivityDate: Date?
    public var isActive: Bool
    /// The item being played, when any: an admin session that plays media is an admin used to watch.
    public var nowPlayingItemName: String?

    public init(json: JSONObject) throws(JSONShapeError) {
        id = try json.require("Id")
        userId = try json.value("UserId")
        userName = try json.value("UserName")
        client = try json.value("Client")
        deviceName = try json.value("DeviceName")
        deviceId = try json.value("DeviceId")
        applicationVersion = try json.value("ApplicationVersion")
        remoteEndPoint = try json.value("RemoteEndPoint")
        lastActivityDate = try json.value("LastActivityDate")
        isActive = try json.value("IsActive") ?? false
        let nowPlaying: JSONObject? = try json.value("NowPlayingItem")
        nowPlayingItemName = nowPlaying.flatMap { $0["Name"]?.stringValue }
    }
}

/// `DeviceInfoDto` (`GET /Devices`). Carries the device's live token: never print it whole.
public struct DeviceInfo: JSONReadableModel, Equatable {
    public static let schemaName = "DeviceInfoDto"
    public var id: String
    public var name: String?
    public var customName: String?
    public var appName: String?
    public var appVersion: String?
    public var lastUserName: String?
    public var lastUserId: String?
    public var dateLastActivity: Date?
    public var accessToken: Secret?

    public init(json: JSONObject) throws(JSONShapeError) {
        id = try json.require("Id")
        name = try json.value("Name")
        customName = try json.value("CustomName")
        appName = try json.value("AppName")
        appVersion = try json.value("AppVersion")
        lastUserName = try json.value("LastUserName")
        lastUserId = try json.value("LastUserId")
        dateLastActivity = try json.value("DateLastActivity")
        accessToken = try json.value("AccessToken", as: String.self).map(Secret.init)
    }
}

/// `AuthenticationInfo` from `GET /Auth/Keys`: an API key, full admin, never expires.
public struct APIKeyInfo: JSONReadableModel, Equatable {
    public static let schemaName = "AuthenticationInfo"
    public var accessToken: Secret
    public var appName: String?
    public var dateCreated: Date?
    public var dateLastActivity: Date?

    public init(json: JSONObject) throws(JSONShapeError) {
        accessToken = Secret(try json.require("AccessToken", as: String.self))
        appName = try json.value("AppName")
        dateCreated = try json.value("DateCreated")
        dateLastActivity = try json.value("DateLastActivity")
    }
}

/// `ActivityLogEntry` (`GET /System/ActivityLog/Entries`). Match on `type`, never on the localised `name`.
public struct ActivityLogEntry: JSONReadableModel, Equatable {
    public static let schemaName = "ActivityLogEntry"
    public var id: Int
    public var name: String
    public var overview: String?
    public var shortOverview: String?
    public var type: String
    public var itemId: String?
    public var date: Date
    public var userId: String?
    public var severity: String?

    public init(json: JSONObject) throws(JSONShapeError) {
        id = try json.require("Id")
        name = try json.value("Name") ?? ""
        overview = try json.value("Overview")
        shortOverview = try json.value("ShortOverview")
        type = try json.require("Type")
        itemId = try json.value("ItemId")
        date = try json.require("Date")
        userId = try json.value("UserId")
        severity = try json.value("Severity")
    }
}

/// `PluginInfo` (`GET /Plugins`).
public struct PluginInfo: JSONReadableModel, Equatable {
    public static let schemaName = "PluginInfo"
    public var name: String
    public var version: String?
    public var id: String?
    public var status: String?

    public init(json: JSONObject) throws(JSONShapeError) {
        name = try json.require("Name")
        version = try json.value("Version")
        id = try json.value("Id")
        status = try json.value("Status")
    }
}

/// `RepositoryInfo` (`GET /Repositories`): a plugin source. Anything but the official one is third-party code.
public struct RepositoryInfo: JSONReadableModel, Equatable {
    public static let schemaName = "RepositoryInfo"
    public static let officialURL = JellyfinPlugins.officialRepository
    public var name: String?
    public var url: String
    public var enabled: Bool

    public init(json: JSONObject) throws(JSONShapeError) {
        name = try json.value("Name")
        url = try json.require("Url")
        enabled = try json.value("Enabled") ?? true
    }
}

/// `BrandingOptionsDto` (`GET /Branding/Configuration`, anonymous).
public struct BrandingOptions: JSONReadableModel, Equatable {
    public static let schemaName = "BrandingOptionsDto"
    public var loginDisclaimer: String?
    public var customCss: String?
    public var splashscreenEnabled: Bool

    public init(json: JSONObject) throws(JSONShapeError) {
        loginDisclaimer = try json.value("LoginDisclaimer")
        customCss = try json.value("CustomCss")
        splashscreenEnabled = try json.value("SplashscreenEnabled") ?? false
    }
}

/// `StartupConfigurationDto` (`GET /Startup/Configuration`).
public struct StartupConfiguration: JSONReadableModel, Equatable {
    public static let schemaName = "StartupConfigurationDto"
    public var serverName: String?
    public var uiCulture: String?

    public init(json: JSONObject) throws(JSONShapeError) {
        serverName = try json.value("ServerName")
        uiCulture = try json.value("UICulture")
    }
}

/// `StartupUserDto` (`GET /Startup/User`): the first user's name (the password is never returned).
public struct StartupUser: JSONReadableModel, Equatable {
    public static let schemaName = "StartupUserDto"
    public var name: String?

    public init(json: JSONObject) throws(JSONShapeError) {
        name = try json.value("Name")
    }
}

/// A page of a `QueryResult<T>`.
public struct QueryResult<Item: JSONReadableModel>: Sendable {
    public var items: [Item]
    public var totalRecordCount: Int
    public var startIndex: Int
}
