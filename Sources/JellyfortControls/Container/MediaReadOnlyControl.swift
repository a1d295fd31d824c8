import JellyfortBase
import JellyfortCore

/// Guide item 2.
struct MediaReadOnlyControl: Control {
    static let description = ControlDescription(
        id: .containerMediaReadOnly, title: "Media is mounted read-only", guideItem: 2, severity: .high,
        rationale:
            "Jellyfin only needs to read your films. A writable media mount lets a compromised server or a "
            + "user with deletion rights destroy the collection.",
        remediation: Remediation("Mount media read-only: Volume=/srv/media:/media:ro,Z (or --mount ...,ro=true,relabel=private)."),
        evidence: [.host])

    static let examples = [
        ControlExample("read-only", .pass, Sample.deployment()),
        ControlExample(
            "the same mount in a unit and its run script counts once", .pass,
            Sample.deployment {
                $0.containers = [Sample.container(), Sample.container { $0.location = FileLocation(path: "jellyfin-run.sh", line: 1) }]
            }),
        ControlExample("writable media", .fail, Sample.deployment { $0.containers = [Sample.container { $0.mounts[2].options = ["Z"] }] }),
        ControlExample(
            "a config sub-folder, fonts and a tmpfs are not media", .pass,
            Sample.deployment {
                $0.containers = [
                    Sample.container {
                        $0.mounts += [
                            .init(source: "/srv/jf/metadata", target: "/config/metadata", options: ["Z"], line: 21),
                            .init(source: "/usr/share/fonts", target: "/usr/local/share/fonts/custom", options: [], line: 22),
                            .init(source: "", target: "/transcode", options: ["tmpfs"], line: 23),
                        ]
                    }
                ]
            }),
        ControlExample("no media mount found", .warn, Sample.deployment { $0.containers = [Sample.container { $0.mounts.removeLast() }] }),
    ]

    /// Every host folder mounted into the container that is not Jellyfin's own state, a scratch
    /// space, fonts, a device or a socket holds media.
    static func mediaMounts(_ container: ContainerFacts) -> [ContainerFacts.Mount] {
        container.mounts.filter { mount in
            let target = mount.target.lowercased()
            let state = ["/config", "/cache", "/tmp", "/transcodes", "/transcode"].contains { target == $0 || target.hasPrefix($0 + "/") }
            let other =
                ["/dev", "/etc/", "/run", "/var/run", "/usr/share/fonts"].contains { target.hasPrefix($0) } || target.contains("font")
            return mount.isHostPath && !state && !other && !mount.source.hasSuffix(".sock")
        }
    }

    static func evaluate(_ evidence: Evidence) -> Verdict {
        evidence.withContainers { containers, _ in
            let media = containers.flatMap { container in mediaMounts(container).map { (container, $0) } }
            guard !media.isEmpty else { return .warn("no media mount found in the container definition") }
            let writable = media.filter { !$0.1.isReadOnly }
            guard writable.isEmpty else {
                return .fail(
                    "\(plural(writable.count, "media mount")) writable",
                    findings: writable.map { container, mount in
                        .at(
                            container.at(mount.line), "\(mount.source) is mounted at \(mount.target) without ro",
                            ["Source": .string(mount.source), "Options": JSONValue(mount.options)])
                    })
            }
            // The same folder in a unit and in its run script is one mount, described twice.
            let distinct = Set(media.map { "\($0.1.source)\u{0}\($0.1.target)" }).count
            let files = Set(containers.map(\.location.path)).count
            return .pass("\(plural(distinct, "media mount")) read-only" + (files > 1 ? " (in \(files) files)" : ""))
        }
    }
}
