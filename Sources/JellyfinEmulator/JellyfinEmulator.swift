import Foundation
import Hummingbird
import JellyfinAPI
import Logging
import NIOCore
import Synchronization

/// Hummingbird's per-request context, plus the TCP peer address that remote-vs-LAN needs.
struct EmulatorRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let peer: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peer = source.channel.remoteAddress
    }

    var maxUploadSize: Int { 16 * 1024 * 1024 }
}

/// A running emulated Jellyfin server on a loopback port: in-process for tests, benchmarks and
/// `jellyfort demo`, or as `jellyfort-emulator`.
public final class JellyfinEmulator: Sendable {
    public let server: EmulatedServer
    public let log: JellyfinLogWriter
    public let host: String
    public let port: Int
    private let task: Task<Void, any Error>

    /// `http://127.0.0.1:PORT`
    public var url: String { "http://\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    private init(server: EmulatedServer, log: JellyfinLogWriter, host: String, port: Int, task: Task<Void, any Error>) {
        self.server = server
        self.log = log
        self.host = host
        self.port = port
        self.task = task
    }

    /// Starts serving `scenario`; port 0 picks a free one. Returns once the socket is listening.
    public static func start(
        scenario: Scenario,
        host: String = "127.0.0.1",
        port: Int = 0,
        logDirectory: URL? = nil,
        console: (@Sendable (String) -> Void)? = nil
    ) async throws -> JellyfinEmulator {
        let log = JellyfinLogWriter(directory: logDirectory, console: console)
        let server = EmulatedServer(scenario: scenario, log: log)
        let responder = CallbackResponder<EmulatorRequestContext> { request, context in
            try await Self.respond(to: request, context: context, server: server)
        }
        var logger = Logger(label: "jellyfort-emulator")
        logger.logLevel = .critical
        let bound = BoundPort()
        let app = Application(
            responder: responder,
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in bound.resume(with: .success(channel.localAddress?.port ?? 0)) },
            logger: logger
        )
        let task = Task {
            do {
                try await app.run()
            } catch {
                bound.resume(with: .failure(error))
                throw error
            }
            bound.resume(with: .failure(CancellationError()))
        }
        let actualPort: Int
        do {
            actualPort = try await bound.value()
        } catch {
            task.cancel()
            throw EmulatorError.cannotListen(host: host, port: port, reason: "\(error)")
        }
        return JellyfinEmulator(server: server, log: log, host: host, port: actualPort, task: task)
    }

    /// Stops listening and waits until the server has shut down.
    public func stop() async {
        task.cancel()
        _ = try? await task.value
    }

    private static func respond(to request: Request, context: EmulatorRequestContext, server: EmulatedServer) async throws -> Response {
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: context.maxUploadSize)
        } catch {
            return Response(status: .contentTooLarge)
        }
        let peerAddress = context.peer?.ipAddress.flatMap { IPAddress($0) } ?? IPAddress.loopback
        let query = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
        let emulatorRequest = EmulatorRequest(
            method: request.method.rawValue, path: request.uri.path, query: query,
            headers: request.headers.map { ($0.name.rawName, $0.value) }, body: Array(body.readableBytesView),
            connectionAddress: peerAddress)
        let reply = await server.handle(emulatorRequest)
        var headers = HTTPFields()
        if let contentType = reply.contentType { headers[.contentType] = contentType }
        headers[.server] = "Kestrel"
        return Response(
            status: .init(code: reply.status),
            headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: request.method == .head ? [] : reply.body)))
    }
}

public enum EmulatorError: Error, CustomStringConvertible {
    case cannotListen(host: String, port: Int, reason: String)

    public var description: String {
        switch self {
        case .cannotListen(let host, let port, let reason):
            "cannot listen on \(host):\(port) (\(reason)); pick another --port, or 0 for any free one"
        }
    }
}

/// Hands the listening port (or the start-up failure) from the server task to `start`, once.
private final class BoundPort: Sendable {
    private let state = Mutex<(result: Result<Int, any Error>?, waiter: CheckedContinuation<Int, any Error>?)>((nil, nil))

    func resume(with result: Result<Int, any Error>) {
        let waiter: CheckedContinuation<Int, any Error>? = state.withLock { state in
            guard state.result == nil else { return nil }
            state.result = result
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(with: result)
    }

    func value() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let ready: Result<Int, any Error>? = state.withLock { state in
                if let result = state.result { return result }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}
