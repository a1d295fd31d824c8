import Foundation
import JellyfortBase

/// What `jellyfort deploy` was asked for, checked: everything the renderers need and nothing they
/// must guess.
public struct DeploymentSpec: Sendable {
    public var domain: String
    public var mediaPath: String
    public var configPath: String
    public var cachePath: String
    /// Addresses allowed to reach 443 (empty: everyone, or the CDN's ranges with a CDN).
    public var allow: [IPNetwork]
    public var lan: [IPNetwork]
    /// The CDN's published ranges, when a CDN is declared.
    public var cdn: CDNRanges?
    public var gpu: Bool
    /// The user who runs the container (rootless) and owns its folders.
    public var owner: DeploymentOwner
    public var image = "docker.io/jellyfin/jellyfin:latest"
    /// Where Caddy reaches Jellyfin; the container publishes it on loopback only.
    public var upstreamPort = 8096

    public init(
        domain: String, mediaPath: String, configPath: String, cachePath: String, allow: [IPNetwork] = [], lan: [IPNetwork] = [],
        cdn: CDNRanges? = nil, gpu: Bool = false, owner: DeploymentOwner = .current
    ) throws(DeployError) {
        let lowered = domain.lowercased()
        guard Self.isHostName(lowered) else { throw .invalidDomain(domain) }
        var normalised: [String] = []
        for (flag, path) in [("--media", mediaPath), ("--config-dir", configPath), ("--cache-dir", cachePath)] {
            guard path.hasPrefix("/") else { throw .relativePath(flag, path) }
            // Control characters (a carriage return, a newline) would be written raw into a unit.
            guard !path.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) else {
                throw .unsafePath(flag, Sanitized.terminal(path))
            }
            guard !path.contains(":"), !path.contains(","), !path.contains("'") else { throw .unsafePath(flag, path) }
            let clean = Self.normalise(path)
            guard !BroadHostPaths.contains(clean), !Self.isKernelFileSystem(clean) else { throw .broadPath(flag, clean) }
            normalised.append(clean)
        }
        self.domain = lowered
        self.mediaPath = normalised[0]
        self.configPath = normalised[1]
        self.cachePath = normalised[2]
        self.allow = allow
        self.lan = lan
        self.cdn = cdn
        self.gpu = gpu
        self.owner = owner
        if cdn != nil, let ipv6 = allow.first(where: { !$0.address.isIPv4 }) {
            throw .cdnIPv6Allow(ipv6.description)
        }
    }

    /// `/./etc`, `/srv/..` and `//srv///x/` as the kernel reads them: `.` and empty parts dropped,
    /// `..` taken back (never above `/`).
    static func normalise(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..": _ = parts.popLast()
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// `/proc`, `/sys`, `/dev` and anything below them: never a place for media or state.
    static func isKernelFileSystem(_ path: String) -> Bool {
        ["/proc", "/sys", "/dev"].contains { path == $0 || path.hasPrefix($0 + "/") }
    }

    /// RFC 1123 host name with at least two labels; no IP addresses.
    static func isHostName(_ name: String) -> Bool {
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        guard name.count <= 253, labels.count >= 2, IPAddress(name) == nil else { return false }
        return labels.allSatisfy { label in
            (1...63).contains(label.count) && label.first != "-" && label.last != "-"
                && label.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" }
        } && !(labels.last?.allSatisfy(\.isNumber) ?? true)
    }

    /// Why the name is easy to find, or nil (controls.md, proxy.obscure-domain).
    public var guessableReason: String? { GuessableNames.siteReason(domain) }

    /// The addresses 443 is open to, or nil for everyone. Behind a CDN only the CDN connects:
    /// the viewers' allow-list is then matched on the address it forwards (`viewerPattern`).
    public var sourcesFor443: [IPNetwork]? {
        if let cdn { return cdn.networks }
        return allow.isEmpty ? nil : allow
    }

    /// Behind a CDN with `--allow`: the pattern Caddy matches the forwarded viewer address with.
    public var viewerPattern: String? {
        guard cdn != nil, !allow.isEmpty else { return nil }
        return ForwardedAddressPattern.regex(for: allow)
    }

    /// `path` as a Quadlet user unit writes it: under the owner's home as `%h/…` (systemd
    /// expands it for whoever runs the unit), and any other `%` doubled.
    func quadletPath(_ path: String) -> String {
        let escaped = { (text: String) in text.replacingOccurrences(of: "%", with: "%%") }
        if let rest = owner.relativeToHome(path) { return "%h" + escaped(rest) }
        return escaped(path)
    }

    /// `path` as the run script writes it, inside double quotes: under the home as `$HOME/…`.
    func shellPath(_ path: String) -> String {
        let escaped = { (text: String) in
            text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "$", with: "\\$").replacingOccurrences(of: "`", with: "\\`")
        }
        if let rest = owner.relativeToHome(path) { return "\"$HOME" + escaped(rest) + "\"" }
        return "\"" + escaped(path) + "\""
    }

    /// Never banned, never blocked: this machine and the LAN.
    public var trusted: [String] { ["127.0.0.1/8", "::1"] + lan.map(\.description) }
}

