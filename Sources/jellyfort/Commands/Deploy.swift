import ArgumentParser
import Foundation
import JellyfinAPI
import JellyfortControls
import JellyfortDeploy

extension Jellyfort {
    struct Deploy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the hardened deployment: Quadlet unit, Caddyfile, firewall rules, ban filters.",
            discussion: """
                Writes a bundle of files and a README in it that says what each does and the steps, in order, and \
                as which user. Nothing is installed or started. Paths under the user's home are written as %h in the \
                Quadlet unit and $HOME in the run script; --user names that user when you run this as root.

                Examples:
                  jellyfort deploy --domain reels-7f3k.example.org --media /srv/media \\
                                     --lan-cidr 192.168.1.0/24
                  jellyfort deploy --domain reels-7f3k.example.org --media /srv/media \\
                                     --allow 198.51.100.0/24 --out ./jellyfin-deploy
                  jellyfort deploy --domain reels-7f3k.example.org --media /srv/media \\
                                     --cdn cloudflare --gpu
                """
        )

        @Option(
            help: ArgumentHelp(
                "The name Jellyfin is served on; unguessable is better (Certificate Transparency publishes it).", valueName: "name"))
        var domain: String

        @Option(help: ArgumentHelp("The media folder, mounted read-only.", valueName: "path"))
        var media: String

        @Option(
            name: .customLong("config-dir"),
            help: ArgumentHelp("Jellyfin's configuration folder (default ~/.local/share/jellyfin/config).", valueName: "path"))
        var configDir: String?

        @Option(
            name: .customLong("cache-dir"), help: ArgumentHelp("Jellyfin's cache folder (default ~/.cache/jellyfin).", valueName: "path"))
        var cacheDir: String?

        @Option(
            name: .customLong("allow"),
            help: ArgumentHelp("An address or range allowed to reach the server. Repeatable.", valueName: "cidr"))
        var allow: [String] = []

        @Option(
            name: .customLong("lan-cidr"), help: ArgumentHelp("Your LAN: never banned, LocalNetworkSubnets. Repeatable.", valueName: "cidr")
        )
        var lanCIDRs: [String] = []

        @Option(help: ArgumentHelp("A CDN in front (only cloudflare): 443 only from its ranges.", valueName: "name"))
        var cdn: String?

        @Option(
            name: .customLong("cdn-ranges"),
            help: ArgumentHelp("A file of the CDN's current ranges, instead of the bundled dated list.", valueName: "file"))
        var cdnRanges: String?

        @Option(
            help: ArgumentHelp(
                "The user who runs Jellyfin (rootless) and owns its folders (default: you, or the user behind sudo).", valueName: "name"))
        var user: String?

        @Flag(help: "Pass /dev/dri to the container for hardware transcoding.")
        var gpu = false

        @Option(help: ArgumentHelp("The folder to write the bundle to.", valueName: "dir"))
        var out = "jellyfin-deploy"

        @Flag(help: "Overwrite files that already exist.")
        var force = false

        func validate() throws {
            for cidr in allow + lanCIDRs where IPNetwork(cidr) == nil {
                throw ValidationError("'\(cidr)' is not an IP address or CIDR range")
            }
            if let cdn, cdn != "cloudflare" { throw ValidationError("--cdn knows only 'cloudflare'") }
            if cdnRanges != nil, cdn == nil { throw ValidationError("--cdn-ranges needs --cdn cloudflare") }
        }

        func run() throws {
            let spec: DeploymentSpec
            do {
                let owner = try user.map { name throws(DeployError) in try DeploymentOwner.named(name) } ?? DeploymentOwner.current
                let home = owner.home
                let ranges = try cdn.map { name in try cdnRanges.map { try CDNRanges.load($0, name: name) } ?? CDNRanges.bundled(name) }
                spec = try DeploymentSpec(
                    domain: domain, mediaPath: media, configPath: configDir ?? "\(home)/.local/share/jellyfin/config",
                    cachePath: cacheDir ?? "\(home)/.cache/jellyfin", allow: allow.compactMap(IPNetwork.init),
                    lan: lanCIDRs.compactMap(IPNetwork.init), cdn: ranges, gpu: gpu, owner: owner)
            } catch {
                Terminal.error("\(error)")
                throw ExitCode(AuditExit.usage)
            }
            let bundle = DeploymentBundle(spec)
            for warning in bundle.warnings { Terminal.warning(warning) }
            do {
                let written = try bundle.write(to: URL(fileURLWithPath: out), force: force)
                print("Wrote \(written.count) files to \(out)/:")
                for file in bundle.files { print("  \(file.path)") }
                if let cdn = spec.cdn { print("CDN ranges: \(cdn.name), \(cdn.networks.count) ranges, as of \(cdn.asOf).") }
                print("Next: read \(out)/README.md; it lists the steps in order and as which user.")
            } catch {
                Terminal.error("\(error)")
                throw ExitCode(AuditExit.incomplete)
            }
        }
    }
}
