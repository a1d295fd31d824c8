import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A tiny HTTP server that answers however a test scripts it: garbage, huge bodies, redirects,
/// silence. It records every request so a test can check what the client really sent.
public final class ScriptedServer: Sendable {
    public struct Recorded: Sendable {
        public var method: String
        public var path: String
        public var headers: [(String, String)]
        public var body: [UInt8]
        public func header(_ name: String) -> String? {
            headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
        }
    }

    public enum Answer: Sendable {
        case respond(status: Int, headers: [(String, String)], body: [UInt8])
        /// Never answers (until the test ends).
        case hang
    }

    public let port: Int
    private let task: Task<Void, any Error>
    private let log = RequestLog()

    private final class RequestLog: Sendable {
        let items = Mutex<[Recorded]>([])
        func append(_ item: Recorded) { items.withLock { $0.append(item) } }
        var all: [Recorded] { items.withLock { $0 } }
    }

    public var url: String { "http://127.0.0.1:\(port)" }
    public var requests: [Recorded] { log.all }

    public init(_ script: @escaping @Sendable (Recorded) -> Answer) async throws {
        let log = self.log
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            let body = try await request.body.collect(upTo: 64 * 1024 * 1024)
            let recorded = Recorded(
                method: request.method.rawValue, path: request.uri.path,
                headers: request.headers.map { ($0.name.rawName, $0.value) }, body: Array(body.readableBytesView))
            log.append(recorded)
            switch script(recorded) {
            case .hang:
                try await Task.sleep(for: .seconds(3600))
                return Response(status: .ok)
            case .respond(let status, let headers, let bytes):
                var fields = HTTPFields()
                for (name, value) in headers {
                    if let field = HTTPField.Name(name) { fields[field] = value }
                }
                return Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
            }
        }
        var logger = Logger(label: "scripted")
        logger.logLevel = .critical
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            responder: responder, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: logger)
        task = Task { try await app.run() }
        var iterator = stream.makeAsyncIterator()
        port = await iterator.next() ?? 0
    }

    public func stop() async {
        task.cancel()
        _ = try? await task.value
    }

    public static func json(_ text: String, status: Int = 200) -> Answer {
        .respond(status: status, headers: [("Content-Type", "application/json")], body: Array(text.utf8))
    }
}