public enum DeployError: Error, Sendable, CustomStringConvertible {
    case invalidDomain(String)
    case relativePath(String, String)
    case unsafePath(String, String)
    case broadPath(String, String)
    case exists([String])
    case unwritable(String, String)
    case cdnIPv6Allow(String)
    case unknownUser(String)

    public var description: String {
        switch self {
        case .invalidDomain(let name):
            "'\(name)' is not a host name such as reels-7f3k.example.org (letters, digits and hyphens, at least two labels, no IP address)"
        case .relativePath(let flag, let path): "\(flag) '\(path)' must be an absolute path (start with /)"
        case .unsafePath(let flag, let path):
            "\(flag) '\(path)' contains ':', ',', a quote or a control character (newline, carriage return), "
                + "which would break the volume syntax or the unit file; move or link the folder"
        case .broadPath(let flag, let path): "\(flag) \(path) is far too broad to hand to a container; give the folder Jellyfin needs"
        case .exists(let paths):
            "refusing to overwrite "
                + "\(paths.count == 1 ? paths[0] : "\(paths.count) files (\(paths.prefix(3).joined(separator: ", "))…)"); "
                + "pass --force or choose another --out"
        case .unwritable(let path, let reason): "cannot write \(path): \(reason)"
        case .cdnIPv6Allow(let network):
            "--allow \(network) with --cdn: behind a CDN the allow-list is matched on the address the CDN forwards, which "
                + "Jellyfort writes for IPv4 only; allow IPv6 viewers in the CDN's own firewall rules (the bundle's README says how) "
                + "and leave them out of --allow"
        case .unknownUser(let name): "--user \(name): no such user on this machine; name the user who will run Jellyfin"
        }
    }
}

/// Who runs the rootless container: the unit lives in their home, the paths in their files
/// follow it, and the README says which steps are theirs.
public struct DeploymentOwner: Sendable, Equatable {
    public var name: String
    public var home: String

    public init(name: String, home: String) {
        self.name = name
        self.home = home.count > 1 && home.hasSuffix("/") ? String(home.dropLast()) : home
    }

    /// The user `deploy` runs as, or the one behind `sudo` (root's home is never the default).
    public static var current: DeploymentOwner {
        let environment = ProcessInfo.processInfo.environment
        if let name = environment["SUDO_USER"], !name.isEmpty, name != "root", let owner = try? named(name) { return owner }
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name, let home = entry.pointee.pw_dir {
            return DeploymentOwner(name: String(cString: name), home: String(cString: home))
        }
        return DeploymentOwner(name: environment["USER"] ?? "jellyfin", home: FileManager.default.homeDirectoryForCurrentUser.path)
    }

    /// A user of this machine, by name.
    public static func named(_ name: String) throws(DeployError) -> DeploymentOwner {
        guard let entry = getpwnam(name), let home = entry.pointee.pw_dir else { throw .unknownUser(name) }
        return DeploymentOwner(name: name, home: String(cString: home))
    }

    /// The part of `path` below the home folder (with its leading slash), or nil.
    func relativeToHome(_ path: String) -> String? {
        guard home != "/", path.hasPrefix(home + "/") else { return nil }
        return String(path.dropFirst(home.count))
    }
}
