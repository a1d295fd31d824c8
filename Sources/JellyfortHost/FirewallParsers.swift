import Foundation
import JellyfortBase
import JellyfortCore

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// nftables rulesets, as text or `nft -j` JSON: which sources may reach 443, and whether
/// Jellyfin's own ports are dropped.
enum NFTablesParser {
    static func parse(text: String, path: String) -> FirewallFacts {
        var sets: [String: [String]] = [:]
        var currentSet: String?
        var sources: [String]?
        var closes = false
        var restricts443 = false
        var inputPolicyDrop = false
        var open443 = false
        var opensJellyfinPort = false
        var openToEveryone: [String] = []
        var firstLine: Int?
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#") { continue }
            if line.hasPrefix("set "), let brace = line.firstIndex(of: "{") {
                let name = line[line.index(line.startIndex, offsetBy: 4)..<brace].trimmingCharacters(in: .whitespaces)
                currentSet = name
                if let elements = Self.elements(in: line) { sets[name, default: []] += elements }
                // A set written on one line closes on it too.
                if line.filter({ $0 == "{" }).count == line.filter({ $0 == "}" }).count { currentSet = nil }
                continue
            }
            if let name = currentSet {
                if let elements = Self.elements(in: line) { sets[name, default: []] += elements }
                if line == "}" { currentSet = nil }
                continue
            }
            // An input chain that drops by default lets in only what its rules accept.
            if line.contains("hook input"), line.contains("policy drop") { inputPolicyDrop = true }
            let ports = Self.destinationPorts(in: line)
            let mentions443 = ports.contains("443")
            let jellyfinPort = ports.contains { Self.jellyfinPorts.contains($0) }
            if jellyfinPort, line.hasSuffix("drop") || line.hasSuffix("reject") { closes = true }
            if jellyfinPort, line.hasSuffix("accept") { opensJellyfinPort = true }
            if mentions443, line.hasSuffix("accept"), !line.contains("saddr") { open443 = true }
            if line.hasSuffix("accept"), !line.contains("saddr"), !line.contains("iif"), !line.contains("ct state") {
                openToEveryone += ports
            }
            if mentions443, line.hasSuffix("accept"),
                let range = line.range(of: #"saddr (@[A-Za-z0-9_]+|\{[^}]*\}|[0-9a-fA-F.:/]+)"#, options: .regularExpression)
            {
                let operand = String(line[range].dropFirst(6))
                let allowed =
                    operand.hasPrefix("@")
                    ? sets[String(operand.dropFirst())] ?? []
                    : operand.trimmingCharacters(in: CharacterSet(charactersIn: "{}")).split(separator: ",").map {
                        $0.trimmingCharacters(in: .whitespaces)
                    }
                sources = (sources ?? []) + allowed
                firstLine = firstLine ?? index + 1
            }
            if mentions443, !line.contains("saddr"), line.hasSuffix("drop") || line.hasSuffix("reject") { restricts443 = true }
        }
        if inputPolicyDrop, !open443 { restricts443 = true }
        if inputPolicyDrop, !opensJellyfinPort { closes = true }
        return FirewallFacts(
            kind: .nftables, location: FileLocation(path: path, line: firstLine), sourcesFor443: restricts443 ? (sources ?? []) : nil,
            closesJellyfinPorts: closes, openToEveryone: openToEveryone, dropsByDefault: inputPolicyDrop)
    }

    /// Jellyfin's own HTTP and HTTPS ports: open on the firewall, they bypass the proxy.
    static let jellyfinPorts: Set<String> = ["8096", "8920"]

