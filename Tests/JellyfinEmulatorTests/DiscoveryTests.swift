import Foundation
import JellyfinAPI
import JellyfinEmulator
import JellyfortBase
import JellyfortTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Jellyfin's UDP client discovery, as clients use it (one datagram, one JSON answer).
@Suite("Client discovery on UDP")
struct DiscoveryTests {
    /// Sends `question` to 127.0.0.1:`port` and waits `milliseconds` for an answer, on a thread of
    /// its own: a blocking receive on the concurrency pool could starve the emulator that answers.
    func ask(_ question: String, port: Int, milliseconds: Int32 = 1000) async -> String? {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: Self.blockingAsk(question, port: port, milliseconds: milliseconds)) }
        }
    }

    static func blockingAsk(_ question: String, port: Int, milliseconds: Int32) -> String? {
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: Int(milliseconds / 1000), tv_usec: Int(milliseconds % 1000) * 1000)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bytes = Array(question.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(descriptor, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard sent == bytes.count else { return nil }
        var answer = [UInt8](repeating: 0, count: 4096)
        let got = recv(descriptor, &answer, answer.count, 0)
        return got > 0 ? String(decoding: answer[0..<got], as: UTF8.self) : nil
    }

    @Test("answers 'who is JellyfinServer?' with its address, id and name while AutoDiscovery is on, and is silent when it is off")
    func discovery() async throws {
        try await withEmulator("insecure") { fixture in
            let responder = try await DiscoveryResponder.start(
                host: "127.0.0.1", port: 0, server: fixture.server, address: fixture.emulator.url)
            defer { Task { await responder.stop() } }
            let port = try #require(responder.port)
            let answer = try #require(
                await ask("Who is JellyfinServer?", port: port, milliseconds: 5000), "no answer to the discovery question")
            let json = try JSONParser.parse(answer)
            #expect(json["Address"]?.stringValue == fixture.emulator.url)
            #expect(json["Id"]?.stringValue == fixture.scenario.serverId)
            #expect(json["Name"]?.stringValue == fixture.scenario.serverName)
            #expect(await ask("hello", port: port, milliseconds: 1000) == nil, "anything else gets no answer")
            // AutoDiscovery off (what jellyfort harden and the bundle's settings ask for): silence.
            let client = try fixture.client()
            var network = try await client.networkConfiguration()
            network.json["AutoDiscovery"] = false
            try await client.updateNetworkConfiguration(network)
            await client.shutdown()
            #expect(await ask("who is JellyfinServer?", port: port, milliseconds: 1000) == nil)
        }
    }
}
