import Foundation
import JellyfortBase
import JellyfortCore

/// Reads `--deployment` files and folders into `HostView`. Each file is recognised by its name
/// and content; one that cannot be read is reported with its path (and line) and the rest goes on.
public struct DeploymentReader: Sendable {
    public static let maximumFileSize = 1_048_576
    public static let maximumFiles = 2_000
    public static let maximumLineLength = 65_536

    /// The number of the first line longer than `maximumLineLength`, in one pass over the bytes.
    static func firstLongLine(_ data: Data) -> Int? {
        var line = 1
        var length = 0
        for byte in data {
            if byte == 10 {
                line += 1
                length = 0
            } else {
                length += 1
                if length > maximumLineLength { return line }
            }
        }
        return nil
    }

    /// JSON by name or by its first characters (`[Container]` is an INI section, not a JSON array).
    static func looksLikeJSON(_ data: Data, name: String) -> Bool {
        if name.lowercased().hasSuffix(".json") || data.first == UInt8(ascii: "{") { return true }
        guard data.first == UInt8(ascii: "[") else { return false }
        let next = data.dropFirst().first { ![UInt8(ascii: " "), 9, 10, 13].contains($0) }
        return next.map { "{[\"]-0123456789".utf8.contains($0) } ?? true
    }

    /// A name a deployment file would have, so that a file found in a folder is reported only then.
    static func looksLikeDeploymentFile(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return ["caddyfile", ".container", ".pod", ".image", ".yml", ".yaml", ".nft", ".conf", ".local", ".xml", ".sh"].contains {
            lowered.hasSuffix($0)
        }
    }

    public init() {}

    public func read(_ paths: [String]) -> HostView {
        var view = HostView()
        var files: [(path: String, explicit: Bool)] = []
        for path in paths {
            switch PathKind.of(path) {
            case .missing:
                view.problems.append(FileProblem(path, "no such file or folder"))
            case .special:
                view.problems.append(
                    FileProblem(path, "not a regular file or folder (a FIFO, socket or device); give the deployment files themselves"))
            case .folder:
                inspectUnitFolder(path, into: &view)
                files += walk(path).map { ($0, false) }
            case .regularFile:
                files.append((path, true))
            }
        }
        var pods: [String: [ContainerFacts.Publish]] = [:]
        var images: [String: String] = [:]
        for (path, explicit) in files.prefix(Self.maximumFiles) {
            let lowered = path.lowercased()
            if lowered.hasSuffix(".pod") || lowered.hasSuffix(".image"), let text = try? String(contentsOfFile: path, encoding: .utf8),
                text.utf8.count <= Self.maximumFileSize
            {
                let name = URL(fileURLWithPath: path).lastPathComponent
                if lowered.hasSuffix(".pod") {
                    pods[name] = QuadletPodParser.publishes(text, path: path)
                } else if let image = INIFile(text).entries.last(where: { $0.section == "Image" && $0.key == "Image" })?.value {
                    images[name] = image
                }
                view.files.append(path)
                continue
            }
            readFile(path, explicit: explicit, into: &view)
        }
        // A container whose image is a Quadlet .image unit that was given runs that unit's image.
        for index in view.containers.indices {
            if let unit = view.containers[index].imageElsewhere, let image = images[unit] {
                view.containers[index].image = image
                view.containers[index].imageElsewhere = nil
            }
        }
        // A container in a pod publishes what its pod publishes, when the pod's unit was given.
        for index in view.containers.indices {
            if let pod = view.containers[index].portsElsewhere, let publishes = pods[pod] {
                view.containers[index].publishes += publishes
                view.containers[index].portsElsewhere = nil
            }
        }
        if files.count > Self.maximumFiles {
            view.problems.append(
                FileProblem(
                    paths.joined(separator: ", "),
                    "more than \(Self.maximumFiles) files; only the first were read: point --deployment at the deployment's own folder"))
        }
        return view
    }

