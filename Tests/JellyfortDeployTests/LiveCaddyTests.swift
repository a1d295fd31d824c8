import Foundation
import JellyfinAPI
import JellyfinEmulator
import JellyfortDeploy
import JellyfortTestSupport
import Testing

/// The generated Caddyfile, served by a real Caddy with `tls internal` on loopback, in front of the emulator.
@Suite("A real Caddy serving the generated Caddyfile")
struct LiveCaddyTests {
    @Test("Jellyfin's API over HTTPS with the security headers, /metrics blocked, unknown names and the bare IP refused")
    func live() async throws {
        try await withEmulator("hardened", modify: { $0.serverConfiguration["EnableMetrics"] = true }) { fixture in
            var spec = try DeploymentSpec(
                domain: "reels-7f3k.example.org", mediaPath: "/srv/media", configPath: "/srv/config", cachePath: "/srv/cache")
            spec.upstreamPort = fixture.emulator.port
            let port = freeLoopbackPort()
            let scratch = temporaryDirectory("live-caddy")
            defer { try? FileManager.default.removeItem(at: scratch) }
            var options = CaddyfileRenderer.Options()
            options.httpsPort = port
            options.internalTLS = true
            options.bind = "127.0.0.1"
            options.siteName = "localhost"
            options.logFile = scratch.appendingPathComponent("access.log").path
            let rendered = CaddyfileRenderer.render(spec, options: options)
            // The global block is the test harness's; the sites are the generated ones.
            let sites = String(rendered[rendered.range(of: "\nlocalhost:")!.lowerBound...])
            let caddy = try await CaddyProcess(sites: sites, port: port)
            defer { caddy.stop() }

            var configuration = JellyfinClientConfiguration(
                server: try ServerAddress("https://localhost:\(port)"), credential: .apiKey(Secret(fixture.scenario.apiKeys[0].token)))
            configuration.caFile = caddy.rootCertificate.path
            let client = try JellyfinClient(configuration: configuration)
            let response = try await client.send(.get, "/System/Info/Public", authenticated: false)
            #expect(response.status == 200)
            #expect(try JSONParser.parse(response.body).objectValue?["Version"] == "12.1.0")
            #expect(response.header("Strict-Transport-Security")?.contains("max-age=31536000") == true)
            #expect(response.header("X-Content-Type-Options") == "nosniff")
            #expect(response.header("Content-Security-Policy")?.contains("frame-ancestors 'self'") == true)
            #expect(response.header("Server") == nil, "the Server header leaks Kestrel/Caddy")
            #expect(try await client.users().count == 2, "the API works through the proxy with the key")
            let direct = try await fixture.client().send(.get, "/metrics", authenticated: false)
            #expect(direct.status == 200, "the emulator does serve metrics")
            #expect(try await client.send(.get, "/metrics", authenticated: false).status == 404, "the proxy blocks them")
            _ = try await client.send(.get, "/Users", query: [("api_key", "0123456789abcdef0123456789abcdef")], authenticated: false)
            await client.shutdown()

            var bare = JellyfinClientConfiguration(server: try ServerAddress("https://127.0.0.1:\(port)"))
            bare.insecureSkipVerify = true
            bare.requestTimeout = .seconds(5)
            let scanner = try JellyfinClient(configuration: bare)
            do {
                let answer = try await scanner.send(.get, "/System/Info/Public", authenticated: false)
                Issue.record("the bare IP reached Jellyfin: HTTP \(answer.status)")
            } catch {}
            await scanner.shutdown()

            // An unknown host name (SNI and Host) gets no answer from Jellyfin either.
            let unknown = try await runTool(
                "curl", package: "curl",
                [
                    "-sk", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5",
                    "--resolve", "unknown.localtest:\(port):127.0.0.1", "https://unknown.localtest:\(port)/System/Info/Public",
                ])
            #expect(unknown.status != 0, "curl reached an unknown host name: HTTP \(unknown.output)")
            #expect(!unknown.output.hasPrefix("2"), "HTTP \(unknown.output)")
            let wrongHost = try await runTool(
                "curl", package: "curl",
                [
                    "-sk", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5",
                    "-H", "Host: unknown.localtest", "https://localhost:\(port)/System/Info/Public",
                ])
            #expect(!wrongHost.output.hasPrefix("2"), "a wrong Host header reached Jellyfin: HTTP \(wrongHost.output)")

            // The access log keeps no token.
            try await Task.sleep(for: .milliseconds(300))
            let log = (try? String(contentsOfFile: options.logFile, encoding: .utf8)) ?? ""
            #expect(log.contains("REDACTED"), "the access log was not written or not filtered")
            #expect(!log.contains("0123456789abcdef0123456789abcdef"))
            #expect(!log.contains(fixture.scenario.apiKeys[0].token))
        }
    }
}
