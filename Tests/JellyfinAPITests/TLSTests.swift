import Foundation
import JellyfinAPI
import JellyfinEmulator
import JellyfortTestSupport
import Testing

/// TLS through a real Caddy with its own local CA, in front of the emulator.
@Suite("TLS with a private CA")
struct TLSTests {
    @Test("verification is on by default; --ca-file trusts a private CA; insecure skips the check")
    func privateCA() async throws {
        try await withEmulator("hardened") { fixture in
            let port = freeLoopbackPort()
            let caddy = try await CaddyProcess(
                sites: """
                    localhost:\(port) {
                    \tbind 127.0.0.1
                    \ttls internal
                    \treverse_proxy \(fixture.emulator.host):\(fixture.emulator.port)
                    }
                    """, port: port)
            defer { caddy.stop() }
            let address = try ServerAddress("https://localhost:\(port)")
            let key = Credential.apiKey(Secret(fixture.scenario.apiKeys[0].token))

            let untrusting = try JellyfinClient(configuration: JellyfinClientConfiguration(server: address, credential: key))
            do {
                _ = try await untrusting.publicSystemInfo()
                Issue.record("a certificate from an unknown CA was accepted")
            } catch let error as JellyfinAPIError {
                guard case .tlsFailure = error else {
                    Issue.record("expected a TLS failure, got \(error)")
                    return
                }
            }
            await untrusting.shutdown()

            var trusting = JellyfinClientConfiguration(server: address, credential: key)
            trusting.caFile = caddy.rootCertificate.path
            let client = try JellyfinClient(configuration: trusting)
            #expect(try await client.publicSystemInfo().version == "12.1.0")
            #expect(try await client.users().count == 2, "the API key travels through the proxy")
            await client.shutdown()

            var insecure = JellyfinClientConfiguration(server: address, credential: key)
            insecure.insecureSkipVerify = true
            let skipping = try JellyfinClient(configuration: insecure)
            #expect(try await skipping.publicSystemInfo().serverName == "den")
            await skipping.shutdown()
        }
    }
}
