import Foundation
import JellyfinAPI
import JellyfinEmulator
import JellyfortTestSupport
import Testing

/// Every endpoint of the client against the emulator over real loopback HTTP.
@Suite("Client endpoints against the emulator")
struct ClientEndpointTests {
    @Test("system info, public and full")
    func systemInfo() async throws {
        try await withEmulator("insecure") { fixture in
            let client = try fixture.client()
            defer { Task { await client.shutdown() } }
            let info = try await client.publicSystemInfo()
            #expect(info.version == "10.11.11")
            #expect(info.serverName == "jellyfin")
            #expect(info.startupWizardCompleted == true)
            #expect(info.productName == "Jellyfin Server")
            let full = try await client.systemInfo()
            #expect(full.version == "10.11.11")
            #expect(full.logPath != nil)
        }
    }

    @Test("users: list, public list, one, and every policy field the audit reads")
    func users() async throws {
        try await withEmulator("insecure") { fixture in
            let client = try fixture.client()
            let users = try await client.users()
            #expect(users.map(\.name) == ["admin", "alice", "kids"])
            let admin = try #require(users.first)
            #expect(admin.policy.isAdministrator)
            #expect(admin.policy.enableRemoteAccess)
            #expect(admin.policy.loginAttemptsBeforeLockout == -1)
            #expect(admin.hasPassword == true)
            #expect(users[2].hasPassword == false)
            #expect(users[1].policy.enableContentDeletion)
            #expect(JellyfinID.isValid(admin.id))
            let again = try await client.user(id: admin.id)
            #expect(again == admin)
            let anonymous = try await client.publicUsers()
            #expect(anonymous.count == 3)
            await client.shutdown()
        }
    }

    @Test("signing in with a password, /Users/Me, and logging out")
    func passwordSession() async throws {
        try await withEmulator("insecure") { fixture in
            let client = try await fixture.client(user: "alice")
            #expect(client.hasToken)
            let me = try await client.me()
            #expect(me.name == "alice")
            #expect(client.signedInUserId == me.id)
            try await client.logout()
            #expect(!client.hasToken)
            await client.shutdown()
            // An API key has no user.
            let keyClient = try fixture.client()
            await #expect(throws: JellyfinAPIError.needsUserSession(endpoint: "GET /Users/Me")) { try await keyClient.me() }
            await keyClient.shutdown()
        }
    }

    @Test("a policy write sends the whole policy and changes only what was set")
    func updatePolicy() async throws {
        try await withEmulator("insecure") { fixture in
            let client = try fixture.client()
            var alice = try #require(try await client.users().first { $0.name == "alice" })
            var policy = alice.policy
            policy.maxActiveSessions = 1
            policy.loginAttemptsBeforeLockout = 5
            policy.enableContentDeletion = false
            try await client.updatePolicy(userId: alice.id, policy)
            alice = try await client.user(id: alice.id)
            #expect(alice.policy.maxActiveSessions == 1)
            #expect(alice.policy.loginAttemptsBeforeLockout == 5)
            #expect(!alice.policy.enableContentDeletion)
            // Untouched fields keep their values (IsHidden was false in the scenario).
            #expect(!alice.policy.isHidden)
            #expect(alice.policy.enableRemoteControlOfOtherUsers)
            await client.shutdown()
        }
    }