    /// The ports after every `dport` of a line, a single one or a `{ … }` set, in one pass (a
    /// regular expression here was quadratic on long lines).
    static func destinationPorts(in line: String) -> [String] {
        var tokens: [Substring] = []
        var start: String.Index?
        for index in line.indices {
            let character = line[index]
            let separator = character == " " || character == "\t" || character == "," || character == "{" || character == "}"
            if separator {
                if let begun = start { tokens.append(line[begun..<index]) }
                start = nil
                if character == "{" || character == "}" { tokens.append(line[index...index]) }
            } else if start == nil {
                start = index
            }
        }
        if let begun = start { tokens.append(line[begun...]) }
        var ports: [String] = []
        var index = 0
        while index < tokens.count {
            defer { index += 1 }
            guard tokens[index] == "dport", index + 1 < tokens.count else { continue }
            index += 1
            if tokens[index] == "{" {
                index += 1
                while index < tokens.count, tokens[index] != "}" {
                    ports.append(String(tokens[index]))
                    index += 1
                }
            } else {
                ports.append(String(tokens[index].prefix { $0.isNumber }))
            }
        }
        return ports
    }

    /// The items of `elements = { a, b }` on a line.
    static func elements(in line: String) -> [String]? {
        guard let start = line.range(of: "elements = {") ?? line.range(of: "elements={") else { return nil }
        let rest = line[start.upperBound...]
        guard let close = rest.firstIndex(of: "}") else { return nil }
        return rest[..<close].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// `nft -j list ruleset`: set elements and the rules' `saddr` matches on 443.
    static func parse(json: JSONValue, path: String) -> FirewallFacts {
        let items = json.objectValue?["nftables"]?.arrayValue?.compactMap(\.objectValue) ?? []
        var sets: [String: [String]] = [:]
        for item in items {
            guard let set = item["set"]?.objectValue, let name = set["name"]?.stringValue else { continue }
            sets[name] = (set["elem"]?.arrayValue ?? []).compactMap { element in
                if let text = element.stringValue { return text }
                if let prefix = element.objectValue?["prefix"]?.objectValue, let address = prefix["addr"]?.stringValue,
                    let length = prefix["len"]?.intValue
                {
                    return "\(address)/\(length)"
                }
                return nil
            }
        }
        var sources: [String]?
        var restricts = false
        var closes = false
        for item in items {
            guard let rule = item["rule"]?.objectValue, let expressions = rule["expr"]?.arrayValue?.compactMap(\.objectValue) else {
                continue
            }
            let text = JSONWriter.string(.array(expressions.map(JSONValue.object)))
            let on443 = text.contains("443")
            let verdictAccept = expressions.contains { $0["accept"] != nil }
            let verdictDrop = expressions.contains { $0["drop"] != nil || $0["reject"] != nil }
            if text.contains("8096"), verdictDrop { closes = true }
            guard on443 else { continue }
            if verdictAccept, text.contains("saddr") {
                for name in sets.keys where text.contains("\"@\(name)\"") { sources = (sources ?? []) + (sets[name] ?? []) }
            } else if verdictDrop, !text.contains("saddr") {
                restricts = true
            }
        }
        return FirewallFacts(
            kind: .nftables, location: FileLocation(path: path, line: nil), sourcesFor443: restricts ? (sources ?? []) : nil,
            closesJellyfinPorts: closes)
    }
}

/// A firewalld zone XML: open services/ports, and rich rules that accept https from sources.
final class FirewalldZoneParser: NSObject, XMLParserDelegate {
    private var services: [String] = []
    private var ports: [String] = []
    private var rules: [(source: String?, service: String?, port: String?, action: String?)] = []
    private var inRule = false
    private var rule: (source: String?, service: String?, port: String?, action: String?) = (nil, nil, nil, nil)
    private var depth = 0
    private var error: String?
    private var forwardedToJellyfin = false
    private var zoneSources: [String] = []
    private var forwardedPorts: [String] = []
    private var target: String?

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
        error = error ?? "\(Self.reason(parseError)) at line \(parser.lineNumber), column \(parser.columnNumber)"
    }

