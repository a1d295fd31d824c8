import Foundation
import JellyfortBase
import JellyfortCore
import JellyfortHost

/// `jellyfort.yml`: defaults for the audit and accepted risks (suppressions).
///
/// ```yaml
/// server: https://jellyfin.example.org
/// apiKeyFile: /home/me/.config/jellyfort/api-key
/// lanCidr: [192.168.1.0/24]
/// allow: [198.51.100.0/24]
/// failOn: high
/// suppress:
///   - id: server.quickconnect
///     reason: the TV in the living room signs in with Quick Connect
///     expires: 2027-06-30
/// thresholds:            # where verdicts draw their lines, for audit and harden alike
///   lockoutMaxAttempts: 10
///   apiKeyMaxAgeDays: 180
///   apiKeyMaxCount: 3
///   staleDeviceDays: 90
/// deadline: 120          # seconds the whole audit may take
/// ```
struct AuditConfiguration: Equatable {
    var server: String?
    var apiKeyFile: String?
    var lanCIDRs: [String] = []
    var allow: [String] = []
    var cdn: String?
    var failOn: String?
    var deployment: [String] = []
    var suppressions: [Suppression] = []
    var thresholds = Thresholds()
    var deadlineSeconds: Int?

    static let knownKeys: Set<String> = [
        "server", "apiKeyFile", "lanCidr", "allow", "cdn", "failOn", "deployment", "suppress", "thresholds", "deadline",
    ]

    /// Each threshold with the range that keeps it meaningful.
    static var thresholdKeys: [(key: String, path: WritableKeyPath<Thresholds, Int>, range: ClosedRange<Int>)] {
        [
            ("lockoutMaxAttempts", \.lockoutMaxAttempts, 1...100),
            ("apiKeyMaxAgeDays", \.apiKeyMaxAgeDays, 1...3650),
            ("apiKeyMaxCount", \.apiKeyMaxCount, 1...1000),
            ("staleDeviceDays", \.staleDeviceDays, 1...3650),
        ]
    }

    /// Reads and checks the file; every problem names the file and what to change.
    static func load(_ path: String) throws(ConfigurationError) -> AuditConfiguration {
        let data: Data
        do { data = try InputFile.read(path, limit: 1 << 20) } catch { throw ConfigurationError(error.description) }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError("\(path) is not a UTF-8 text file under 1 MB")
        }
        let root: Any?
        do { root = try BoundedYAML.load(text) } catch { throw ConfigurationError("\(path): \(error.description)") }
        if root == nil { return AuditConfiguration() }
        guard let map = root as? [String: Any] else { throw ConfigurationError("\(path): the top level must be a mapping of settings") }
        if let unknown = Set(map.keys).subtracting(knownKeys).sorted().first {
            throw ConfigurationError("\(path): unknown setting '\(unknown)'; known ones are \(knownKeys.sorted().joined(separator: ", "))")
        }
        var configuration = AuditConfiguration()
        func string(_ key: String) throws(ConfigurationError) -> String? {
            guard let value = map[key] else { return nil }
            guard let text = value as? String else { throw ConfigurationError("\(path): '\(key)' must be text") }
            return text
        }
        func strings(_ key: String) throws(ConfigurationError) -> [String] {
            guard let value = map[key] else { return [] }
            if let single = value as? String { return [single] }
            guard let list = value as? [Any], list.allSatisfy({ $0 is String }) else {
                throw ConfigurationError("\(path): '\(key)' must be a list of text")
            }
            return list.compactMap { $0 as? String }
        }
        configuration.server = try string("server")
        configuration.apiKeyFile = try string("apiKeyFile").map { NSString(string: $0).expandingTildeInPath }
        configuration.lanCIDRs = try strings("lanCidr")
        configuration.allow = try strings("allow")
        configuration.cdn = try string("cdn")
        configuration.failOn = try string("failOn")
        configuration.deployment = try strings("deployment")
        if let raw = map["deadline"] {
            guard let seconds = raw as? Int, (1...3600).contains(seconds) else {
                throw ConfigurationError("\(path): 'deadline' must be a number of seconds from 1 to 3600")
            }
            configuration.deadlineSeconds = seconds
        }
        if let raw = map["thresholds"] {
            guard let values = raw as? [String: Any] else {
                throw ConfigurationError("\(path): 'thresholds' must be a mapping such as {lockoutMaxAttempts: 10}")
            }
            let known = thresholdKeys.map(\.key)
            if let unknown = Set(values.keys).subtracting(known).sorted().first {
                throw ConfigurationError(
                    "\(path): unknown threshold '\(Sanitized.terminal(unknown))'; known ones are \(known.joined(separator: ", "))")
            }
            for threshold in thresholdKeys {
                guard let value = values[threshold.key] else { continue }
                guard let number = value as? Int, threshold.range.contains(number) else {
                    throw ConfigurationError(
                        "\(path): thresholds.\(threshold.key) must be a whole number from \(threshold.range.lowerBound) "
                            + "to \(threshold.range.upperBound)"
                    )
                }
                configuration.thresholds[keyPath: threshold.path] = number
            }
        }
        if let list = map["suppress"] {
            guard let entries = list as? [Any] else {
                throw ConfigurationError("\(path): 'suppress' must be a list of {id, reason, subject?, expires?}")
            }
            for (index, entry) in entries.enumerated() {
                guard let item = entry as? [String: Any] else {
                    throw ConfigurationError("\(path): suppress[\(index)] must be a mapping with id and reason")
                }
                guard let text = item["id"] as? String, !text.isEmpty else {
                    throw ConfigurationError("\(path): suppress[\(index)] needs an id")
                }
                guard let id = ControlID(typed: text) else {
                    throw ConfigurationError(
                        "\(path): suppress names an unknown control id '\(Sanitized.terminal(text))'; jellyfort controls "
                            + "list shows them all"
                    )
                }
                guard let reason = item["reason"] as? String, !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw ConfigurationError("\(path): suppress[\(index)] (\(id)) needs a reason: say why the risk is accepted")
                }
                var expires: Date?
                if let raw = item["expires"] {
                    if let date = raw as? Date {
                        expires = date
                    } else if let text = raw as? String, let date = Self.date(text) {
                        expires = date
                    } else {
                        throw ConfigurationError("\(path): suppress[\(index)] (\(id)) expires must be a date like 2027-06-30")
                    }
                }
                if let unknown = Set(item.keys).subtracting(["id", "reason", "subject", "expires"]).first {
                    throw ConfigurationError("\(path): suppress[\(index)] has an unknown key '\(unknown)'")
                }
                configuration.suppressions.append(
                    Suppression(id: id, subject: item["subject"] as? String, reason: reason, expires: expires))
            }
        }
        return configuration
    }

    static func date(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.date(from: text)
    }
}

struct ConfigurationError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
