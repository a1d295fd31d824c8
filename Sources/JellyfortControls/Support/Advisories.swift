import Foundation
import JellyfortBase

/// The bundled, dated list of Jellyfin security advisories and the newest stable release known.
public struct AdvisoryList: Sendable, Codable, Equatable {
    public struct Advisory: Sendable, Codable, Equatable {
        public var id: String
        public var cve: String?
        public var summary: String
        /// The first version with the fix; every version below it is affected.
        public var fixed: String
    }

    public var asOf: String
    public var latestStable: String
    public var source: String
    public var advisories: [Advisory]

    /// The list shipped with Jellyfort.
    public static let bundled: AdvisoryList = {
        guard
            let url = Bundle.module.url(forResource: "Data/advisories", withExtension: "json")
                ?? Bundle.module.url(forResource: "advisories", withExtension: "json", subdirectory: "Data"),
            let data = try? Data(contentsOf: url),
            let list = try? JSONDecoder().decode(AdvisoryList.self, from: data)
        else {
            return AdvisoryList(asOf: "unknown", latestStable: "0.0.0", source: "missing", advisories: [])
        }
        return list
    }()

    /// The advisories whose fix `version` does not have.
    public func applying(to version: JellyfinVersion) -> [Advisory] {
        advisories.filter { advisory in JellyfinVersion(advisory.fixed).map { version < $0 } ?? false }
    }
}
