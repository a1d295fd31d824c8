import Foundation
import JellyfinAPI

/// Everything `harden` may change on a server, read raw, to compare before and after.
public struct ServerSnapshot: Equatable, Sendable {
    public var users: [String: JSONObject]
    public var configuration: JSONObject
    public var network: JSONObject

    public static func read(_ client: JellyfinClient) async throws -> ServerSnapshot {
        let users = try JSONParser.parse(try await client.send(.get, "/Users").body).arrayValue ?? []
        var byId: [String: JSONObject] = [:]
        for case .object(var user) in users {
            // Sign-in dates move on their own; they are not what harden changes.
            user["LastActivityDate"] = nil
            user["LastLoginDate"] = nil
            byId[user["Id"]?.stringValue ?? ""] = user
        }
        let configuration = try JSONParser.parse(try await client.send(.get, "/System/Configuration").body).objectValue ?? JSONObject()
        let network = try JSONParser.parse(try await client.send(.get, "/System/Configuration/network").body).objectValue ?? JSONObject()
        return ServerSnapshot(users: byId, configuration: configuration, network: network)
    }

    /// What differs, for a readable failure message.
    public func differences(from other: ServerSnapshot) -> [String] {
        var lines: [String] = []
        for id in Set(users.keys).union(other.users.keys).sorted() where users[id] != other.users[id] {
            let mine = users[id]
            let theirs = other.users[id]
            let name = mine?["Name"]?.stringValue ?? theirs?["Name"]?.stringValue ?? id
            guard let mine, let theirs else {
                lines.append("user \(name) exists on one side only")
                continue
            }
            let policyA = mine["Policy"]?.objectValue ?? JSONObject()
            let policyB = theirs["Policy"]?.objectValue ?? JSONObject()
            for key in Set(policyA.keys).union(policyB.keys).sorted() where policyA[key] != policyB[key] {
                lines.append(
                    "user \(name) policy \(key): \(policyA[key].map(\.description) ?? "absent") vs "
                        + "\(policyB[key].map(\.description) ?? "absent")"
                )
            }
            if mine["Name"] != theirs["Name"] { lines.append("user name \(mine["Name"]!) vs \(theirs["Name"]!)") }
        }
        for key in Set(configuration.keys).union(other.configuration.keys).sorted() where configuration[key] != other.configuration[key] {
            lines.append("configuration \(key)")
        }
        for key in Set(network.keys).union(other.network.keys).sorted() where network[key] != other.network[key] {
            lines.append("network \(key)")
        }
        return lines
    }
}
