import Foundation
import JellyfinAPI
import JellyfinEmulator
import JellyfortBase
import JellyfortTestSupport
import Testing

/// Remote vs LAN, `KnownProxies`, `X-Forwarded-For`, the IP filter and `/Users/Public` (facts §4).
@Suite("Remote vs LAN")
struct NetworkTests {
    func status(_ client: JellyfinClient, _ path: String) async throws -> Int {
        try await client.send(.get, path, authenticated: false).status
    }

    func status(_ client: JellyfinClient, _ method: HTTPMethod, _ path: String) async throws -> Int {
        try await client.send(method, path, authenticated: false).status
    }

    @Test("KnownProxies empty: X-Forwarded-For is ignored and every client looks local")
    func emptyKnownProxies() async throws {
        try await withEmulator("insecure", modify: { $0.users[1].policy["EnableRemoteAccess"] = false }) { fixture in
            let forged = try fixture.client(credential: nil, headers: [("X-Forwarded-For", "203.0.113.50")])
            // alice has no remote access, but the "remote" caller is seen as 127.0.0.1, so she is listed.
            #expect(try await forged.publicUsers().contains { $0.name == "alice" })
            await forged.shutdown()
        }
    }

    @Test("/System/Endpoint says what Jellyfin thinks the caller is, and a forged header flips it only without a known proxy")
    func endpointInfo() async throws {
        func endpoint(_ fixture: EmulatorFixture, _ forwarded: String?) async throws -> String {
            let client = try fixture.client(headers: forwarded.map { [("X-Forwarded-For", $0)] } ?? [])
            let answer = try JSONParser.parse(try await client.send(.get, "/System/Endpoint").body)
            await client.shutdown()
            return
                "IsLocal \(answer["IsLocal"]?.boolValue.map(String.init) ?? "?"), IsInNetwork \(answer["IsInNetwork"]?.boolValue.map(String.init) ?? "?")"
        }
        try await withEmulator("hardened") { fixture in
            let local = try await endpoint(fixture, nil)
            let lan = try await endpoint(fixture, "192.168.1.20")
            let internet = try await endpoint(fixture, "203.0.113.8")
            #expect(local == "IsLocal true, IsInNetwork true", "this machine")
            #expect(lan == "IsLocal false, IsInNetwork true", "a LAN client behind the proxy")
            #expect(internet == "IsLocal false, IsInNetwork false", "the internet behind the proxy")
            let anonymous = try fixture.client(credential: nil)
            #expect(try await anonymous.send(.get, "/System/Endpoint", authenticated: false).status == 401)
            await anonymous.shutdown()
        }
        try await withEmulator("insecure") { fixture in
            // KnownProxies empty: the forged header is ignored and the proxy's own address is what Jellyfin sees.
            let forged = try await endpoint(fixture, "203.0.113.8")
            #expect(forged == "IsLocal true, IsInNetwork true")
        }
    }

    @Test("before 10.10.7 an empty KnownProxies trusted X-Forwarded-For from anyone")
    func oldTrustAll() async throws {
        try await withEmulator(
            "insecure",
            modify: {
                $0.version = "10.10.6"
                $0.users[1].policy["EnableRemoteAccess"] = false
            }
        ) { fixture in
            let forged = try fixture.client(credential: nil, headers: [("X-Forwarded-For", "203.0.113.50")])
            #expect(try await forged.publicUsers().contains { $0.name == "alice" } == false)
            await forged.shutdown()
        }
    }

    @Test("behind a known proxy, a remote user without remote access is refused on every request, API keys are not")
    func perUserRemoteAccess() async throws {
        try await withEmulator("hardened", modify: { $0.devices = [] }) { fixture in
            // Signed in on the LAN…
            let lanAdmin = try await fixture.client(user: "quill-keeper", headers: [("X-Forwarded-For", "192.168.1.20")])
            #expect(try await lanAdmin.users().count == 2)
            // …the same kind of token from outside is refused (403) on each call.
            let remoteKey = try fixture.client(headers: [("X-Forwarded-For", "203.0.113.8")])
            #expect(try await remoteKey.users().count == 2, "API keys skip the remote check")
            let remoteAnonymous = try fixture.client(credential: nil, headers: [("X-Forwarded-For", "203.0.113.8")])
            #expect(try await remoteAnonymous.publicUsers().isEmpty)
            await remoteKey.shutdown()
            await remoteAnonymous.shutdown()
            await lanAdmin.shutdown()
        }
    }

    @Test("a token used from outside by a user without remote access gets 403")
    func tokenFromOutside() async throws {
        try await withEmulator(
            "hardened",
            modify: {
                $0.devices = []
                $0.users[1].policy["EnableRemoteAccess"] = false
            }
        ) { fixture in
            let lan = try fixture.client(credential: nil)
            let result = try await lan.authenticate(user: "mira", password: Secret("mira-has-a-long-passphrase"))
            let remote = try fixture.client(credential: .apiKey(result.accessToken), headers: [("X-Forwarded-For", "198.51.100.4")])
            #expect(try await remote.send(.get, "/Users/Me").status == 403)
            let local = try fixture.client(credential: .apiKey(result.accessToken))
            #expect(try await local.send(.get, "/Users/Me").status == 200)
            await lan.shutdown()
            await remote.shutdown()
            await local.shutdown()
        }
    }

