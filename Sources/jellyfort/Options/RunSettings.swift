import Foundation
import JellyfortBase
import JellyfortCore

/// What a command that talks to a server runs with: its flags first, then `jellyfort.yml`, then
/// the defaults. One pure step, shared by audit, harden, unlock and rollback, so that `--config`
/// means the same everywhere and every value from the file is checked before anything is sent.
struct RunSettings: Equatable {
    var server: String?
    var apiKeyFile: String?
    var lanCIDRs: [String] = []
    var allow: [String] = []
    var cdn: String?
    var failOn: FailThreshold = .high
    var deployment: [String] = []
    var suppressions: [Suppression] = []
    var thresholds = Thresholds()
    /// The whole audit's time limit, in seconds.
    var deadlineSeconds = RunSettings.defaultDeadlineSeconds

    static let defaultDeadlineSeconds = 120

    /// The command-line side: what each command's flags said (nil or empty: not given).
    struct Flags: Equatable {
        var server: String?
        var apiKeyFile: String?
        /// `--user`: signing in with a password, so the file's key is not wanted.
        var user: String?
        var lanCIDRs: [String] = []
        var allow: [String] = []
        var cdn: String?
        var failOn: FailThreshold?
        var deployment: [String] = []
        var deadlineSeconds: Int?
    }

    /// Flags win over the file; a list given on the command line replaces the file's list.
    /// `fileName` names the file in every error about a value that came from it.
    static func resolve(_ flags: Flags, file: AuditConfiguration, fileName: String) throws(ConfigurationError) -> RunSettings {
        var settings = RunSettings()
        settings.server = flags.server ?? file.server
        settings.apiKeyFile = flags.apiKeyFile ?? (flags.user == nil ? file.apiKeyFile : nil)
        settings.lanCIDRs = flags.lanCIDRs.isEmpty ? file.lanCIDRs : flags.lanCIDRs
        settings.allow = flags.allow.isEmpty ? file.allow : flags.allow
        for value in file.lanCIDRs + file.allow where IPNetwork(value) == nil {
            throw ConfigurationError("\(fileName): '\(Sanitized.terminal(value))' is not an IP address or CIDR range (e.g. 192.168.1.0/24)")
        }
        if let name = file.cdn, name != "cloudflare" {
            throw ConfigurationError("\(fileName): cdn knows only 'cloudflare', got '\(Sanitized.terminal(name))'")
        }
        settings.cdn = flags.cdn ?? file.cdn
        if let threshold = flags.failOn {
            settings.failOn = threshold
        } else if let text = file.failOn {
            guard let parsed = FailThreshold(rawValue: text) else {
                throw ConfigurationError(
                    "\(fileName): failOn must be one of "
                        + "\(FailThreshold.allCases.map(\.rawValue).joined(separator: ", ")), got "
                        + "'\(Sanitized.terminal(text))'"
                )
            }
            settings.failOn = parsed
        }
        settings.deployment = flags.deployment.isEmpty ? file.deployment : flags.deployment
        settings.suppressions = file.suppressions
        settings.thresholds = file.thresholds
        settings.deadlineSeconds = flags.deadlineSeconds ?? file.deadlineSeconds ?? defaultDeadlineSeconds
        return settings
    }

    /// The audit's settings for a run that starts `now`.
    func auditSettings(now: Date, probe: Bool) -> AuditSettings {
        AuditSettings(
            now: now, lanCIDRs: lanCIDRs, allowList: allow, cdn: cdn, probeRequested: probe, deploymentPaths: deployment,
            thresholds: thresholds)
    }
}