    @Test("rename, create, password change and delete")
    func userWrites() async throws {
        try await withEmulator("insecure") { fixture in
            let client = try fixture.client()
            var admin = try #require(try await client.users().first { $0.name == "admin" })
            admin.name = "quill-keeper"
            try await client.updateUser(admin)
            #expect(try await client.user(id: admin.id).name == "quill-keeper")

            let created = try await client.createUser(name: "bob", password: Secret("bobs-passphrase"))
            #expect(created.name == "bob")
            #expect(created.policy.isHidden)
            #expect(created.policy.loginAttemptsBeforeLockout == -1)
            try await client.setPassword(userId: created.id, current: nil, new: Secret("new-passphrase"))
            let result = try await client.authenticate(user: "bob", password: Secret("new-passphrase"))
            #expect(result.user.id == created.id)
            await #expect(throws: JellyfinAPIError.unauthorized(endpoint: "POST /Users/AuthenticateByName", credentialSent: true)) {
                try await client.authenticate(user: "bob", password: Secret("bobs-passphrase"))
            }
            try await client.deleteUser(id: created.id)
            #expect(try await client.users().contains { $0.name == "bob" } == false)
            await #expect(throws: JellyfinAPIError.self) { try await client.createUser(name: " bad name", password: nil) }
            await client.shutdown()
        }
    }

    @Test("server and network configuration: read, write whole, unknown fields dropped by the server like Jellyfin")
    func configuration() async throws {
        try await withEmulator("insecure") { fixture in
            let client = try fixture.client()
            var configuration = try await client.serverConfiguration()
            #expect(configuration.enableLegacyAuthorization)
            #expect(configuration.corsHosts == ["*"])
            configuration.enableLegacyAuthorization = false
            try await client.updateServerConfiguration(configuration)
            #expect(try await client.serverConfiguration().enableLegacyAuthorization == false)
            #expect(try await client.serverConfiguration().serverName == "jellyfin")

            var network = try await client.networkConfiguration()
            #expect(network.knownProxies.isEmpty)
            network.knownProxies = ["127.0.0.1"]
            network.localNetworkSubnets = ["192.168.1.0/24"]
            try await client.updateNetworkConfiguration(network)
            let stored = try await client.networkConfiguration()
            #expect(stored.knownProxies == ["127.0.0.1"])
            #expect(stored.localNetworkSubnets == ["192.168.1.0/24"])
            #expect(stored.internalHttpPort == 8096)
            let branding = try await client.namedConfiguration("branding")
            #expect(branding["SplashscreenEnabled"] == false)
            await client.shutdown()
        }
    }

    @Test("API keys: list (redacted), create, revoke")
    func apiKeys() async throws {
        try await withEmulator("insecure") { fixture in
            let client = try fixture.client()
            let keys = try await client.apiKeys()
            #expect(keys.map(\.appName) == ["Jellyfort demo", "Homepage dashboard"])
            #expect(keys[1].dateCreated.map { Date().timeIntervalSince($0) > 399 * 86_400 } == true)
            #expect(keys[0].accessToken.redacted == "6a2f…")
            try await client.createAPIKey(app: "Tests")
            let more = try await client.apiKeys()
            #expect(more.count == 3)
            let created = try #require(more.first { $0.appName == "Tests" })
            try await client.revokeAPIKey(created.accessToken)
            #expect(try await client.apiKeys().count == 2)
            await client.shutdown()
        }
    }

    @Test("sessions and devices: list, delete a device")
    func sessionsAndDevices() async throws {
        try await withEmulator("insecure") { fixture in
            let client = try fixture.client()
            let sessions = try await client.sessions()
            #expect(sessions.count == 2)
            #expect(sessions.contains { $0.userName == "admin" && $0.nowPlayingItemName == "Big Buck Bunny" })
            #expect(Set(sessions.compactMap(\.remoteEndPoint)) == ["127.0.0.1"])
            let devices = try await client.devices()
            #expect(devices.count == 3)
            let stale = try #require(devices.first { $0.name == "Old phone" })
            #expect(stale.dateLastActivity.map { Date().timeIntervalSince($0) > 199 * 86_400 } == true)
            try await client.deleteDevice(id: stale.id)
            #expect(try await client.devices().count == 2)
            await client.shutdown()
        }
    }

    @Test("activity log, paged, with real Type strings")
    func activity() async throws {
        try await withEmulator("insecure") { fixture in
            let client = try fixture.client()
            for _ in 0..<3 {
                _ = try? await client.authenticate(user: "alice", password: Secret("wrong"))
            }
            let page = try await client.activityLog(startIndex: 0, limit: 2)
            #expect(page.items.count == 2)
            #expect(page.totalRecordCount == 5)
            #expect(page.items.allSatisfy { $0.type == "AuthenticationFailed" })
            let all = try await client.activitySince(nil, pageSize: 2)
            #expect(all.count == 5)
            #expect(all.last?.type == "VideoPlayback")
            let failures = try await client.activityLog(hasUserId: false)
            #expect(failures.items.allSatisfy { $0.type == "AuthenticationFailed" })
            await client.shutdown()
        }
    }

    @Test("plugins, repositories, Quick Connect, branding")
    func plugins() async throws {
        try await withEmulator("insecure") { fixture in
            let client = try fixture.client()
            #expect(try await client.plugins().map(\.name) == ["Playback Reporting"])
            let repositories = try await client.repositories()
            #expect(repositories.map(\.url) == [RepositoryInfo.officialURL, "http://plugins.example.net/manifest.json"])
            #expect(try await client.quickConnectEnabled())
            #expect(try await client.branding().splashscreenEnabled == false)
            await client.shutdown()
        }
    }

    @Test("startup wizard: open to anyone until completed")
    func startup() async throws {
        try await withEmulator("wizard-open") { fixture in
            let anonymous = try fixture.client(credential: nil)
            #expect(try await anonymous.publicSystemInfo().startupWizardCompleted == false)
            #expect(try await anonymous.startupUser().name == "root")
            #expect(try await anonymous.startupConfiguration().serverName == "jellyfin")
            #expect(try await anonymous.systemInfo(anonymous: true).version == "10.11.10")
            let completion = try await anonymous.send(.post, "/Startup/Complete", authenticated: false)
            #expect(completion.status == 204)
            await #expect(throws: JellyfinAPIError.unauthorized(endpoint: "GET /Startup/User", credentialSent: false)) {
                try await anonymous.startupUser()
            }
            await anonymous.shutdown()
        }
    }

    @Test("log files over the API")
    func logs() async throws {
        let folder = temporaryDirectory("logs")
        defer { try? FileManager.default.removeItem(at: folder) }
        try await withEmulator("insecure", logDirectory: folder) { fixture in
            let client = try fixture.client()
            _ = try? await client.authenticate(user: "mallory", password: Secret("guess"))
            let files = try await client.logFiles()
            let name = try #require(files.first?.name)
            #expect(name.hasPrefix("log_") && name.hasSuffix(".log"))
            let text = try await client.logFile(named: name)
            #expect(text.contains(#"Authentication request for "mallory" has been denied (IP: "127.0.0.1")."#))
            await client.shutdown()
        }
    }

    @Test("the Authorization header is the current MediaBrowser form, percent-encoded, and nothing legacy")
    func authorizationHeader() async throws {
        let recorder = try await ScriptedServer { _ in ScriptedServer.json(#"{"Version":"10.11.11"}"#) }
        var configuration = JellyfinClientConfiguration(
            server: try ServerAddress(recorder.url), credential: .apiKey(Secret("0123456789abcdef0123456789abcdef")))
        configuration.identity = ClientIdentity(device: "Kitchen Pi, \"2\"", deviceId: "dev-1")
        let client = try JellyfinClient(configuration: configuration)
        _ = try await client.send(.get, "/System/Info")
        _ = try await client.publicSystemInfo()
        let sent = recorder.requests
        #expect(sent.count == 2)
        let header = try #require(sent[0].header("Authorization"))
        #expect(header.hasPrefix("MediaBrowser Client=\"Jellyfort\", Device=\"Kitchen%20Pi%2C%20%222%22\", DeviceId=\"dev-1\", Version=\""))
        #expect(header.hasSuffix("Token=\"0123456789abcdef0123456789abcdef\""))
        #expect(sent[0].header("X-Emby-Token") == nil)
        #expect(!sent[0].path.contains("api_key"))
        // The anonymous endpoint gets the identity but no token.
        #expect(sent[1].header("Authorization")?.contains("Token=") == false)
        await client.shutdown()
        await recorder.stop()
    }

    @Test("a policy read from a newer server keeps its unknown fields through the client's write")
    func unknownFieldsOverHTTP() async throws {
        let id = "0123456789abcdef0123456789abcdef"
        let user = """
            {"Name":"zoe","Id":"\(id)","HasPassword":true,"Configuration":{"FutureUI":"dark"},
             "Policy":{"IsAdministrator":false,"IsHidden":false,"IsDisabled":false,"EnableRemoteAccess":true,
             "EnableContentDeletion":false,"LoginAttemptsBeforeLockout":-1,"MaxActiveSessions":0,
             "AuthenticationProviderId":"p","PasswordResetProviderId":"r","EnableHolodeck":true,"NewLimits":{"Max":3}}}
            """
        let server = try await ScriptedServer { request in
            request.method == "GET" ? ScriptedServer.json(user) : .respond(status: 204, headers: [], body: [])
        }
        let client = try JellyfinClient(
            configuration: JellyfinClientConfiguration(server: try ServerAddress(server.url), credential: .apiKey(Secret("k"))))
        var fetched = try await client.user(id: id)
        var policy = fetched.policy
        policy.isHidden = true
        try await client.updatePolicy(userId: id, policy)
        fetched.name = "zoe2"
        try await client.updateUser(fetched)
        let posts = server.requests.filter { $0.method == "POST" }
        #expect(posts.count == 2)
        let postedPolicy = try JSONParser.parse(posts[0].body).objectValue!
        #expect(postedPolicy["EnableHolodeck"] == true)
        #expect(postedPolicy["NewLimits"] == ["Max": 3])
        #expect(postedPolicy["IsHidden"] == true)
        let postedUser = try JSONParser.parse(posts[1].body).objectValue!
        #expect(postedUser["Configuration"] == ["FutureUI": "dark"])
        #expect(postedUser["Name"] == "zoe2")
        #expect(postedUser["Policy"]?.objectValue?["EnableHolodeck"] == true)
        await client.shutdown()
        await server.stop()
    }
}
