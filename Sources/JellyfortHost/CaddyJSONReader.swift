import Foundation
import JellyfortBase
import JellyfortCore

/// The sites of a Caddy configuration in Caddy's own JSON (what `caddy adapt` prints): the same
/// facts the Caddyfile reader gathers, read from the structure Caddy will run. Preferred whenever
/// Caddy is installed; the Caddyfile reader stays for machines without it, and a test holds the
/// two to the same facts on every fixture.
enum CaddyJSONReader {
    /// One site per route with a host matcher (or per server without one), in the order Caddy has them.
    static func sites(_ configuration: JSONValue, path: String) -> [ProxySiteFacts] {
        let http = configuration.objectValue?["apps"]?.objectValue?["http"]?.objectValue
        let servers = http?["servers"]?.objectValue.map { Array($0.pairs) } ?? []
        let logs = configuration.objectValue?["logging"]?.objectValue?["logs"]?.objectValue
        let ownCertificates = internalSubjects(configuration)
        var sites: [ProxySiteFacts] = []
        for (_, serverValue) in servers.sorted(by: { $0.0 < $1.0 }) {
            guard let server = serverValue.objectValue else { continue }
            let listen = server["listen"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let plainPorts = listen.filter { !$0.hasSuffix(":443") }
            let automaticOff = server["automatic_https"]?.objectValue?["disable"]?.boolValue == true
            let loggers = server["logs"]?.objectValue
            let loggerNames = loggers?["logger_names"]?.objectValue
            for routeValue in server["routes"]?.arrayValue ?? [] {
                guard let route = routeValue.objectValue else { continue }
                let hosts = (route["match"]?.arrayValue ?? []).flatMap {
                    $0.objectValue?["host"]?.arrayValue?.compactMap(\.stringValue) ?? []
                }
                let addresses: [String]
                if hosts.isEmpty {
                    addresses = listen.map { $0.hasSuffix(":443") ? "https://" : $0 }
                } else if listen.allSatisfy({ $0.hasSuffix(":80") }) {
                    addresses = hosts.map { "http://\($0)" }
                } else if !plainPorts.isEmpty, listen.count == plainPorts.count {
                    addresses = hosts.flatMap { host in plainPorts.map { "\(host)\($0)" } }
                } else {
                    addresses = hosts
                }
                var site = ProxySiteFacts(location: FileLocation(path: path, line: nil), addresses: addresses)
                site.hasOwnCertificate = !hosts.isEmpty && hosts.allSatisfy { ownCertificates.contains($0) }
                if automaticOff, !site.hasOwnCertificate { site.tlsOff = true }
                walk(route["handle"]?.arrayValue ?? [], conditions: [], into: &site)
                // The access log: the server logs every host (no names), or this host's logger.
                if loggers != nil {
                    let name = hosts.lazy.compactMap { loggerNames?[$0]?.stringValue }.first
                    if loggerNames == nil || name != nil {
                        site.logsAccess = true
                        if let name, let fields = logs?[name]?.objectValue?["encoder"]?.objectValue?["fields"]?.objectValue {
                            for action in fields["request>uri"]?.objectValue?["actions"]?.arrayValue ?? [] {
                                if let parameter = action.objectValue?["parameter"]?.stringValue {
                                    site.redactedQueryParameters.append(parameter)
                                }
                            }
                        }
                    }
                }
                sites.append(site)
            }
        }
        return sites
    }

    /// Host names whose certificate comes from Caddy's internal issuer (`tls internal`).
    static func internalSubjects(_ configuration: JSONValue) -> Set<String> {
        let policies =
            configuration.objectValue?["apps"]?.objectValue?["tls"]?.objectValue?["automation"]?.objectValue?["policies"]?.arrayValue ?? []
        var subjects: Set<String> = []
        for policy in policies {
            guard let object = policy.objectValue else { continue }
            let issuers = object["issuers"]?.arrayValue?.compactMap { $0.objectValue?["module"]?.stringValue } ?? []
            guard issuers.contains("internal") else { continue }
            subjects.formUnion(object["subjects"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        }
        return subjects
    }

    /// What a handler chain does, each handler under the matchers of the routes around it.
    static func walk(_ handlers: [JSONValue], conditions: [JSONObject], into site: inout ProxySiteFacts) {
        for value in handlers {
            guard let handler = value.objectValue else { continue }
            switch handler["handler"]?.stringValue {
            case "subroute":
                for routeValue in handler["routes"]?.arrayValue ?? [] {
                    guard let route = routeValue.objectValue else { continue }
                    let matches = (route["match"]?.arrayValue ?? []).compactMap(\.objectValue)
                    walk(route["handle"]?.arrayValue ?? [], conditions: conditions + matches, into: &site)
                }
            case "reverse_proxy":
                site.upstreams += (handler["upstreams"]?.arrayValue ?? []).compactMap { $0.objectValue?["dial"]?.stringValue }
                site.trustedProxies += handler["trusted_proxies"]?.arrayValue?.compactMap(\.stringValue) ?? []
            case "headers":
                let response = handler["response"]?.objectValue
                site.responseHeadersSet += response?["set"]?.objectValue.map { Array($0.pairs.map(\.0)) } ?? []
                site.responseHeadersRemoved +=
                    response?["delete"]?.arrayValue?.compactMap(\.stringValue).map { $0.hasPrefix("-") ? String($0.dropFirst()) : $0 } ?? []
            case "static_response":
                let aborts = handler["abort"]?.boolValue == true
                let status = handler["status_code"]?.intValue ?? Int(handler["status_code"]?.stringValue ?? "") ?? 200
                for condition in conditions {
                    // A source rule limited to some paths (the wizard's /Startup) is not a site-wide allow-list.
                    let limited = condition["path"] != nil || condition["path_regexp"] != nil
                    for negated in condition["not"]?.arrayValue?.compactMap(\.objectValue) ?? [] where !limited {
                        if let ranges = negated["remote_ip"]?.objectValue?["ranges"]?.arrayValue?.compactMap(\.stringValue),
                            aborts || status >= 400
                        {
                            site.allowedSources += ranges
                        }
                        if let patterns = negated["header_regexp"]?.objectValue, aborts {
                            for (field, spec) in patterns.pairs
                            where field.caseInsensitiveCompare(ForwardedAddressPattern.header) == .orderedSame {
                                if let pattern = spec.objectValue?["pattern"]?.stringValue {
                                    site.forwardedViewerPatterns.append(pattern)
                                }
                            }
                        }
                    }
                    let paths = condition["path"]?.arrayValue?.compactMap(\.stringValue) ?? []
                    if paths.contains(where: { $0.hasPrefix("/metrics") }), aborts || status >= 400 {
                        site.blocksMetrics = true
                    }
                }
                if aborts, conditions.isEmpty { site.aborts = true }
            default:
                continue
            }
        }
    }
}
