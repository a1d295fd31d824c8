import Foundation
import JellyfortBase
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
            for word in CaddyWords.split(String(raw)) {
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
        var matchers = NamedMatchers()
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
                    matchers = NamedMatchers()
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
                apply(first, arguments, context: context, to: &current!, matchers: &matchers)
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

    /// The named matchers of one site that the verdicts depend on.
    struct NamedMatchers {
        /// `@name not remote_ip RANGES…`
        var notRemote: [String: [String]] = [:]
        /// `@name path PATHS…`
        var paths: [String: [String]] = [:]
        /// `@name not header_regexp [name] CF-Connecting-IP PATTERN`: the viewers behind a CDN.
        var notForwarded: [String: String] = [:]
    }

    static func apply(
        _ directive: String, _ arguments: [String], context: [String], to site: inout ProxySiteFacts, matchers: inout NamedMatchers
    ) {
        let inside = context.last ?? ""
        switch (inside, directive) {
        case ("site", let name) where name.hasPrefix("@"):
            if arguments.first == "not", arguments.dropFirst().first == "remote_ip" {
                matchers.notRemote[name] = Array(arguments.dropFirst(2)).filter { $0 != "forwarded" }
            } else if arguments.first == "not", arguments.dropFirst().first == "header_regexp" {
                // header_regexp [name] FIELD PATTERN
                let rest = Array(arguments.dropFirst(2))
                let (field, pattern) = rest.count == 3 ? (rest[1], rest[2]) : rest.count == 2 ? (rest[0], rest[1]) : ("", "")
                if field.caseInsensitiveCompare(ForwardedAddressPattern.header) == .orderedSame { matchers.notForwarded[name] = pattern }
            } else if arguments.first == "path" {
                matchers.paths[name] = Array(arguments.dropFirst())
            }
        case ("site", "abort"):
            if let matcher = arguments.first, let ranges = matchers.notRemote[matcher] {
                site.allowedSources += ranges
            } else if let matcher = arguments.first, let pattern = matchers.notForwarded[matcher] {
                site.forwardedViewerPatterns.append(pattern)
            } else if arguments.isEmpty {
                site.aborts = true
            }
        case ("site", "respond"):
            if let matcher = arguments.first, let ranges = matchers.notRemote[matcher] { site.allowedSources += ranges }
            if let matcher = arguments.first, matchers.paths[matcher]?.contains(where: { $0.hasPrefix("/metrics") }) == true {
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

/// Caddyfile tokens as Caddy's lexer reads them, which is not how a shell does: a backslash
/// outside quotes is an ordinary character (`header_regexp` patterns keep their `\.`), inside
/// double quotes only `\"` is an escape, and backquotes quote without any escape.
enum CaddyWords {
    static func split(_ line: String) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var characters = line[...]
        while let character = characters.popFirst() {
            if let open = quote {
                if open == "\"", character == "\\", characters.first == "\"" {
                    current.append(characters.removeFirst())
                } else if character == open {
                    quote = nil
                } else {
                    current.append(character)
                }
                continue
            }
            switch character {
            case " ", "\t", "\r":
                if inWord { words.append(current) }
                current = ""
                inWord = false
            case "\"", "`":
                quote = character
                inWord = true
            default:
                current.append(character)
                inWord = true
            }
        }
        if inWord { words.append(current) }
        return words
    }
}
