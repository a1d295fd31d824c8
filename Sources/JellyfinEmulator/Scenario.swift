import Foundation
import JellyfinAPI

/// A server's starting state, read from a JSON data file (`Scenarios/NAME.json` or any path).
///
/// Scenario files describe what differs from a fresh install; everything else takes Jellyfin's
/// real defaults, so a scenario stays short and cannot drift from the server's behaviour.
public struct Scenario: Sendable {
    public struct User: Sendable {
        public var name: String
        /// Empty means "no password" (possible for non-admins on 10.x).
        public var password: String
        public var isAdministrator: Bool
        /// Fields that differ from the default policy of a new user (or of the first admin).
        public var policy: JSONObject
        public var lastLoginDaysAgo: Double?
    }

    public struct Device: Sendable {
        public var user: String
        public var name: String
        public var app: String
        public var token: String?
        public var lastActivityDaysAgo: Double
        /// The address its session appears to come from.
        public var remoteAddress: String
        /// A live session (listed by `/Sessions`), not only a stored token.
        public var active: Bool
        public var nowPlaying: String?
    }

    public struct APIKey: Sendable {
        public var app: String
        public var token: String
        public var ageDays: Double
    }

    public struct ActivityEntry: Sendable {
        public var type: String
        public var user: String?
        public var name: String
        public var shortOverview: String?
        public var daysAgo: Double
    }

    public var name: String
    public var summary: String
    public var version: String
    public var serverName: String
    public var serverId: String
    public var wizardCompleted: Bool
    /// nil: as the version does (10.11.11 does not persist a lockout; others do).
    public var lockoutPersists: Bool?
    public var serverConfiguration: JSONObject
    public var networkConfiguration: JSONObject
    public var users: [User]
    public var devices: [Device]
    public var apiKeys: [APIKey]
    public var plugins: [JSONObject]
    public var activity: [ActivityEntry]
    /// Policy fields this emulated server knows beyond 10.11's, with their defaults: a newer
    /// Jellyfin whose policy has fields Jellyfort has never heard of.
    public var extraPolicyFields: JSONObject
    /// Extra plain users `PREFIX1…PREFIXn`, for load tests.
    public var generatedUsers: Int
    public var generatedUserPrefix: String

    /// The scenarios shipped with Jellyfort.
    public static var bundledNames: [String] {
        guard let folder = Bundle.module.url(forResource: "Scenarios", withExtension: nil),
            let files = try? FileManager.default.contentsOfDirectory(atPath: folder.path)
        else { return [] }
        return files.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// A bundled scenario by name, or a scenario file by path.
    public static func load(_ nameOrPath: String) throws(ScenarioError) -> Scenario {
        let url: URL
        if nameOrPath.hasSuffix(".json") || nameOrPath.contains("/") {
            url = URL(fileURLWithPath: nameOrPath)
        } else if let folder = Bundle.module.url(forResource: "Scenarios", withExtension: nil) {
            url = folder.appendingPathComponent(nameOrPath + ".json")
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw .unknownScenario(nameOrPath, known: bundledNames)
            }
        } else {
            throw .unknownScenario(nameOrPath, known: [])
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw .unreadable(url.path)
        }
        do {
            return try Scenario(json: try JSONParser.parse(Array(data)), name: url.deletingPathExtension().lastPathComponent)
        } catch let error as ScenarioError {
            throw error
        } catch {
            throw .invalid(url.path, "\(error)")
        }
    }

    public init(json value: JSONValue, name fallbackName: String) throws(ScenarioError) {
        guard let object = value.objectValue else { throw .invalid(fallbackName, "the top level must be an object") }
        do {
            name = try object.value("name") ?? fallbackName
            summary = try object.value("summary") ?? ""
            version = try object.value("version") ?? "10.11.11"
            guard JellyfinVersion(version) != nil else {
                throw ScenarioError.invalid(fallbackName, "version '\(version)' is not a Jellyfin version")
            }
            serverName = try object.value("serverName") ?? "jellyfin"
            serverId = try object.value("serverId") ?? JellyfinID.random()
            wizardCompleted = try object.value("wizardCompleted") ?? true
            lockoutPersists = try object.value("lockoutPersists")
            serverConfiguration = try object.value("serverConfiguration") ?? JSONObject()
            networkConfiguration = try object.value("networkConfiguration") ?? JSONObject()
            plugins = try object.value("plugins") ?? []
            generatedUsers = try object.value("generatedUsers") ?? 0
            extraPolicyFields = try object.value("extraPolicyFields") ?? JSONObject()
            generatedUserPrefix = try object.value("generatedUserPrefix") ?? "viewer"
            users = try (object.value("users", as: [JSONObject].self) ?? []).map { (user: JSONObject) throws(JSONShapeError) in
                User(
                    name: try user.require("name"), password: try user.value("password") ?? "",
                    isAdministrator: try user.value("admin") ?? false, policy: try user.value("policy") ?? JSONObject(),
                    lastLoginDaysAgo: try user.value("lastLoginDaysAgo"))
            }
            devices = try (object.value("devices", as: [JSONObject].self) ?? []).map { (device: JSONObject) throws(JSONShapeError) in
                Device(
                    user: try device.require("user"), name: try device.value("name") ?? "Web browser",
                    app: try device.value("app") ?? "Jellyfin Web", token: try device.value("token"),
                    lastActivityDaysAgo: try device.value("lastActivityDaysAgo") ?? 0,
                    remoteAddress: try device.value("remoteAddress") ?? "127.0.0.1",
                    active: try device.value("active") ?? false, nowPlaying: try device.value("nowPlaying"))
            }
            apiKeys = try (object.value("apiKeys", as: [JSONObject].self) ?? []).map { (key: JSONObject) throws(JSONShapeError) in
                APIKey(app: try key.require("app"), token: try key.require("token"), ageDays: try key.value("ageDays") ?? 0)
            }
            activity = try (object.value("activity", as: [JSONObject].self) ?? []).map { (entry: JSONObject) throws(JSONShapeError) in
                ActivityEntry(
                    type: try entry.require("type"), user: try entry.value("user"), name: try entry.value("name") ?? "",
                    shortOverview: try entry.value("shortOverview"), daysAgo: try entry.value("daysAgo") ?? 0)
            }
        } catch let error as ScenarioError {
            throw error
        } catch {
            throw .invalid(fallbackName, "\(error)")
        }
        let names = users.map { $0.name.lowercased() }
        guard Set(names).count == names.count else { throw .invalid(fallbackName, "two users share a name") }
        for device in devices where !names.contains(device.user.lowercased()) {
            throw .invalid(fallbackName, "device '\(device.name)' names unknown user '\(device.user)'")
        }
        for key in apiKeys where !JellyfinID.isValid(key.token) {
            throw .invalid(fallbackName, "API key for \(key.app) is not 32 hex digits")
        }
    }
}

public enum ScenarioError: Error, Sendable, CustomStringConvertible {
    case unknownScenario(String, known: [String])
    case unreadable(String)
    case invalid(String, String)

    public var description: String {
        switch self {
        case .unknownScenario(let name, let known):
            "no scenario named '\(name)'; the bundled ones are: \(known.joined(separator: ", ")), or give a path to a .json file"
        case .unreadable(let path): "cannot read the scenario file \(path)"
        case .invalid(let name, let reason): "scenario \(name) is invalid: \(reason)"
        }
    }
}
