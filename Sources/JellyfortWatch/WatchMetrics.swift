import Foundation
import JellyfortBase
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus

/// What watch counts, in Prometheus' text format: lines read, deny lines by kind, bans by
/// backend, spared addresses, parse errors, and how far behind the log it is.
public final class WatchMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    let linesRead: Counter
    let overlong: Counter
    let skipped: Counter
    let bansIssued: Counter
    let bansActive: Gauge
    let alerts: Counter
    let secondsBehind: Gauge
    let denyByKind: [JellyfinAuthLine.DenyKind: Counter]

    public init(backend: String) {
        func named(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: "jellyfort", subsystem: "watch", metricName: metric, unitName: unit, helpText: help)
        }
        linesRead = registry.makeCounter(descriptor: named("lines_read", "total", "Log lines read"))
        overlong = registry.makeCounter(descriptor: named("parse_errors", "total", "Lines skipped because they were longer than 64 KiB"))
        skipped = registry.makeCounter(
            descriptor: named("skipped_addresses", "total", "Addresses that reached the limit but are never banned"))
        bansIssued = registry.makeCounter(descriptor: named("bans_issued", "total", "Bans issued"), labels: [("backend", backend)])
        bansActive = registry.makeGauge(descriptor: named("bans", "active", "Bans in force"), labels: [("backend", backend)])
        alerts = registry.makeCounter(descriptor: named("alerts", "total", "Alerts raised"))
        secondsBehind = registry.makeGauge(descriptor: named("behind_log", "seconds", "Age of the last sign-in line read"))
        var kinds: [JellyfinAuthLine.DenyKind: Counter] = [:]
        for kind in JellyfinAuthLine.DenyKind.allCases {
            kinds[kind] = registry.makeCounter(
                descriptor: named("deny_lines", "total", "Refused sign-ins read, by message"), labels: [("kind", kind.rawValue)])
        }
        denyByKind = kinds
    }

    func record(_ counts: ReadCounts) {
        if counts.lines > 0 { linesRead.increment(by: Int64(counts.lines)) }
        if counts.overlong > 0 { overlong.increment(by: Int64(counts.overlong)) }
        for (kind, count) in counts.denyLines { denyByKind[kind]?.increment(by: Int64(count)) }
    }

    func record(_ decision: WatchDecision) {
        switch decision.action {
        case .ban: bansIssued.increment()
        case .unban: break
        case .alert:
            alerts.increment()
            if decision.reason.contains("not banned") { skipped.increment() }
        }
    }

    public var text: String { registry.emitToString() }
}

/// `--metrics-listen HOST:PORT`: answers `GET /metrics` (and only that) with the registry's text.
public final class MetricsEndpoint: Sendable {
    let channel: any Channel

    public static func start(host: String, port: Int, metrics: WatchMetrics) async throws -> MetricsEndpoint {
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 16)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(MetricsHandler(metrics: metrics))
                }
            }
        let channel = try await bootstrap.bind(host: host, port: port).get()
        return MetricsEndpoint(channel: channel)
    }

    init(channel: any Channel) { self.channel = channel }

    public var port: Int? { channel.localAddress?.port }

    public func stop() async { try? await channel.close() }
}

final class MetricsHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    let metrics: WatchMetrics

    init(metrics: WatchMetrics) { self.metrics = metrics }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let head) = unwrapInboundIn(data) else { return }
        let found = head.method == .GET && (head.uri == "/metrics" || head.uri.hasPrefix("/metrics?"))
        let body = found ? metrics.text : "not found: ask for /metrics\n"
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: found ? "text/plain; version=0.0.4" : "text/plain")
        headers.add(name: "Content-Length", value: String(body.utf8.count))
        headers.add(name: "Connection", value: "close")
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: found ? .ok : .notFound, headers: headers))), promise: nil
        )
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}
