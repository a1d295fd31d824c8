import JellyfortBase
import JellyfortCore

/// Guide item 3.
struct AutoUpdateControl: Control {
    static let description = ControlDescription(
        id: .containerAutoUpdate, title: "The image updates itself", guideItem: 3, severity: .medium,
        rationale:
            "Security fixes help only once installed. Podman's auto-update pulls a new image and restarts "
            + "the container, but only with AutoUpdate=registry, a fully qualified image and the timer enabled.",
        remediation: Remediation(
            "Set AutoUpdate=registry with a fully qualified image (docker.io/jellyfin/jellyfin:latest) and "
                + "run systemctl --user enable --now podman-auto-update.timer."
        ),
        evidence: [.host])

    static let examples = [
        ControlExample("label, qualified image, timer on", .pass, Sample.deployment()),
        ControlExample("no label", .fail, Sample.deployment { $0.containers = [Sample.container { $0.autoUpdateLabel = nil }] }),
        ControlExample(
            "short image name", .fail, Sample.deployment { $0.containers = [Sample.container { $0.image = "jellyfin/jellyfin" }] }),
        ControlExample(
            "timer not enabled", .fail,
            Sample.deployment { $0.autoUpdateTimer = TimerFacts(enabled: false, location: FileLocation(path: "systemd/user", line: nil)) }),
        ControlExample("timer not visible", .warn, Sample.deployment { $0.autoUpdateTimer = nil }),
    ]

    /// `registry.example/name:tag` or `…@sha256:…`: a registry host first, and a tag or digest.
    static func isFullyQualified(_ image: String) -> Bool {
        let parts = image.split(separator: "/")
        guard parts.count >= 2, let registry = parts.first, registry.contains(".") || registry.contains(":") || registry == "localhost"
        else { return false }
        let last = parts.last ?? ""
        return last.contains(":") || last.contains("@")
    }

    static func evaluate(_ evidence: Evidence) -> Verdict {
        evidence.withContainers { containers, host in
            var findings: [Finding] = []
            if let unit = containers.compactMap(\.imageElsewhere).first {
                return .unknown(
                    "the image comes from \(unit), whose reference decides whether auto-update can check it: add it with --deployment")
            }
            if containers.allSatisfy({ $0.autoUpdateLabel == "watchtower" }) {
                return .warn(
                    "labelled for Watchtower; whether a Watchtower container runs (and with --label-enable) is not visible in these files")
            }
            for container in containers {
                let at = container.at(nil)
                if container.autoUpdateLabel != "registry" {
                    findings.append(.at(at, "no AutoUpdate=registry (label io.containers.autoupdate=registry)"))
                }
                if let image = container.image, !isFullyQualified(image) {
                    findings.append(
                        .at(
                            at, "image \(image) is not fully qualified with a registry and a tag; auto-update cannot check it",
                            ["Image": .string(image)]))
                }
            }
            if let timer = host.autoUpdateTimer, !timer.enabled {
                findings.append(.at(timer.location, "podman-auto-update.timer is not enabled"))
            }
            guard findings.isEmpty else { return .fail("the image will not update itself", findings: findings) }
            guard host.autoUpdateTimer != nil else {
                return .warn(
                    "the container is set up for auto-update; whether podman-auto-update.timer is enabled is not "
                        + "visible (add --deployment ~/.config/systemd/user)"
                )
            }
            return .pass("AutoUpdate=registry, a fully qualified image, and the timer enabled")
        }
    }
}
