import Foundation
import JellyfortCore

/// Reads the parts of a Caddyfile that the proxy controls need: site addresses, upstreams,
/// headers, `remote_ip` allow-lists, `/metrics` blocks, the access log's filters, `abort`.
/// It is a block reader, not a full Caddyfile grammar: unknown directives are skipped.
enum CaddyfileParser {
    struct Token {
        var text: String
        var line: Int
    }

    static func tokens(_ text: String) -> [[Token]] {
        var lines: [[Token]] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var words: [Token] = []
            for word in ShellWords.split(String(raw)) {
                if word.hasPrefix("#") { break }
                words.append(Token(text: word, line: index + 1))
            }
            if !words.isEmpty { lines.append(words) }
        }
        return lines
    }

    static func parse(_ text: String, path: String) -> [ProxySiteFacts] {
        var sites: [ProxySiteFacts] = []
        var depth = 0
        var current: ProxySiteFacts?
        var context: [String] = []
        var notRemoteMatchers: [String: [String]] = [:]
        var pathMatchers: [String: [String]] = [:]
        for words in tokens(text) {
            let first = words[0].text
            if depth == 0 {
                if first == "{" {
                    depth = 1
                    context = ["global"]
                    continue
                }
                if words.last?.text == "{" {
                    let addresses = words.dropLast().map { $0.text.trimmingCharacters(in: CharacterSet(charactersIn: ",")) }
                    current = ProxySiteFacts(location: FileLocation(path: path, line: words[0].line), addresses: addresses)
                    notRemoteMatchers = [:]
                    pathMatchers = [:]
                    depth = 1
                    context = ["site"]
                }
                continue
            }
            if first == "}" {
                depth -= 1
                context.removeLast()
                if depth == 0, let site = current {
                    sites.append(site)
                    current = nil
                }
                continue
            }
            let opens = words.last?.text == "{"
            let arguments = words.dropFirst().map(\.text).filter { $0 != "{" }
            if context.first == "site", current != nil {
                apply(first, arguments, context: context, to: &current!, notRemote: &notRemoteMatchers, paths: &pathMatchers)
            }
            if opens {
                depth += 1
                // A block is named by its directive, or by its last word for field filters (`request>uri query {`).
                let named = words.dropLast().map(\.text)
                context.append(named.count > 1 && named.last == "query" ? "query" : first)
            }
        }
        return sites
    }

    static func apply(
        _ directive: String, _ arguments: [String], context: [String], to site: inout ProxySiteFacts, notRemote: inout [String: [String]],
        paths: inout [String: [String]]
    ) {
        let inside = context.last ?? ""
        switch (inside, directive) {
        case ("site", let name) where name.hasPrefix("@"):
            if arguments.first == "not", arguments.dropFirst().first == "remote_ip" {
                notRemote[name] = Array(arguments.dropFirst(2)).filter { $0 != "forwarded" }
            } else if arguments.first == "path" {
                paths[name] = Array(arguments.dropFirst())
            }
        case ("site", "abort"):
            if let matcher = arguments.first, let ranges = notRemote[matcher] {
                site.allowedSources += ranges
            } else if arguments.isEmpty {
                site.aborts = true
            }
        case ("site", "respond"):
            if let matcher = arguments.first, let ranges = notRemote[matcher] { site.allowedSources += ranges }
            if let matcher = arguments.first, paths[matcher]?.contains(where: { $0.hasPrefix("/metrics") }) == true {
                site.blocksMetrics = true
            }
            if arguments.first?.hasPrefix("/metrics") == true { site.blocksMetrics = true }
        case ("site", "tls"):
            if arguments.first == "off" { site.tlsOff = true }
        case ("site", "reverse_proxy"):
            site.upstreams += arguments.filter { !$0.hasPrefix("@") && !$0.hasPrefix("/") }
        case ("reverse_proxy", "to"):
            site.upstreams += arguments
        case ("reverse_proxy", "trusted_proxies"):
            site.trustedProxies += arguments
        case ("site", "header"):
            for argument in arguments.prefix(1) { record(header: argument, in: &site) }
        case ("header", _):
            record(header: directive, in: &site)
        case ("site", "log"):
            site.logsAccess = true
        case ("query", "replace"), ("query", "delete"):
            if let parameter = arguments.first { site.redactedQueryParameters.append(parameter) }
        default:
            break
        }
    }

    static func record(header: String, in site: inout ProxySiteFacts) {
        if header.hasPrefix("-") {
            site.responseHeadersRemoved.append(String(header.dropFirst()))
        } else {
            site.responseHeadersSet.append(header.trimmingCharacters(in: CharacterSet(charactersIn: "+>")))
        }
    }
}
