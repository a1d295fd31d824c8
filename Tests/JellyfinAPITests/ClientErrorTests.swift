import Foundation
import JellyfinAPI
import JellyfinEmulator
import JellyfortTestSupport
import Testing

/// Every error of the client, each from a real loopback server that misbehaves in that way.
@Suite("Client errors")
struct ClientErrorTests {
    func client(
        _ url: String, credential: Credential? = .apiKey(Secret("k")), configure: (inout JellyfinClientConfiguration) -> Void = { _ in }
    ) throws -> JellyfinClient {
        var configuration = JellyfinClientConfiguration(server: try ServerAddress(url), credential: credential)
        configure(&configuration)
        return try JellyfinClient(configuration: configuration)
    }

    @Test("nothing listening: unreachable, with the address")
    func unreachable() async throws {
        let closed = try await ScriptedServer { _ in .hang }
        let url = closed.url
        await closed.stop()
        let client = try client(url)
        do {
            _ = try await client.publicSystemInfo()
            Issue.record("expected an error")
        } catch {
            guard case .unreachable(let address, _) = error else {
                Issue.record("got \(error)")
                return
            }
            let expected = try ServerAddress(url).origin
            #expect(address == expected)
            #expect(error.description.contains("cannot reach the server at http://127.0.0.1:"))
        }
        await client.shutdown()
    }

    @Test("TLS to a server that speaks plain HTTP is a TLS failure")
    func tls() async throws {
        let plain = try await ScriptedServer { _ in ScriptedServer.json("{}") }
        let client = try client("https://127.0.0.1:\(plain.port)")
        do {
            _ = try await client.publicSystemInfo()
            Issue.record("expected an error")
        } catch {
            guard case .tlsFailure = error else {
                Issue.record("got \(error)")
                return
            }
            #expect(error.description.contains("answers in plain HTTP") && error.description.contains("use http://"), "\(error)")
            #expect(!error.description.contains("certificate"), "\(error)")
        }
        await client.shutdown()
        await plain.stop()
    }

