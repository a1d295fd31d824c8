import Foundation
import JellyfinAPI
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOTLS

/// One connection the probe makes by hand, because it has to choose what a normal HTTP client
/// hides: which address to dial whatever the name resolves to, whether and what SNI to send,
/// which TLS versions to offer, and what `Host:` to claim.
struct WireRequest: Sendable {
    var address: String
    var port: Int
    /// nil: plain TCP.
    var tls: TLSOffer?
    /// nil: stop after the handshake (or the connection, without TLS).
    var http: HTTPAsk?
    var timeout: Duration = .seconds(4)

    struct TLSOffer: Sendable {
        /// The SNI sent; nil sends none (what an IP scanner does).
        var serverName: String?
        var minimum: TLSVersion = .tlsv12
        var maximum: TLSVersion? = nil
        /// Verify the chain for this name against the system's roots and `extraRoots`; nil accepts anything.
        var verifyFor: String?
        var extraRoots: [NIOSSLCertificate] = []
    }

    struct HTTPAsk: Sendable {
        var method: NIOHTTP1.HTTPMethod = .GET
        var path: String
        var host: String
        var headers: [(String, String)] = []
    }
}

/// What came back: as much as the connection got to before it ended.
struct WireOutcome: Sendable {
    enum Failure: Sendable, Equatable {
        /// Connection refused (a RST): the port is closed.
        case refused
        /// Nothing answered in time (dropped packets, or a server that stalls).
        case timedOut(stage: String)
        case unreachable(String)
        /// The TLS handshake failed for a reason other than the certificate.
        case handshake(String)
        /// The certificate did not verify for the name.
        case untrusted(String)
        /// Closed without an answer, or an answer HTTP cannot read.
        case closed(String)
    }

    var connected = false
    var tlsVersion: TLSVersion?
    var certificate: CertificateSummary?
    var status: Int?
    var headers: [(String, String)] = []
    var body: [UInt8] = []
    var failure: Failure?

    func header(_ name: String) -> String? { headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1 }

    /// "HTTP 308 → https://…", "TLS 1.3, no HTTP answer", "refused", …: what came back, in a few words.
    var said: String {
        switch failure {
        case .refused?: return "connection refused"
        case .timedOut(let stage)?: return "no answer \(stage)"
        case .unreachable(let reason)?: return "unreachable (\(reason))"
        case .handshake(let reason)?: return "TLS handshake refused (\(reason))"
        case .untrusted(let reason)?: return "certificate not trusted (\(reason))"
        case .closed(let reason)?: return status.map { "HTTP \($0), then \(reason)" } ?? reason
        case nil:
            var parts: [String] = []
            if let tlsVersion { parts.append(tlsVersion.words) }
            if let status {
                parts.append("HTTP \(status)" + (header("Location").map { " → \(String($0.prefix(120)))" } ?? ""))
            } else if connected {
                parts.append("connected")
            }
            return parts.joined(separator: ", ")
        }
    }
}

/// The names and dates of the certificate a server presented: what the probe judges, never the key.
public struct CertificateSummary: Sendable, Equatable {
    public var dnsNames: [String]
    public var notAfter: Date

    init(_ certificate: NIOSSLCertificate) {
        dnsNames = certificate._subjectAlternativeNames().compactMap { name in
            guard name.nameType == .dnsName else { return nil }
            return String(decoding: Array(name.contents), as: UTF8.self).lowercased()
        }
        notAfter = Date(timeIntervalSince1970: TimeInterval(certificate.notValidAfter))
    }

    /// Whether the certificate covers `name`, wildcards included (one label, as browsers match).
    public func covers(_ name: String) -> Bool {
        let name = name.lowercased()
        return dnsNames.contains { pattern in
            if pattern == name { return true }
            guard pattern.hasPrefix("*."), let dot = name.firstIndex(of: ".") else { return false }
            return name[dot...] == pattern.dropFirst()
        }
    }
}

extension TLSVersion {
    var words: String {
        switch self {
        case .tlsv1: "TLS 1.0"
        case .tlsv11: "TLS 1.1"
        case .tlsv12: "TLS 1.2"
        case .tlsv13: "TLS 1.3"
        }
    }
}

/// Dials, shakes hands and asks, each step under the one time limit of the request; reads at
/// most `bodyLimit` bytes of an answer.
enum Wire {
    static let bodyLimit = 256 * 1024

