import Foundation
import JellyfortBase

/// `jellyfin.container` (Podman ≥ 4.4 Quadlet) and `jellyfin-run.sh` (the same for older Podman).
enum ContainerRenderer {
    /// Config and cache with private labels, media read-only; each path written by `write`.
    static func volumes(_ spec: DeploymentSpec, _ write: (String) -> String) -> [String] {
        ["\(write(spec.configPath)):/config:Z", "\(write(spec.cachePath)):/cache:Z", "\(write(spec.mediaPath)):/media:ro,Z"]
    }

    static func quadlet(_ spec: DeploymentSpec) -> String {
        var lines = [
            "# Jellyfin, rootless, written by jellyfort deploy for \(spec.domain).",
            "# Install: ~/.config/containers/systemd/jellyfin.container, then systemctl --user daemon-reload.",
            "[Unit]",
            "Description=Jellyfin media server",
            "Wants=network-online.target",
            "After=network-online.target",
            "",
            "[Container]",
            "Image=\(spec.image)",
            "ContainerName=jellyfin",
            "# Pull a new image when podman-auto-update.timer runs (guide item 3).",
            "AutoUpdate=registry",
            "# Rootless, and the container's user is yours (guide item 1).",
            "UserNS=keep-id",
            "# pasta keeps real client addresses, which remote-vs-LAN and bans depend on.",
            "Network=pasta",
            "# Only Caddy on this machine reaches Jellyfin (guide item 4).",
            "PublishPort=127.0.0.1:\(spec.upstreamPort):8096",
        ]
        // systemd expands %-specifiers in unit files: the home folder is %h (the unit is the same
        // for whoever runs it), and a literal % in a path is written %%.
        lines += volumes(spec, spec.quadletPath).map { "Volume=\($0)" }
        lines += ["NoNewPrivileges=true", "DropCapability=ALL"]
        if spec.gpu { lines.append("AddDevice=/dev/dri") }
        lines += ["", "[Service]", "Restart=always", "TimeoutStartSec=900", "", "[Install]", "WantedBy=default.target", ""]
        return lines.joined(separator: "\n")
    }

    static func runScript(_ spec: DeploymentSpec) -> String {
        var arguments = [
            "--detach", "--replace", "--name jellyfin", "--userns keep-id", "--network pasta",
            "--publish 127.0.0.1:\(spec.upstreamPort):8096",
        ]
        arguments += volumes(spec, spec.shellPath).map { "--volume \($0)" }
        arguments += ["--label io.containers.autoupdate=registry", "--security-opt no-new-privileges", "--cap-drop all"]
        if spec.gpu { arguments.append("--device /dev/dri") }
        arguments.append(spec.image)
        return """
            #!/bin/sh
            # Jellyfin, rootless, for Podman older than 4.4 (no Quadlet). Written by jellyfort deploy.
            # Run as \(spec.owner.name) (who owns the media), not as root. Then:
            #   podman generate systemd --new --name jellyfin > ~/.config/systemd/user/jellyfin.service
            #   systemctl --user enable --now jellyfin.service podman-auto-update.timer
            set -eu
            mkdir -p \(spec.shellPath(spec.configPath)) \(spec.shellPath(spec.cachePath))
            exec podman run \\
              \(arguments.joined(separator: " \\\n  "))

            """
    }
}