    /// The parser's error in words (Foundation's own text is "NSXMLParserErrorDomain error 29").
    /// The codes are libxml2's, which Foundation passes on unchanged on Linux.
    static func reason(_ error: any Error) -> String {
        let code = (error as NSError).code
        switch code {
        case 3, 4: return "the file is empty or does not start with XML"
        case 5, 85: return "the file ends before every element is closed, or has text after the root element"
        case 86: return "there is text after the root element"
        case 76: return "an end tag does not match the element it closes"
        case 77: return "a tag is not finished"
        case 38, 73, 74: return "a '<' or '>' is missing or out of place"
        case 39...42, 75: return "an attribute is malformed (quotes or '=' missing, no value, or given twice)"
        case 14...17, 22, 23, 26...30, 68:
            return "an entity such as '&amp;' is undefined or malformed (a bare '&' must be written '&amp;')"
        case 6...8, 10...13: return "a character reference such as '&#10;' is malformed"
        case 9, 81: return "the file holds a character XML does not allow"
        case 45: return "a comment is not closed"
        default: return "the XML grammar is broken (libxml2 code \(code))"
        }
    }

    static func parse(_ data: Data, path: String) throws -> FirewallFacts {
        let delegate = FirewalldZoneParser()
        let parser = XMLParser(data: data)
        parser.delegate = delegate
        let parsed = parser.parse()
        if !parsed || delegate.error != nil || parser.parserError != nil {
            throw HostReadError(
                "not well-formed XML: \(delegate.error ?? parser.parserError.map { Self.reason($0) } ?? "the XML parser stopped")")
        }
        let httpsOpen = delegate.services.contains("https") || delegate.ports.contains("443/tcp")
        let accepted = delegate.rules.filter { ($0.service == "https" || $0.port == "443") && $0.action == "accept" }.compactMap(\.source)
        // Jellyfin's ports are open by a service, a port, or a forward-port that lands on them.
        let jellyfinOpen =
            delegate.services.contains("jellyfin") || delegate.ports.contains { ["8096/tcp", "8920/tcp"].contains($0) }
            || delegate.forwardedToJellyfin
            || delegate.rules.contains { ["8096", "8920"].contains($0.port ?? "") && $0.action == "accept" }
        let closes =
            delegate.rules.contains { ["8096", "8920"].contains($0.port ?? "") && ($0.action == "reject" || $0.action == "drop") }
            || !jellyfinOpen
        // https opened in a zone bound to sources is open to those sources, not to everyone.
        let sources: [String]? = httpsOpen ? (delegate.zoneSources.isEmpty ? nil : delegate.zoneSources + accepted) : accepted
        // A zone without sources applies to everyone; it rejects what it does not list unless its target accepts.
        let servicePorts: [String: [String]] = ["http": ["80"], "https": ["443"], "jellyfin": ["8096", "8920"]]
        let open =
            delegate.zoneSources.isEmpty
            ? delegate.ports.map { String($0.split(separator: "/").first ?? "") } + delegate.services.flatMap { servicePorts[$0] ?? [] }
                + delegate.forwardedPorts
            : []
        return FirewallFacts(
            kind: .firewalld, location: FileLocation(path: path, line: nil), sourcesFor443: sources, closesJellyfinPorts: closes,
            openToEveryone: open, dropsByDefault: delegate.target?.uppercased() != "ACCEPT")
    }

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]
    ) {
        switch name {
        case "service" where inRule: rule.service = attributes["name"]
        case "service": services.append(attributes["name"] ?? "")
        case "port" where inRule: rule.port = attributes["port"]
        case "port": ports.append("\(attributes["port"] ?? "")/\(attributes["protocol"] ?? "")")
        case "rule":
            inRule = true
            rule = (nil, nil, nil, nil)
        case "source" where inRule: rule.source = attributes["address"]
        // A zone bound to sources applies to those sources only.
        case "source": if let address = attributes["address"] { zoneSources.append(address) }
        case "forward-port":
            if ["8096", "8920"].contains(attributes["to-port"] ?? attributes["port"] ?? "") { forwardedToJellyfin = true }
            if let port = attributes["port"] { forwardedPorts.append(port) }
        case "zone": target = attributes["target"]
        case "accept", "reject", "drop": if inRule { rule.action = name }
        default: break
        }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "rule" {
            rules.append(rule)
            inRule = false
        }
    }
}

public struct HostReadError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
