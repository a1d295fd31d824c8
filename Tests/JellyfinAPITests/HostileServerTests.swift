import Foundation
import JellyfinAPI
import JellyfortTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A deliberately hostile server: it redirects a sign-in elsewhere, sends two values for one
/// field, trickles its answer, loops. No secret may leave, no garbage may pass.
@Suite("Hostile server")
struct HostileServerTests {
    func client(_ url: String, credential: Credential?, configure: (inout JellyfinClientConfiguration) -> Void = { _ in }) throws
        -> JellyfinClient
    {
        var configuration = JellyfinClientConfiguration(server: try ServerAddress(url), credential: credential)
        configure(&configuration)
        return try JellyfinClient(configuration: configuration)
    }

    @Test(
        "a sign-in redirected to another host sends the password nowhere else and fails naming both addresses", arguments: [302, 307, 308])
    func signInRedirect(_ status: Int) async throws {
        let thief = try await ScriptedServer { _ in ScriptedServer.json(#"{"AccessToken":"x","User":{"Id":"1","Name":"a","Policy":{}}}"#) }
        let origin = try await ScriptedServer { _ in
            .respond(status: status, headers: [("Location", "\(thief.url)/Users/AuthenticateByName")], body: [])
        }
        let client = try client(origin.url, credential: .password(user: "admin", password: Secret("hunter2-secret")))
        do {
            try await client.signIn()
            Issue.record("a redirected sign-in succeeded")
        } catch {
            guard case .redirectedElsewhere(_, let from, let to) = error else {
                Issue.record("got \(error)")
                return
            }
            #expect(from == (try ServerAddress(origin.url)).origin)
            #expect(to == (try ServerAddress(thief.url)).origin)
            #expect(error.description.contains(from) && error.description.contains(to))
            #expect(!error.description.contains("hunter2"))
        }
        #expect(thief.requests.isEmpty, "the other host received \(thief.requests.count) requests")
        await client.shutdown()
        await origin.stop()
        await thief.stop()
    }

    @Test("a redirect down to plain HTTP on the same host is another origin: refused")
    func downgrade() throws {
        let down = try JellyfinClient.redirectTarget("http://127.0.0.1:443/x", from: "https://127.0.0.1:443/y", endpoint: "GET /y")
        #expect(down.origin != (try ServerAddress("https://127.0.0.1:443")).origin)
        let same = try JellyfinClient.redirectTarget("/web/", from: "https://127.0.0.1:8920/web", endpoint: "GET /web")
        #expect(same.origin == "https://127.0.0.1:8920")
    }

    @Test("a password in --server is refused and never echoed")
    func credentialsInURL() {
        do {
            _ = try ServerAddress("http://admin:hunter2-secret@127.0.0.1:8096")
            Issue.record("accepted")
        } catch {
            #expect(!error.description.contains("hunter2"))
            #expect(error.description.contains("--password-file"))
        }
    }

    @Test(
        "ports that do not fit in 16 bits are refused, in --server and in a Location",
        arguments: ["http://127.0.0.1:99999", "http://127.0.0.1:65536", "http://[::1]:70000", "http://h:0", "http://h:-1", "http://h:8o96"])
    func ports(_ url: String) throws {
        #expect(throws: JellyfinAPIError.self) { _ = try ServerAddress(url) }
        #expect(throws: JellyfinAPIError.self) {
            _ = try JellyfinClient.redirectTarget(url + "/x", from: "http://127.0.0.1:8096/y", endpoint: "GET /y")
        }
    }

    @Test("only literal loopback and localhost itself may get credentials over plain HTTP")
    func loopback() throws {
        #expect(try ServerAddress("http://localhost:8096").isLoopback)
        #expect(try ServerAddress("http://127.0.0.9:8096").isLoopback)
        #expect(try ServerAddress("http://[::1]:8096").isLoopback)
        #expect(try !ServerAddress("http://evil.localhost:8096").isLoopback)
        #expect(try !ServerAddress("http://127.0.0.1.nip.io:8096").isLoopback)
        #expect(throws: JellyfinAPIError.insecureTransport(host: "jf.localhost")) {
            try self.client("http://jf.localhost:8096", credential: .apiKey(Secret("k")))
        }
    }

