import Foundation

/// A CDN's published address ranges, from the bundled dated file or `--cdn-ranges FILE`.
public struct CDNRanges: Sendable {
    public var name: String
    public var asOf: String
    public var networks: [IPNetwork]

    public static func bundled(_ name: String) throws(CDNRangesError) -> CDNRanges {
        guard let url = Bundle.module.url(forResource: "cdn-ranges", withExtension: "json", subdirectory: "Data"),
            let data = try? Data(contentsOf: url)
        else { throw CDNRangesError("the bundled CDN list is missing") }
        return try parse(data, name: name, origin: "the bundled list")
    }

    /// A file of the same shape as the bundled one, or a plain list of CIDRs one per line.
    public static func load(_ path: String, name: String) throws(CDNRangesError) -> CDNRanges {
        guard let data = FileManager.default.contents(atPath: path) else { throw CDNRangesError("cannot read \(path)") }
        if let text = String(data: data, encoding: .utf8), !text.trimmingCharacters(in: .whitespaces).hasPrefix("{") {
            var networks: [IPNetwork] = []
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let entry = line.trimmingCharacters(in: .whitespaces)
                if entry.isEmpty || entry.hasPrefix("#") { continue }
                guard let network = IPNetwork(entry) else {
                    throw CDNRangesError("\(path):\(number + 1): '\(entry.prefix(60))' is not a CIDR range")
                }
                networks.append(network)
            }
            guard !networks.isEmpty else { throw CDNRangesError("\(path) lists no ranges") }
            return CDNRanges(name: name, asOf: "from \(path)", networks: networks)
        }
        return try parse(data, name: name, origin: path)
    }

    public static func parse(_ data: Data, name: String, origin: String) throws(CDNRangesError) -> CDNRanges {
        guard let value = try? JSONParser.parse(Array(data)), let entry = value.objectValue?[name]?.objectValue else {
            throw CDNRangesError("\(origin) has no ranges for \(name)")
        }
        let texts = entry["ranges"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let networks = texts.compactMap(IPNetwork.init)
        guard !networks.isEmpty, networks.count == texts.count else {
            throw CDNRangesError("\(origin): the ranges for \(name) are not all CIDR ranges")
        }
        return CDNRanges(name: name, asOf: entry["asOf"]?.stringValue ?? "undated", networks: networks)
    }
}

/// CDN ranges that cannot be read.
public struct CDNRangesError: Error, Sendable, CustomStringConvertible {
    public let reason: String
    init(_ reason: String) { self.reason = reason }
    public var description: String { "CDN ranges: \(reason)" }
}
