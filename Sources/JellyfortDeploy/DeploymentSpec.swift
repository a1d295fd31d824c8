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
    public var image = "docker.io/jellyfin/jellyfin:latest"
    /// Where Caddy reaches Jellyfin; the container publishes it on loopback only.
    public var upstreamPort = 8096

    public init(
        domain: String, mediaPath: String, configPath: String, cachePath: String, allow: [IPNetwork] = [], lan: [IPNetwork] = [],
        cdn: CDNRanges? = nil, gpu: Bool = false
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

    /// The addresses 443 is open to, or nil for everyone.
    public var sourcesFor443: [IPNetwork]? {
        if let cdn { return cdn.networks + allow }
        return allow.isEmpty ? nil : allow
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
        }
    }
}