    static func exchange(_ request: WireRequest) async -> WireOutcome {
        let group = MultiThreadedEventLoopGroup.singleton
        let promise = group.next().makePromise(of: WireOutcome.self)
        let context: NIOSSLContext?
        if let offer = request.tls {
            do {
                context = try NIOSSLContext(configuration: offer.configuration)
            } catch {
                return WireOutcome(failure: .handshake("cannot set up TLS: \(error)"))
            }
        } else {
            context = nil
        }
        // One deadline for the whole exchange: the connection, the handshake and the answer.
        let deadline = NIODeadline.now() + .init(request.timeout)
        let serverName = request.tls?.serverName
        let ask = request.http
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.init(request.timeout))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if let context {
                        try sync.addHandler(NIOSSLClientHandler(context: context, serverHostname: serverName))
                    }
                    try sync.addHTTPClientHandlers()
                    try sync.addHandler(WireHandler(promise: promise, ask: ask, waitsForTLS: context != nil))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: request.address, port: request.port).get()
        } catch {
            promise.succeed(WireOutcome())
            return WireOutcome(failure: connectFailure(error))
        }
        let timer = channel.eventLoop.scheduleTask(deadline: deadline) {
            channel.pipeline.fireUserInboundEventTriggered(WireHandler.Deadline())
        }
        let outcome = (try? await promise.futureResult.get()) ?? WireOutcome(failure: .closed("no answer"))
        timer.cancel()
        // Not awaited: a TLS close waits for the peer's close_notify, which a hostile server never sends.
        channel.close(promise: nil)
        return outcome
    }

    /// A bare TCP connection: open, refused or dropped.
    static func connect(address: String, port: Int, timeout: Duration) async -> WireOutcome {
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.init(timeout))
                .connect(host: address, port: port).get()
            try? await channel.close()
            return WireOutcome(connected: true)
        } catch {
            return WireOutcome(failure: connectFailure(error))
        }
    }

    /// Sends one datagram and waits `timeout` for any answer; the answer's first bytes, or nil.
    static func datagram(address: String, port: Int, payload: [UInt8], timeout: Duration) async -> [UInt8]? {
        let group = MultiThreadedEventLoopGroup.singleton
        let promise = group.next().makePromise(of: [UInt8]?.self)
        do {
            let remote = try SocketAddress(ipAddress: address, port: port)
            let local = remote.protocol == .inet6 ? "::" : "0.0.0.0"
            let channel = try await DatagramBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(DatagramCatcher(promise: promise))
                    }
                }
                .bind(host: local, port: 0).get()
            let timer = channel.eventLoop.scheduleTask(in: .init(timeout)) { promise.succeed(nil) }
            try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: remote, data: ByteBuffer(bytes: payload)))
            let answer = try await promise.futureResult.get()
            timer.cancel()
            try? await channel.close()
            return answer
        } catch {
            promise.succeed(nil)
            return nil
        }
    }

    static func connectFailure(_ error: any Error) -> WireOutcome.Failure {
        if let error = error as? NIOConnectionError {
            if let first = error.connectionErrors.first?.error { return connectFailure(first) }
            if error.dnsAAAAError != nil || error.dnsAError != nil { return .unreachable("the name does not resolve") }
            return .timedOut(stage: "to the connection")
        }
        if case ChannelError.connectTimeout = error { return .timedOut(stage: "to the connection (packets dropped?)") }
        if let error = error as? IOError {
            switch error.errnoCode {
            case ECONNREFUSED: return .refused
            case ETIMEDOUT: return .timedOut(stage: "to the connection (packets dropped?)")
            case EHOSTUNREACH, ENETUNREACH: return .unreachable(String(cString: strerror(error.errnoCode)))
            default: return .unreachable(String(cString: strerror(error.errnoCode)))
            }
        }
        return .unreachable("\(error)")
    }
}

extension WireRequest.TLSOffer {
    var configuration: TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = minimum
        configuration.maximumTLSVersion = maximum
        if minimum == .tlsv1 || minimum == .tlsv11 {
            // Old protocols need the old CBC suites: offer what a 2015 client would.
            configuration.cipherSuites = "ALL"
        }
        if verifyFor == nil {
            configuration.certificateVerification = .none
        } else {
            configuration.certificateVerification = .fullVerification
            if !extraRoots.isEmpty { configuration.additionalTrustRoots = [.certificates(extraRoots)] }
        }
        configuration.applicationProtocols = ["http/1.1"]
        return configuration
    }
}