    @Test("a redirect loop is reported as one")
    func loop() async throws {
        let server = try await ScriptedServer { request in
            .respond(status: 302, headers: [("Location", request.path == "/a" ? "/b" : "/a")], body: [])
        }
        let client = try client(server.url, credential: nil)
        await #expect(throws: JellyfinAPIError.redirectLoop(endpoint: "GET /a", hops: 5)) {
            _ = try await client.send(.get, "/a", authenticated: false)
        }
        await client.shutdown()
        await server.stop()
    }

    @Test("an object with a field twice is refused, not read last-wins")
    func duplicateKeys() async throws {
        let server = try await ScriptedServer { _ in
            ScriptedServer.json(
                #"[{"Id":"1","Name":"a","Policy":{"IsAdministrator":true,"EnableRemoteAccess":true,"EnableRemoteAccess":false}}]"#)
        }
        let client = try client(server.url, credential: .apiKey(Secret("k")))
        do {
            _ = try await client.users()
            Issue.record("accepted a duplicate field")
        } catch {
            guard case .malformedResponse(_, let detail) = error else {
                Issue.record("got \(error)")
                return
            }
            #expect(detail.contains("EnableRemoteAccess") && detail.contains("twice"))
        }
        await client.shutdown()
        await server.stop()
    }

    @Test("an answer trickling in a byte at a time ends at the request deadline")
    func trickle() async throws {
        let server = try TrickleServer(bytesPerSecond: 4, contentLength: 10_000)
        defer { server.stop() }
        let client = try client("http://127.0.0.1:\(server.port)", credential: nil) { $0.requestTimeout = .seconds(2) }
        let started = ContinuousClock.now
        do {
            _ = try await client.publicSystemInfo()
            Issue.record("a trickling answer was accepted")
        } catch {
            guard case .deadlineExceeded = error else {
                Issue.record("got \(error)")
                return
            }
        }
        let elapsed = ContinuousClock.now - started
        #expect(elapsed < .seconds(6), "took \(elapsed)")
        await client.shutdown()
    }

    @Test("a FIFO as the key file is refused at once")
    func fifo() throws {
        let folder = temporaryDirectory("fifo")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("key").path
        #expect(mkfifo(path, 0o600) == 0)
        #expect(throws: CredentialError.self) { try Credential.readSecretFile(path, what: "API key") }
    }
}

/// Sends a valid header, then its body a few bytes a second: never silent for long, never done.
final class TrickleServer: @unchecked Sendable {
    let port: Int
    private let socketDescriptor: Int32
    private let stopped = NSLock()
    private var isStopped = false

    init(bytesPerSecond: Int, contentLength: Int) throws {
        let (listener, boundPort) = boundLoopbackSocket()
        listen(listener, 4)
        port = boundPort
        socketDescriptor = listener
        Thread.detachNewThread { [self] in
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            var request = [UInt8](repeating: 0, count: 4096)
            _ = read(connection, &request, request.count)
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(contentLength)\r\n\r\n"
            _ = head.withCString { write(connection, $0, strlen($0)) }
            var sent = 0
            while sent < contentLength, !self.done {
                var byte: UInt8 = 0x20
                _ = write(connection, &byte, 1)
                sent += 1
                usleep(UInt32(1_000_000 / bytesPerSecond))
            }
            close(connection)
        }
    }

    private var done: Bool {
        stopped.lock()
        defer { stopped.unlock() }
        return isStopped
    }

    func stop() {
        stopped.lock()
        isStopped = true
        stopped.unlock()
        shutdown(socketDescriptor, Int32(SHUT_RDWR))
        close(socketDescriptor)
    }
}