    /// Regular files below a folder, skipping hidden folders other than `.config`, and build output.
    func walk(_ root: String) -> [String] {
        guard
            let enumerator = FileManager.default.enumerator(
                at: URL(fileURLWithPath: root), includingPropertiesForKeys: [.isRegularFileKey, .isDirectoryKey])
        else { return [] }
        var found: [String] = []
        for case let url as URL in enumerator {
            let name = url.lastPathComponent
            if (try? url.resourceValues(forKeys: [.isDirectoryKey]))?.isDirectory == true {
                if (name.hasPrefix(".") && name != ".config")
                    || ["node_modules", ".build", "cache", "metadata", "transcodes"].contains(name)
                {
                    enumerator.skipDescendants()
                }
                continue
            }
            if (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true { found.append(url.path) }
            if found.count > Self.maximumFiles { break }
        }
        return found.sorted()
    }

    /// A systemd user unit folder says whether the auto-update timer is enabled.
    func inspectUnitFolder(_ path: String, into view: inout HostView) {
        let candidates = [path, path + "/systemd/user", path + "/.config/systemd/user"]
        for folder in candidates
        where FileManager.default.fileExists(atPath: folder + "/timers.target.wants") || folder.hasSuffix("systemd/user") {
            guard FileManager.default.fileExists(atPath: folder) else { continue }
            let link = folder + "/timers.target.wants/podman-auto-update.timer"
            let enabled =
                FileManager.default.fileExists(atPath: link) || (try? FileManager.default.destinationOfSymbolicLink(atPath: link)) != nil
            view.autoUpdateTimer = TimerFacts(enabled: enabled, location: FileLocation(path: folder, line: nil))
            return
        }
    }

    func readFile(_ path: String, explicit: Bool, into view: inout HostView) {
        guard case .regularFile = PathKind.of(path) else {
            view.problems.append(FileProblem(path, "not a regular file (a FIFO, socket or device)"))
            return
        }
        guard FileManager.default.isReadableFile(atPath: path), let handle = FileHandle(forReadingAtPath: path) else {
            view.problems.append(FileProblem(path, "cannot read it (permission denied?)"))
            return
        }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: Self.maximumFileSize + 1)) ?? Data()
        guard data.count <= Self.maximumFileSize else {
            if explicit { view.problems.append(FileProblem(path, "larger than 1 MiB; not a deployment file")) }
            return
        }
        guard !data.contains(0), let raw = String(data: data, encoding: .utf8) else {
            if explicit { view.problems.append(FileProblem(path, "not UTF-8 text")) }
            return
        }
        // systemd, the shell, Caddy and fail2ban all accept Windows line endings; so do we.
        let text = raw.contains("\r\n") ? raw.replacingOccurrences(of: "\r\n", with: "\n") : raw
        let name = URL(fileURLWithPath: path).lastPathComponent
        // Deployment files have short lines; JSON (nft -j, podman inspect) may be one long line
        // and goes to a parser that is linear anyway.
        if !Self.looksLikeJSON(data, name: name), let long = Self.firstLongLine(data) {
            if explicit || Self.looksLikeDeploymentFile(name) {
                view.problems.append(
                    FileProblem(
                        path, "line \(long) is longer than \(Self.maximumLineLength / 1024) KiB; not a deployment file Jellyfort reads"))
            }
            return
        }
        do {
            if try recognise(name: name, text: text, data: data, path: path, into: &view) {
                view.files.append(path)
            } else if explicit {
                view.problems.append(
                    FileProblem(
                        path,
                        "not a deployment file Jellyfort knows (Quadlet unit, run script, compose, podman inspect JSON, "
                            + "Caddyfile, nftables, firewalld zone, fail2ban, CrowdSec)"
                    ))
            }
        } catch {
            view.problems.append(FileProblem(path, "\(error)"))
        }
    }

    /// Only Jellyfin's container counts: a deployment folder also holds Caddy's, a database's, ….
    static func isJellyfin(_ container: ContainerFacts, fileName: String) -> Bool {
        (container.image ?? "").lowercased().contains("jellyfin") || fileName.contains("jellyfin")
    }

    /// Parses the file if it is one of the kinds Jellyfort reads; false when it is none of them.
    func recognise(name: String, text: String, data: Data, path: String, into view: inout HostView) throws -> Bool {
        let lowered = name.lowercased()
        if lowered.hasSuffix(".container") {
            guard let container = QuadletParser.parse(text, path: path) else {
                throw HostReadError("a .container unit without a [Container] section")
            }
            guard Self.isJellyfin(container, fileName: lowered) else { return false }
            view.containers.append(container)
            return true
        }
        if lowered == "caddyfile" || lowered.hasSuffix(".caddyfile")
            || (text.contains("reverse_proxy") && text.contains("{") && !lowered.hasSuffix(".sh"))
        {
            var sites = CaddyfileParser.parse(text, path: path)
            guard !sites.isEmpty else { throw HostReadError("no site block found") }
            // Caddy's own parser, when it is here, has the last word on what the file says.
            switch CaddyAdapt.read(path) {
            case .refused(let reason):
                for index in sites.indices { sites[index].notUnderstood.append("caddy adapt refuses this file (\(reason))") }
            case .read(let json):
                // Caddy's own structure is preferred; the Caddyfile reading gives it its lines. Where
                // the two disagree on the sites or upstreams, neither is trusted.
                let caddys = CaddyJSONReader.sites(json, path: path)
                let names = { (list: [ProxySiteFacts]) in
                    Set(list.flatMap(\.addresses).compactMap(CaddyAdapt.hostName).filter { !$0.contains("{$") })
                }
                let hosts = names(caddys)
                let dials = Set(caddys.flatMap(\.upstreams))
                if names(sites) != hosts || Set(sites.flatMap(\.upstreams)) != dials {
                    for index in sites.indices {
                        sites[index].notUnderstood.append(
                            "Caddy reads other sites or upstreams in it (\(hosts.sorted().joined(separator: ", ")); "
                                + "\(dials.sorted().joined(separator: ", "))) than Jellyfort does, so Jellyfort's reading is not trusted")
                    }
                } else {
                    sites = caddys.map { site in
                        var site = site
                        let own = Set(site.addresses.compactMap(CaddyAdapt.hostName))
                        if let twin = sites.first(where: { Set($0.addresses.compactMap(CaddyAdapt.hostName)) == own }) {
                            site.location = twin.location
                            site.notUnderstood = twin.notUnderstood
                        } else {
                            site.location = sites.first?.location ?? site.location
                        }
                        return site
                    }
                }
            case .unavailable:
                break
            }
            view.proxies += sites
            return true
        }
        if lowered.hasSuffix(".json") || text.first == "[" || text.first == "{" {
            if let value = try? JSONParser.parse(Array(data)) {
                if value.objectValue?["nftables"] != nil {
                    view.firewalls.append(NFTablesParser.parse(json: value, path: path))
                    return true
                }
                let containers = InspectParser.parse(value, path: path).filter { Self.isJellyfin($0, fileName: lowered) }
                if !containers.isEmpty {
                    view.containers += containers
                    return true
                }
                return false
            }
            if lowered.hasSuffix(".json") { throw HostReadError("not valid JSON") }
        }
        if lowered.hasSuffix(".nft") || text.hasPrefix("#!/usr/sbin/nft")
            || text.range(of: #"(?m)^\s*table (inet|ip|ip6) "#, options: .regularExpression) != nil
        {
            view.firewalls.append(NFTablesParser.parse(text: text, path: path))
            return true
        }
        if lowered.hasSuffix(".xml"), text.contains("<zone") {
            view.firewalls.append(try FirewalldZoneParser.parse(data, path: path))
            return true
        }
        if lowered.hasSuffix(".service"), let watch = BanConfigParser.jellyfortWatch(text, path: path) {
            view.banConfigurations.append(watch)
            return true
        }
        if lowered.hasSuffix(".conf") || lowered.hasSuffix(".local"), text.contains("failregex") || text.contains("logpath") {
            let bans = BanConfigParser.fail2ban(text, path: path)
            view.banConfigurations += bans
            return !bans.isEmpty
        }
        if lowered.hasSuffix(".yaml") || lowered.hasSuffix(".yml") {
            if text.range(of: #"(?m)^services:"#, options: .regularExpression) != nil {
                let containers = try ComposeParser.parse(text, path: path)
                view.containers += containers
                return true
            }
            if text.contains("filenames:") || text.contains("filename:") {
                view.banConfigurations += try BanConfigParser.crowdsec(text, path: path)
                return true
            }
            return false
        }
        if text.range(of: #"(^|[\s/])(podman|docker)\s+(run|create)\b"#, options: .regularExpression) != nil {
            // A command with an option Jellyfort does not know has no image it can trust: it is kept
            // (and makes the container controls unknown) rather than dropped as "not Jellyfin".
            let containers = RunCommandParser.parse(text, path: path).filter {
                Self.isJellyfin($0, fileName: lowered)
                    || ($0.image == nil && !$0.notUnderstood.isEmpty && text.lowercased().contains("jellyfin"))
            }
            guard !containers.isEmpty else { return false }
            view.containers += containers
            return true
        }
        return false
    }
}
