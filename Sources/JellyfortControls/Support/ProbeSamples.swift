import Foundation
import JellyfortBase
import JellyfortCore

extension Sample {
    static let probedName = "reels-7f3k.example.org"

    static func exchange(_ sent: String, _ got: String, accepted: Bool = true, status: Int? = nil) -> ProbeView.Exchange {
        .init(sent: sent, got: got, accepted: accepted, status: status)
    }

    /// What a probe from the internet sees of the bundle `jellyfort deploy` writes.
    static func probe(_ change: (inout ProbeView) -> Void = { _ in }) -> ProbeView {
        var view = ProbeView(name: probedName, addresses: ["203.0.113.10"])
        view.operations = 21
        let main = exchange("HTTPS GET /web/", "TLS 1.3, HTTP 200", status: 200)
        view.https = .init(
            exchange: main, version: "TLS 1.3", verified: true, certificateNames: ["*.example.org"],
            notAfter: now.addingTimeInterval(60 * 86400))
        view.oldProtocols = [
            exchange(
                "a TLS handshake offering only TLS 1.0 to 203.0.113.10:443", "TLS handshake refused (unsupported protocol)", accepted: false
            ),
            exchange(
                "a TLS handshake offering only TLS 1.1 to 203.0.113.10:443", "TLS handshake refused (unsupported protocol)", accepted: false
            ),
        ]
        view.plainHTTP = .init(
            sent: "HTTP GET /", got: "HTTP 308 → https://\(probedName)/", accepted: true, status: 308, location: "https://\(probedName)/")
        view.answers = [
            .init(
                exchange: main,
                headers: [
                    "strict-transport-security": "max-age=31536000; includeSubDomains", "x-content-type-options": "nosniff",
                    "referrer-policy": "no-referrer", "x-frame-options": "SAMEORIGIN", "content-type": "text/html",
                ])
        ]
        view.directPorts =
            [8096, 8920].map { .init(address: "203.0.113.10", port: $0, transport: .tcp, open: false, got: "no answer") }
            + [7359, 1900].map { .init(address: "203.0.113.10", port: $0, transport: .udp, open: false, got: "no answer") }
        view.strangers = [
            .init(
                exchange: exchange("bare IP, no SNI", "closed during the TLS handshake", accepted: false), reachedJellyfin: false,
                certificateNames: []),
            .init(
                exchange: exchange("unknown name", "TLS handshake refused (tlsv1 alert internal error)", accepted: false),
                reachedJellyfin: false, certificateNames: []),
        ]
        view.clientAddress = .init(
            method: .endpoint,
            plain: .init(
                exchange: exchange("GET /System/Endpoint", "HTTP 200 IsInNetwork:false", status: 200), forgedAddress: nil,
                isInNetwork: false, isLocal: false),
            forged: ["127.0.0.1", "192.168.1.10"].map {
                .init(
                    exchange: exchange("GET /System/Endpoint with X-Forwarded-For: \($0)", "HTTP 200 IsInNetwork:false", status: 200),
                    forgedAddress: $0, isInNetwork: false, isLocal: false)
            })
        view.exposure = [
            .init(kind: .wizard, exchange: exchange("GET /Startup/Configuration", "HTTP 403", status: 403), exposed: false),
            .init(kind: .metrics, exchange: exchange("GET /metrics", "HTTP 404", status: 404), exposed: false),
            .init(kind: .quickConnect, exchange: exchange("GET /QuickConnect/Enabled", "HTTP 200", status: 200), exposed: false),
        ]
        view.signIns = [
            .init(name: "jf-probe-1a2b", exists: false, exchange: exchange("POST /Users/AuthenticateByName", "HTTP 401", status: 401)),
            .init(name: "quill-keeper", exists: true, exchange: exchange("POST /Users/AuthenticateByName", "HTTP 401", status: 401)),
        ]
        change(&view)
        return view
    }

    /// Evidence with only a probe (and what was declared).
    static func probed(_ change: (inout ProbeView) -> Void = { _ in }, settings: (inout AuditSettings) -> Void = { _ in }) -> Evidence {
        var declared = AuditSettings(now: now, probeRequested: true)
        settings(&declared)
        return Evidence(settings: declared, probe: .observed(probe(change)))
    }
}
