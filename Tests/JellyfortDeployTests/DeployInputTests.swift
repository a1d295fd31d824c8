import Foundation
import JellyfortDeploy
import Testing

/// Values that land in generated files: normalised, refused when dangerous, escaped for systemd.
@Suite("deploy: hostile paths")
struct DeployInputTests {
    @Test(
        "paths that reach a broad or kernel folder after normalising are refused",
        arguments: ["/./etc", "/srv/..", "//home/", "/proc", "/sys/kernel", "/dev/shm", "/srv/../../var"])
    func broad(_ path: String) {
        #expect(throws: DeployError.self, "\(path)") {
            try DeploymentSpec(domain: "reels-7f3k.example.org", mediaPath: path, configPath: "/srv/jf/config", cachePath: "/srv/jf/cache")
        }
    }

    @Test(
        "control characters in a path are refused, not written raw",
        arguments: ["/srv/jf\rconfig", "/srv/jf\nconfig", "/srv/\u{1B}[2J", "/srv/a\u{0}b"])
    func controls(_ path: String) {
        #expect(throws: DeployError.self) {
            try DeploymentSpec(domain: "reels-7f3k.example.org", mediaPath: "/srv/media", configPath: path, cachePath: "/srv/jf/cache")
        }
    }

    @Test("a % in a path is written %% in the Quadlet unit, so systemd does not expand it")
    func percent() throws {
        let spec = try DeploymentSpec(
            domain: "reels-7f3k.example.org", mediaPath: "/srv/100%h", configPath: "/srv/./jf//config", cachePath: "/srv/jf/cache")
        #expect(spec.configPath == "/srv/jf/config")
        let unit = try #require(DeploymentBundle(spec).files.first { $0.path.hasSuffix("jellyfin.container") })
        #expect(unit.content.contains("Volume=/srv/100%%h:/media:ro,Z"))
        #expect(!unit.content.contains("100%h"))
    }
}
