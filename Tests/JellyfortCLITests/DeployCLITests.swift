import Foundation
import JellyfortTestSupport
import Testing

@Suite("jellyfort deploy, end to end")
struct DeployCLITests {
    @Test("writes the bundle, warns about a guessable name, refuses to overwrite without --force")
    func bundle() async throws {
        let folder = temporaryDirectory("deploy")
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("bundle").path
        let arguments = ["deploy", "--domain", "jellyfin.example.org", "--media", "/srv/media", "--lan-cidr", "192.168.1.0/24", "--cdn", "cloudflare", "--out", out]
        let first = try await CLI.run(arguments)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("Certificate Transparency"))
        #expect(first.stdout.contains("nftables/jellyfort.nft"))
        #expect(first.stdout.contains("as of 2026-11-29"))
        let readme = try String(contentsOfFile: out + "/README.md", encoding: .utf8)
        #expect(readme.contains("As root") && readme.contains("As your own user"))
        let again = try await CLI.run(arguments)
        #expect(again.status == 2)
        #expect(again.stderr.contains("--force"))
        #expect(try await CLI.run(arguments + ["--force"]).status == 0)
    }

    @Test("bad input exits 64 with one line", arguments: [
        ["deploy", "--domain", "not a domain", "--media", "/srv/media"], ["deploy", "--domain", "a.example.org", "--media", "relative/path"],
        ["deploy", "--domain", "a.example.org", "--media", "/srv/media", "--allow", "300.1.1.1"], ["deploy", "--domain", "a.example.org"],
        ["deploy", "--domain", "a.example.org", "--media", "/srv/media", "--cdn", "akamai"],
        ["deploy", "--domain", "a.example.org", "--media", "/srv/media", "--cdn", "cloudflare", "--cdn-ranges", "/nonexistent/ranges"],
    ])
    func badInput(_ arguments: [String]) async throws {
        let result = try await CLI.run(arguments + ["--out", temporaryDirectory("deploy-bad").path])
        #expect(result.status == 64, "\(arguments): \(result.status) \(result.stderr)")
        #expect(!result.stderr.isEmpty)
    }
}
