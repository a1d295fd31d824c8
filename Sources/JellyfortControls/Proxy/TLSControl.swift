import Foundation
import JellyfortBase
import JellyfortCore

/// Guide item 4.
struct TLSControl: Control {
    static let description = ControlDescription(
        id: .proxyTLS, title: "Jellyfin is served over HTTPS only", guideItem: 4, severity: .high,
        rationale:
            "Passwords and tokens cross the internet on every sign-in and request. Plain HTTP, an invalid or "
            + "expiring certificate, missing HSTS or TLS older than 1.2 expose them.",
        remediation: Remediation("Put Caddy in front with automatic HTTPS and HSTS (the Caddyfile from jellyfort deploy)."),
        evidence: [.probe, .host])

    static let examples = [
        ControlExample("automatic HTTPS with HSTS", .pass, Sample.deployment()),
        ControlExample(
            "plain http site", .fail, Sample.deployment { $0.proxies = [Sample.site { $0.addresses = ["http://reels-7f3k.example.org"] }] }),
        ControlExample("no HSTS", .fail, Sample.deployment { $0.proxies = [Sample.site { $0.responseHeadersSet.removeFirst() }] }),
        ControlExample("no Caddyfile", .unknown, Sample.deployment { $0.proxies = [] }),
        ControlExample("probe: trusted, redirects, old TLS refused, HSTS", .pass, Sample.probed()),
        ControlExample(
            "probe: the certificate does not verify", .fail,
            Sample.probed {
                $0.https?.verified = false
                $0.https?.verifyProblem = "it is issued for other.example.org, not reels-7f3k.example.org"
            }),
        ControlExample(
            "probe: expires in 10 days", .fail, Sample.probed { $0.https?.notAfter = Sample.now.addingTimeInterval(10 * 86400) }),
        ControlExample(
            "probe: expires in 20 days", .warn, Sample.probed { $0.https?.notAfter = Sample.now.addingTimeInterval(20 * 86400) }),
        ControlExample("probe: TLS 1.1 accepted", .fail, Sample.probed { $0.oldProtocols[1].accepted = true }),
        ControlExample(
            "probe: port 80 serves the page", .fail,
            Sample.probed {
                $0.plainHTTP?.status = 200
                $0.plainHTTP?.location = nil
            }),
        ControlExample("probe: port 80 closed", .pass, Sample.probed { $0.plainHTTP = nil }),
        ControlExample("probe: no HSTS", .fail, Sample.probed { $0.answers[0].headers["strict-transport-security"] = nil }),
        ControlExample(
            "probe: HTTPS unreachable", .unknown,
            Sample.probed {
                $0.https = nil
                $0.unreachable = "no answer to the connection"
            }),
        ControlExample(
            "files fine but the probe finds TLS 1.0", .fail,
            {
                var evidence = Sample.deployment()
                evidence.probe = .observed(Sample.probe { $0.oldProtocols[0].accepted = true })
                return evidence
            }()),
    ]

    static func evaluate(_ evidence: Evidence) -> Verdict {
        .combining([evidence.fromProbe { fromProbe($0, now: evidence.settings.now) }, fromDeployment(evidence)])
    }

    /// What a client on the internet gets: the handshake, the certificate, old protocols, port 80, HSTS.
    static func fromProbe(_ probe: ProbeView, now: Date) -> Verdict? {
        guard let https = probe.https else {
            return .unknown("HTTPS on \(probe.name) could not be reached from here: \(probe.unreachable ?? "no answer")")
        }
        var failures: [Finding] = []
        var warnings: [Finding] = []
        let name = probe.name
        if !https.verified {
            failures.append(
                .probe(name, https.exchange, "the certificate is not trusted: \(https.verifyProblem ?? "the chain does not verify")"))
        }
        var validity = ""
        if let notAfter = https.notAfter {
            let days = Int(notAfter.timeIntervalSince(now) / 86400)
            validity = ", valid \(days) more days"
            if days < 14 {
                failures.append(.probe(name, https.exchange, "the certificate expires in \(max(days, 0)) days (renewal is not working?)"))
            } else if days < 30 {
                warnings.append(.probe(name, https.exchange, "the certificate expires in \(days) days"))
            }
        }
        for old in probe.oldProtocols where old.accepted {
            failures.append(
                .probe(name, old, "\(old.sent.contains("only TLS 1.0 ") ? "TLS 1.0" : "TLS 1.1") is accepted: it must be refused"))
        }
        if let plain = probe.plainHTTP, let status = plain.status {
            let redirects = (300..<400).contains(status) && (plain.location ?? "").lowercased().hasPrefix("https://")
            if !redirects {
                failures.append(.probe(name, plain, "plain HTTP on port 80 answers \(status) instead of redirecting to HTTPS"))
            }
        }
        if let page = probe.answers.first, page.header("Strict-Transport-Security") == nil {
            failures.append(.probe(name, page.exchange, "no Strict-Transport-Security header: browsers may still try plain HTTP first"))
        }
        if !failures.isEmpty { return .fail("\(name) is not served over trusted HTTPS only", findings: failures + warnings) }
        if !warnings.isEmpty { return .warn("the certificate of \(name) expires soon", findings: warnings) }
        let redirect = probe.plainHTTP?.status != nil ? "HTTP redirects to HTTPS" : "port 80 does not answer"
        return .pass(
            "from outside: \(https.version) with a trusted certificate\(validity); TLS 1.0 and 1.1 refused; \(redirect); HSTS sent")
    }

    static func fromDeployment(_ evidence: Evidence) -> Verdict {
        evidence.withJellyfinSites { sites, _ in
            var findings: [Finding] = []
            for site in sites {
                // http://…, …:80, and a bare :PORT without a certificate of its own are plain HTTP,
                // whatever headers the site sets.
                let plain = site.addresses.contains { address in
                    address.hasPrefix("http://") || address.hasSuffix(":80")
                        || (address.hasPrefix(":") && address != ":443" && !site.hasOwnCertificate)
                }
                if site.tlsOff || plain {
                    findings.append(.at(site.location, "site \(site.addresses.joined(separator: " ")) serves Jellyfin over plain HTTP"))
                }
                if !site.responseHeadersSet.contains("Strict-Transport-Security") {
                    findings.append(.at(site.location, "no Strict-Transport-Security header: browsers may still try plain HTTP first"))
                }
            }
            guard findings.isEmpty else { return .fail("Jellyfin is not served over HTTPS only", findings: findings) }
            return .pass("HTTPS with automatic certificates and HSTS (whether the certificate is valid needs a check from outside)")
        }
    }
}
