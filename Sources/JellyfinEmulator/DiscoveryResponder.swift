import Foundation
import JellyfortBase
import NIOCore
import NIOPosix

/// Jellyfin's client discovery on UDP (7359 on a real server): a datagram holding
/// `who is JellyfinServer?` (any case) gets a JSON answer naming the server and its address,
/// while `AutoDiscovery` is on in the network settings. It answers whoever asks: that is why a
/// server reachable from the internet must not let this port through.
public final class DiscoveryResponder: Sendable {
    let channel: any Channel

    public static let question = "who is jellyfinserver?"

    /// Starts answering on `host:port` (0 picks a free port) for `server`, announcing `address`.
    public static func start(host: String, port: Int, server: EmulatedServer, address: String) async throws -> DiscoveryResponder {
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(DiscoveryHandler(server: server, address: address))
                }
            }
            .bind(host: host, port: port).get()
        return DiscoveryResponder(channel: channel)
    }

    init(channel: any Channel) { self.channel = channel }

    public var port: Int? { channel.localAddress?.port }

    public func stop() async { try? await channel.close() }
}

final class DiscoveryHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>
    let server: EmulatedServer
    let address: String

    init(server: EmulatedServer, address: String) {
        self.server = server
        self.address = address
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        // Questions are short; anything long is not one.
        guard envelope.data.readableBytes <= 512 else { return }
        let text = String(buffer: envelope.data).lowercased()
        guard text.contains(DiscoveryResponder.question) else { return }
        let channel = context.channel
        let server = server
        let address = address
        let remote = envelope.remoteAddress
        Task {
            guard let answer = await server.discoveryAnswer(address: address) else { return }
            let reply = AddressedEnvelope(remoteAddress: remote, data: ByteBuffer(bytes: JSONWriter.bytes(answer)))
            try? await channel.writeAndFlush(reply)
        }
    }
}

extension EmulatedServer {
    /// `ServerDiscoveryInfo` when AutoDiscovery is on, nothing when it is off.
    public func discoveryAnswer(address: String) -> JSONValue? {
        guard networkConfiguration["AutoDiscovery"]?.boolValue ?? true else { return nil }
        return [
            "Address": .string(address), "Id": .string(serverId), "Name": serverConfiguration["ServerName"] ?? "",
            "EndpointAddress": .null,
        ]
    }
}