    @Test("a CA file that is not a certificate is refused before connecting")
    func badCAFile() throws {
        let folder = temporaryDirectory("ca")
        let path = folder.appendingPathComponent("ca.pem").path
        try "not a certificate".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: JellyfinAPIError.self) {
            try self.client("https://127.0.0.1:1") { $0.caFile = path }
        }
    }

    @Test(
        "status codes map to the errors of the contract",
        arguments: [
            (400, "bad"), (401, "unauthorized"), (403, "forbidden"), (404, "notFound"), (500, "server"), (502, "server"),
            (503, "unavailable"), (418, "unexpected"),
        ])
    func statuses(_ status: Int, _ kind: String) async throws {
        let server = try await ScriptedServer { _ in .respond(status: status, headers: [], body: Array("Error processing request.".utf8)) }
        let client = try client(server.url)
        do {
            _ = try await client.serverConfiguration()
            Issue.record("expected an error")
        } catch {
            switch (kind, error) {
            case ("bad", .badRequest(_, nil)), ("unauthorized", .unauthorized(_, true)), ("forbidden", .forbidden(_, nil)),
                ("notFound", .notFound), ("server", .serverError), ("unavailable", .serviceUnavailable), ("unexpected", .unexpectedStatus):
                break
            default:
                Issue.record("status \(status) gave \(error)")
            }
            #expect(!error.description.contains("Error processing request."))
        }
        await client.shutdown()
        await server.stop()
    }

    @Test(
        "malformed answers: the endpoint and what was wrong",
        arguments: [
            ("<html>oops</html>", "not JSON"), ("[]", "expected a ServerConfiguration object"), ("", "empty body"),
            (#"{"EnableMetrics":"yes","QuickConnectAvailable":true,"IsStartupWizardCompleted":true}"#, "EnableMetrics"),
            (#"{"EnableMetrics":true}"#, "QuickConnectAvailable"),
        ])
    func malformed(_ body: String, _ expected: String) async throws {
        let server = try await ScriptedServer { _ in ScriptedServer.json(body) }
        let client = try client(server.url)
        do {
            _ = try await client.serverConfiguration()
            Issue.record("expected an error")
        } catch {
            guard case .malformedResponse(let endpoint, let detail) = error else {
                Issue.record("got \(error)")
                return
            }
            #expect(endpoint == "GET /System/Configuration")
            #expect(detail.contains(expected), "\(detail)")
            #expect(error.description.contains("is this a Jellyfin server"), "\(error)")
            #expect(!error.description.contains("invalid constant") && !error.description.contains("Error Domain"), "\(error)")
        }
        await client.shutdown()
        await server.stop()
    }

    @Test("a user list with one bad user names the item")
    func malformedItem() async throws {
        let server = try await ScriptedServer { _ in ScriptedServer.json(#"[{"Name":"x","Id":"not-a-guid","Policy":{}}]"#) }
        let client = try client(server.url)
        await #expect(
            throws: JellyfinAPIError.malformedResponse(
                endpoint: "GET /Users", detail: "item 0: UserDto field Id: 'not-a-guid' is not a Jellyfin id (32 hex digits)")
        ) {
            try await client.users()
        }
        await client.shutdown()
        await server.stop()
    }

    @Test("an oversized body is refused, with or without Content-Length")
    func tooLarge() async throws {
        let big = Array(repeating: UInt8(ascii: " "), count: 200_000)
        let server = try await ScriptedServer { _ in .respond(status: 200, headers: [("Content-Type", "application/json")], body: big) }
        let client = try client(server.url) { $0.maximumResponseBytes = 64 * 1024 }
        await #expect(throws: JellyfinAPIError.responseTooLarge(endpoint: "GET /Users", limitBytes: 64 * 1024)) {
            try await client.users()
        }
        await client.shutdown()
        await server.stop()
    }

    @Test("a server that never answers times out")
    func timeout() async throws {
        let server = try await ScriptedServer { _ in .hang }
        let client = try client(server.url) { $0.requestTimeout = .seconds(1) }
        let started = ContinuousClock.now
        await #expect(throws: JellyfinAPIError.timeout(endpoint: "GET /Users", seconds: 1)) {
            try await client.users()
        }
        #expect(ContinuousClock.now - started < .seconds(10))
        await client.shutdown()
        await server.stop()
    }

    @Test("credentials never go over plain HTTP to another host")
    func insecureTransport() throws {
        #expect(throws: JellyfinAPIError.insecureTransport(host: "192.0.2.10")) {
            try self.client("http://192.0.2.10:8096")
        }
        // Allowed when said explicitly, and always for loopback or without a credential.
        _ = try client("http://192.0.2.10:8096") { $0.allowInsecureHTTP = true }
        _ = try client("http://192.0.2.10:8096", credential: nil)
        _ = try client("http://localhost:8096")
    }

    @Test("a redirect to another host is not followed (nothing reaches it); to the same host keeps the credential")
    func redirects() async throws {
        let elsewhere = try await ScriptedServer { _ in ScriptedServer.json(#"{"Version":"10.11.11"}"#) }
        let target = "\(elsewhere.url)/System/Info"
        let origin = try await ScriptedServer { request in
            switch request.path {
            case "/System/Info": .respond(status: 302, headers: [("Location", target)], body: [])
            case "/System/Configuration": .respond(status: 307, headers: [("Location", "/System/Info/Public")], body: [])
            default: ScriptedServer.json(#"{"Version":"10.11.11"}"#)
            }
        }
        let client = try client(origin.url, credential: .apiKey(Secret("secret-token-value")))
        await #expect(
            throws: JellyfinAPIError.redirectedElsewhere(
                endpoint: "GET /System/Info", from: try ServerAddress(origin.url).origin, to: try ServerAddress(elsewhere.url).origin)
        ) {
            _ = try await client.systemInfo()
        }
        #expect(elsewhere.requests.isEmpty)
        _ = try await client.send(.get, "/System/Configuration")
        let followed = try #require(origin.requests.last)
        #expect(followed.path == "/System/Info/Public")
        #expect(followed.header("Authorization")?.contains("secret-token-value") == true)
        await client.shutdown()
        await origin.stop()
        await elsewhere.stop()
    }

    @Test("an endpoint that needs a credential says how to give one")
    func credentialRequired() async throws {
        let client = try client("http://127.0.0.1:1", credential: nil)
        await #expect(throws: JellyfinAPIError.credentialRequired(endpoint: "GET /Users")) { try await client.users() }
        await client.shutdown()
    }

    @Test("against the emulator: wrong key 401, non-admin 403, remote-blocked 503")
    func emulatorRefusals() async throws {
        // Without mira's live TV session: her limit of one session would refuse the sign-in.
        try await withEmulator("hardened", modify: { $0.devices = [] }) { fixture in
            let wrong = try fixture.client(credential: .apiKey(Secret("ffffffffffffffffffffffffffffffff")))
            await #expect(throws: JellyfinAPIError.unauthorized(endpoint: "GET /Users", credentialSent: true)) { try await wrong.users() }
            await wrong.shutdown()
            let mira = try await fixture.client(user: "mira")
            await #expect(throws: JellyfinAPIError.forbidden(endpoint: "GET /Auth/Keys", reason: nil)) { try await mira.apiKeys() }
            await mira.shutdown()
        }
        try await withEmulator("hardened", modify: { $0.networkConfiguration["EnableRemoteAccess"] = false }) { fixture in
            let remote = try fixture.client(headers: [("X-Forwarded-For", "203.0.113.9")])
            await #expect(throws: JellyfinAPIError.serviceUnavailable(endpoint: "GET /System/Info/Public")) {
                try await remote.publicSystemInfo()
            }
            await remote.shutdown()
        }
    }
}
