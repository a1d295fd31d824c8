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
        /// Set on the first token of a line Jellyfort could not follow (an `import` not found).
        var note: Note?
    }

    enum Note {
        case unresolved(String)
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
        var pendingAddresses: [String] = []
        var automaticHTTPSOff = false
        var unresolvedEverywhere: [String] = []
        for words in expandImports(tokens(text), path: path) {
            let first = words[0].text
            if depth == 0 {
                if first == "{", words.count == 1 {
                    depth = 1
                    context = ["global"]
                    continue
                }
                // A site's addresses may run over several lines, each but the last ending in a comma.
                let addresses = words.map { $0.text.trimmingCharacters(in: CharacterSet(charactersIn: ",")) }.filter {
                    !$0.isEmpty && $0 != "{"
                }
                if words.last?.text == "{" {
                    // {$NAME:default} is the default here (the audit cannot see Caddy's environment);
                    // without a default the address is not known.
                    let resolved = (pendingAddresses + addresses).map(Self.environmentDefaults)
                    current = ProxySiteFacts(location: FileLocation(path: path, line: words[0].line), addresses: resolved)
                    for address in resolved where address.contains("{$") || address.contains("{env.") {
                        current?.notUnderstood.append("the site address \(address) comes from the environment")
                    }
                    if case .unresolved(let what)? = words.first?.note { current?.notUnderstood.append(what) }
                    pendingAddresses = []
                    matchers = NamedMatchers()
                    depth = 1
                    context = ["site"]
                } else if words.last?.text.hasSuffix(",") == true {
                    pendingAddresses += addresses
                } else if case .unresolved(let what)? = words.first?.note {
                    unresolvedEverywhere.append(what)
                }
                continue
            }
            if first == "}" {
                depth -= 1
                context.removeLast()
                if depth == 0, var site = current {
                    if automaticHTTPSOff, !site.hasOwnCertificate { site.tlsOff = true }
                    sites.append(site)
                    current = nil
                }
                continue
            }
            if case .unresolved(let what)? = words.first?.note {
                if current != nil { current?.notUnderstood.append(what) } else { unresolvedEverywhere.append(what) }
            }
            let opens = words.last?.text == "{"
            let arguments = words.dropFirst().map(\.text).filter { $0 != "{" }
            if context == ["global"], first == "auto_https", arguments.first == "off" { automaticHTTPSOff = true }
            if context.first == "site", var site = current {
                apply(first, arguments, context: context, to: &site, matchers: &matchers)
                current = site
            }
            if opens {
                depth += 1
                // A block is named by its directive, or by its last word for field filters (`request>uri query {`).
                let named = words.dropLast().map(\.text)
                context.append(named.count > 1 && named.last == "query" ? "query" : first)
            }
        }
        // A global import that could not be followed may hold anything: no site is judged without it.
        if !unresolvedEverywhere.isEmpty {
            for index in sites.indices { sites[index].notUnderstood += unresolvedEverywhere }
        }
        return sites
    }

    /// `{$NAME:default}` replaced by its default; `{$NAME}` left as it is.
    static func environmentDefaults(_ text: String) -> String {
        guard text.contains("{$") else { return text }
        var output = ""
        var rest = text[...]
        while let open = rest.range(of: "{$") {
            output += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else {
                output += rest[open.lowerBound...]
                return output
            }
            let inner = rest[open.upperBound..<close]
            if let colon = inner.firstIndex(of: ":") {
                output += inner[inner.index(after: colon)...]
            } else {
                output += rest[open.lowerBound...close]
            }
            rest = rest[rest.index(after: close)...]
        }
        return output + rest
    }

    static let maximumImportDepth = 4

    /// Snippets (`(name) { … }`) and `import` of a snippet or of a file beside the Caddyfile,
    /// expanded in place, so that what a site imports is judged as part of it. An import that
    /// cannot be found is marked on the line, and the site it is in is not judged.
    static func expandImports(_ lines: [[Token]], path: String, depth: Int = 0) -> [[Token]] {
        var snippets: [String: [[Token]]] = [:]
        var body: [[Token]] = []
        var index = 0
        while index < lines.count {
            let words = lines[index]
            if let name = words.first?.text, name.hasPrefix("("), name.hasSuffix(")"), words.last?.text == "{" {
                var nesting = 1
                var content: [[Token]] = []
                index += 1
                while index < lines.count {
                    let line = lines[index]
                    if line.first?.text == "}" { nesting -= 1 }
                    if nesting == 0 { break }
                    if line.last?.text == "{" { nesting += 1 }
                    content.append(line)
                    index += 1
                }
                snippets[String(name.dropFirst().dropLast())] = content
                index += 1
                continue
            }
            body.append(words)
            index += 1
        }
        var expanded: [[Token]] = []
        for words in body {
            guard words.first?.text == "import", words.count >= 2 else {
                expanded.append(words)
                continue
            }
            let target = words[1].text
            if let snippet = snippets[target] {
                expanded += snippet
                continue
            }
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
            let file = target.hasPrefix("/") ? URL(fileURLWithPath: target) : folder.appendingPathComponent(target)
            if depth < maximumImportDepth, !target.contains("*"), case .regularFile(let size) = PathKind.of(file.path), size <= 1 << 20,
                let text = try? String(contentsOf: file, encoding: .utf8)
            {
                expanded += expandImports(tokens(text), path: file.path, depth: depth + 1)
            } else {
                var marked = words
                marked[0].note = .unresolved(
                    "import \(target) could not be followed (not a snippet of this file, nor a file Jellyfort can read)")
                expanded.append(marked)
            }
        }
        return expanded
    }

    /// The named matchers of one site that the verdicts depend on.
    struct NamedMatchers {
        /// `@name not remote_ip RANGES…`
        var notRemote: [String: [String]] = [:]
        /// `@name path PATHS…`
        var paths: [String: [String]] = [:]
        /// `@name not header_regexp [name] CF-Connecting-IP PATTERN`: the viewers behind a CDN.
        var notForwarded: [String: String] = [:]
        /// The paths of the last `handle PATH {` opened: what a `respond` inside it answers for.
        var handlePaths: [String] = []
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
        case ("site", "handle"), ("site", "handle_path"), ("site", "route"):
            matchers.handlePaths = arguments.filter { $0.hasPrefix("/") }
        case ("handle", "respond"), ("handle_path", "respond"), ("route", "respond"), ("handle", "abort"), ("route", "abort"):
            let status = arguments.compactMap { Int($0) }.first ?? (directive == "abort" ? 444 : 200)
            if status >= 400, matchers.handlePaths.contains(where: { $0.hasPrefix("/metrics") }) { site.blocksMetrics = true }
        case ("site", "tls"):
            if arguments.first == "off" { site.tlsOff = true }
            // tls CERT KEY, tls internal, or tls EMAIL: the site has a certificate of its own.
            if !arguments.isEmpty, arguments.first != "off" { site.hasOwnCertificate = true }
        case ("site", "reverse_proxy"), ("handle", "reverse_proxy"), ("handle_path", "reverse_proxy"), ("route", "reverse_proxy"):
            site.upstreams += arguments.filter { !$0.hasPrefix("@") && !$0.hasPrefix("/") }
        case ("reverse_proxy", "to"):
            site.upstreams += arguments
        case ("reverse_proxy", "trusted_proxies"):
            site.trustedProxies += arguments
        case ("site", "header"), ("handle", "header"), ("handle_path", "header"), ("route", "header"):
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
