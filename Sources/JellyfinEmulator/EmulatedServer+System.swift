import Foundation
import JellyfinAPI

extension EmulatedServer {
    func publicSystemInfo() -> JSONObject {
        JSONObject([
            "LocalAddress": .string("http://127.0.0.1:\(networkConfiguration["InternalHttpPort"]?.intValue ?? 8096)"),
            "ServerName": serverConfiguration["ServerName"] ?? "", "Version": .string(version.description),
            "ProductName": "Jellyfin Server", "OperatingSystem": "", "Id": .string(serverId),
            "StartupWizardCompleted": .bool(wizardCompleted),
        ])
    }

    func systemInfo() -> JSONObject {
        publicSystemInfo().merging(
            JSONObject([
                "OperatingSystemDisplayName": "Linux", "PackageName": "emulator", "HasPendingRestart": false, "IsShuttingDown": false,
                "SupportsLibraryMonitor": true, "WebSocketPortNumber": networkConfiguration["InternalHttpPort"] ?? 8096,
                "CompletedInstallations": [], "CanSelfRestart": true, "CanLaunchWebBrowser": false,
                "ProgramDataPath": "/config", "WebPath": "/jellyfin/jellyfin-web", "ItemsByNamePath": "/config/metadata",
                "CachePath": "/cache", "LogPath": .string(log.directory?.path ?? "/config/log"),
                "InternalMetadataPath": "/config/metadata", "TranscodingTempPath": "/cache/transcodes",
                "CastReceiverApplications": serverConfiguration["CastReceiverApplications"] ?? [],
                "HasUpdateAvailable": false, "EncoderLocation": "System", "SystemArchitecture": "X64",
            ]))
    }

    /// A restart re-reads start-up-only settings such as `KnownProxies`; sessions are in memory,
    /// so they end, while stored tokens survive.
    public func restart() {
        restartCount += 1
        activeKnownProxies = networkConfiguration["KnownProxies"]?.arrayValue?.compactMap(\.stringValue) ?? []
        for key in tokens.keys { tokens[key]?.hasSession = false }
    }

    func namedConfiguration(_ key: String) throws -> JSONObject {
        switch key.lowercased() {
        case "network": return networkConfiguration
        case "branding": return branding
        default: throw RequestFailure.status(404, "Configuration with key \(key) not found.")
        }
    }

    func setNamedConfiguration(_ key: String, _ object: JSONObject) throws {
        switch key.lowercased() {
        case "network":
            for listKey in ["KnownProxies", "LocalNetworkSubnets", "RemoteIPFilter"] {
                if let value = object[listKey], value.arrayValue?.allSatisfy({ $0.stringValue != nil }) != true {
                    throw RequestFailure.status(400, "The JSON value could not be converted. Path: $.\(listKey)")
                }
            }
            networkConfiguration = JellyfinDefaults.networkConfiguration.replacingKnownFields(with: object)
        case "branding":
            branding = JellyfinDefaults.branding.replacingKnownFields(with: object)
        default:
            throw RequestFailure.status(404, "Configuration with key \(key) not found.")
        }
    }

    func logFiles() -> [JSONValue] {
        guard let directory = log.directory,
            let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path)
        else { return [] }
        return names.filter { $0.hasSuffix(".log") }.sorted(by: >).map { name in
            let attributes = try? FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent(name).path)
            let modified = (attributes?[.modificationDate] as? Date) ?? Date()
            return [
                "Name": .string(name), "Size": .int(Int64((attributes?[.size] as? Int) ?? 0)),
                "DateCreated": .string(JellyfinDate.format(modified)), "DateModified": .string(JellyfinDate.format(modified)),
            ]
        }
    }

    func logFile(named name: String?) throws -> EmulatorResponse {
        guard let name, !name.contains("/"), !name.contains(".."), let directory = log.directory,
            let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path)
        else { throw RequestFailure.status(404, "Log file not found") }
        return EmulatorResponse(status: 200, contentType: "text/plain", body: Array(data))
    }
}