    @Test("global remote access off: 503 for anonymous endpoints, 401 first for protected ones")
    func globalRemoteOff() async throws {
        try await withEmulator("hardened", modify: { $0.networkConfiguration["EnableRemoteAccess"] = false }) { fixture in
            let remote = try fixture.client(credential: nil, headers: [("X-Forwarded-For", "203.0.113.9")])
            #expect(try await status(remote, "/System/Info/Public") == 503)
            #expect(try await status(remote, "/Users") == 401)
            let lan = try fixture.client(credential: nil, headers: [("X-Forwarded-For", "192.168.1.9")])
            #expect(try await status(lan, "/System/Info/Public") == 200)
            #expect(fixture.emulator.log.events.contains { $0.template.hasPrefix("Blocking request to {Path}") })
            await remote.shutdown()
            await lan.shutdown()
        }
    }

    @Test("RemoteIPFilter as an allow-list and as a block-list")
    func remoteIPFilter() async throws {
        try await withEmulator("hardened", modify: { $0.networkConfiguration["RemoteIPFilter"] = ["198.51.100.0/24"] }) { fixture in
            let allowed = try fixture.client(credential: nil, headers: [("X-Forwarded-For", "198.51.100.77")])
            let other = try fixture.client(credential: nil, headers: [("X-Forwarded-For", "203.0.113.77")])
            #expect(try await status(allowed, "/System/Info/Public") == 200)
            #expect(try await status(other, "/System/Info/Public") == 503)
            await allowed.shutdown()
            await other.shutdown()
        }
        try await withEmulator(
            "hardened",
            modify: {
                $0.networkConfiguration["RemoteIPFilter"] = ["198.51.100.0/24"]
                $0.networkConfiguration["IsRemoteIPFilterBlacklist"] = true
            }
        ) { fixture in
            let blocked = try fixture.client(credential: nil, headers: [("X-Forwarded-For", "198.51.100.77")])
            #expect(try await status(blocked, "/System/Info/Public") == 503)
            await blocked.shutdown()
        }
    }

    @Test("a broad KnownProxies lets a client forge its address through a chain")
    func spoofableProxies() async throws {
        try await withEmulator("spoofable-proxies") { fixture in
            // The proxy appends the real client (203.0.113.5) to a forged LAN hop: with 0.0.0.0/0 trusted, the forged hop wins.
            let forged = try fixture.client(credential: nil, headers: [("X-Forwarded-For", "192.168.1.10, 203.0.113.5")])
            #expect(
                try await forged.publicUsers().map(\.name) == ["guest"], "guest has no remote access but is listed to a forged LAN address")
            let honest = try fixture.client(credential: nil, headers: [("X-Forwarded-For", "203.0.113.5")])
            #expect(try await honest.publicUsers().isEmpty)
            await forged.shutdown()
            await honest.shutdown()
        }
    }

    @Test("KnownProxies takes effect only after a restart")
    func knownProxiesNeedRestart() async throws {
        try await withEmulator(
            "insecure",
            modify: {
                $0.users[1].policy["EnableRemoteAccess"] = false
                $0.networkConfiguration["LocalNetworkSubnets"] = ["192.168.1.0/24"]
            }
        ) { fixture in
            let admin = try fixture.client()
            var network = try await admin.networkConfiguration()
            network.knownProxies = ["127.0.0.1"]
            try await admin.updateNetworkConfiguration(network)
            let remote = try fixture.client(credential: nil, headers: [("X-Forwarded-For", "203.0.113.50")])
            #expect(try await remote.publicUsers().contains { $0.name == "alice" }, "not yet: still the old proxies")
            #expect(try await admin.send(.post, "/System/Restart").status == 204)
            #expect(try await remote.publicUsers().contains { $0.name == "alice" } == false)
            await admin.shutdown()
            await remote.shutdown()
        }
    }

    @Test("POST /System/Restart is open to any LAN address without credentials")
    func restartFromLAN() async throws {
        try await withEmulator("hardened") { fixture in
            let lan = try fixture.client(credential: nil, headers: [("X-Forwarded-For", "192.168.1.50")])
            #expect(try await status(lan, .post, "/System/Restart") == 204)
            let remote = try fixture.client(credential: nil, headers: [("X-Forwarded-For", "203.0.113.50")])
            #expect(try await status(remote, .post, "/System/Restart") == 401)
            #expect(await fixture.server.restartCount == 1)
            await lan.shutdown()
            await remote.shutdown()
        }
    }

    @Test("/Users/Public shows only visible, enabled users")
    func publicUsers() async throws {
        try await withEmulator(
            "insecure",
            modify: {
                $0.users[2].policy["IsDisabled"] = true
                $0.users[0].policy["IsHidden"] = true
            }
        ) { fixture in
            let anonymous = try fixture.client(credential: nil)
            #expect(try await anonymous.publicUsers().map(\.name) == ["alice"])
            await anonymous.shutdown()
        }
    }

    @Test("legacy tokens work on 10.11 and are refused on 12.x")
    func legacyAuthorization() async throws {
        for (scenario, expected) in [("insecure", 200), ("hardened", 401)] {
            try await withEmulator(scenario) { fixture in
                let token = fixture.scenario.apiKeys[0].token
                let legacy = try fixture.client(credential: nil, headers: [("X-Emby-Token", token)])
                #expect(try await legacy.send(.get, "/Users", authenticated: false).status == expected)
                let query = try await legacy.send(.get, "/Users", query: [("api_key", token)], authenticated: false)
                #expect(query.status == expected)
                let current = try await legacy.send(.get, "/Users", query: [("ApiKey", token)], authenticated: false)
                #expect(current.status == 200)
                await legacy.shutdown()
            }
        }
    }
}
