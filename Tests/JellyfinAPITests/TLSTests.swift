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
                #expect(error.description.contains("the certificate is not trusted"), "\(error)")
                #expect(error.description.contains("--ca-file"))
            }
            await untrusting.shutdown()

            // Plain HTTP to the TLS port: Caddy answers 400 with a sentence; the message says https://.
            let plain = try JellyfinClient(
                configuration: JellyfinClientConfiguration(server: try ServerAddress("http://localhost:\(port)")))
            do {
                _ = try await plain.publicSystemInfo()
                Issue.record("plain HTTP to a TLS port was accepted")
            } catch {
                #expect("\(error)".contains("this port speaks HTTPS") && "\(error)".contains("https://"), "\(error)")
                #expect(!"\(error)".contains("(400)"), "\(error)")
            }
            await plain.shutdown()

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