/// Collects one answer on the event loop and hands it over once, whichever way the connection ends.
private final class WireHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    struct Deadline {}

    let promise: EventLoopPromise<WireOutcome>
    let ask: WireRequest.HTTPAsk?
    let waitsForTLS: Bool
    var outcome = WireOutcome(connected: true)
    var done = false
    var handshaken = false

    init(promise: EventLoopPromise<WireOutcome>, ask: WireRequest.HTTPAsk?, waitsForTLS: Bool) {
        self.promise = promise
        self.ask = ask
        self.waitsForTLS = waitsForTLS
    }

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        if !waitsForTLS { send(context) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is Deadline {
            let stage = !waitsForTLS || handshaken ? "after the request" : "to the TLS handshake"
            finish(context, failure: outcome.status == nil ? .timedOut(stage: stage) : .closed("the answer stalled"))
            return
        }
        if let tlsEvent = event as? TLSUserEvent, case .handshakeCompleted = tlsEvent {
            handshaken = true
            if let handler = try? context.pipeline.syncOperations.handler(type: NIOSSLHandler.self) {
                outcome.tlsVersion = handler.tlsVersion
                outcome.certificate = handler.peerCertificate.map(CertificateSummary.init)
            }
            send(context)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func send(_ context: ChannelHandlerContext) {
        guard let ask else {
            finish(context, failure: nil)
            return
        }
        var headers = HTTPHeaders([
            ("Host", ask.host), ("User-Agent", "Jellyfort-probe/\(JellyfortVersion.current)"), ("Accept", "*/*"), ("Connection", "close"),
        ])
        for (name, value) in ask.headers { headers.add(name: name, value: value) }
        let head = HTTPRequestHead(version: .http1_1, method: ask.method, uri: ask.path, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            outcome.status = Int(head.status.code)
            outcome.headers = head.headers.map { ($0.name, $0.value) }
        case .body(let buffer):
            let room = Wire.bodyLimit - outcome.body.count
            outcome.body += buffer.readableBytesView.prefix(max(room, 0))
            if room <= buffer.readableBytes { finish(context, failure: nil) }
        case .end:
            finish(context, failure: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(context, failure: Self.failure(error, handshaken: handshaken || !waitsForTLS))
    }

    func channelInactive(context: ChannelHandlerContext) {
        let expected = ask != nil && outcome.status == nil
        finish(
            context,
            failure: expected ? .closed(handshaken || !waitsForTLS ? "closed without an answer" : "closed during the TLS handshake") : nil)
        context.fireChannelInactive()
    }

    func finish(_ context: ChannelHandlerContext, failure: WireOutcome.Failure?) {
        guard !done else { return }
        done = true
        if outcome.failure == nil { outcome.failure = failure }
        promise.succeed(outcome)
        context.close(promise: nil)
    }

    static func failure(_ error: any Error, handshaken: Bool) -> WireOutcome.Failure {
        if let error = error as? NIOSSLError {
            let text = "\(error)"
            if text.contains("CERTIFICATE_VERIFY_FAILED") || text.contains("certificate verify failed") {
                return .untrusted("the chain does not verify")
            }
            if case .uncleanShutdown = error { return .closed(handshaken ? "closed without an answer" : "closed during the TLS handshake") }
            return .handshake(Self.short(text))
        }
        if let error = error as? NIOSSLExtraError { return .untrusted(Self.short("\(error)")) }
        if error is HTTPParserError { return .closed("an answer that is not HTTP") }
        if let error = error as? IOError, error.errnoCode == ECONNRESET {
            return .closed(handshaken ? "reset without an answer" : "reset during the TLS handshake")
        }
        return .closed(Self.short("\(error)"))
    }

    /// BoringSSL's errors are long lists; the first reason is the one that says what happened.
    static func short(_ text: String) -> String {
        if let range = text.range(of: #":[A-Z_]{6,}:"#, options: .regularExpression) {
            return String(text[range].dropFirst().dropLast()).lowercased().replacingOccurrences(of: "_", with: " ")
        }
        return String(text.prefix(120))
    }
}

private final class DatagramCatcher: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    let promise: EventLoopPromise<[UInt8]?>
    init(promise: EventLoopPromise<[UInt8]?>) { self.promise = promise }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        promise.succeed(Array(envelope.data.readableBytesView.prefix(512)))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP port unreachable and the like: nothing answered.
        promise.succeed(nil)
    }
}
