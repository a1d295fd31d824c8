import Foundation

/// Variable interpolation exactly as the Compose Specification defines it: `$VAR`, `${VAR}`,
/// `${VAR:-default}` and `${VAR-default}`, `${VAR:?error}` and `${VAR?error}`, `${VAR:+other}`
/// and `${VAR+other}`, and `$$` for a literal `$`. Values come from the `.env` file beside the
/// compose file; a variable that is set nowhere Jellyfort can see is reported, since the shell
/// that runs compose may set it to anything.
struct ComposeInterpolation {
    var variables: [String: String]
    /// Variables used without a value or a default.
    private(set) var unresolved: [String] = []

    init(variables: [String: String]) {
        self.variables = variables
    }

    /// `KEY=VALUE` lines of a `.env` file (comments, `export`, quotes); bounded in size.
    static func environmentFile(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for raw in text.split(whereSeparator: \.isNewline).prefix(10_000) {
            var line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            } else if let comment = value.range(of: " #") {
                value = value[..<comment.lowerBound].trimmingCharacters(in: .whitespaces)
            }
            if !key.isEmpty { values[key] = value }
        }
        return values
    }

    /// Every string of a parsed document interpolated (keys are not, as in Compose).
    mutating func apply(_ value: Any) -> Any {
        switch value {
        case let text as String: return interpolate(text)
        case let list as [Any]: return list.map { apply($0) }
        case let map as [String: Any]: return map.mapValues { apply($0) }
        default: return value
        }
    }

    mutating func interpolate(_ text: String) -> String {
        guard text.contains("$") else { return text }
        var output = ""
        var characters = text[...]
        while let character = characters.popFirst() {
            guard character == "$" else {
                output.append(character)
                continue
            }
            if characters.first == "$" {
                characters.removeFirst()
                output.append("$")
            } else if characters.first == "{" {
                characters.removeFirst()
                // The expression up to its matching brace (defaults may hold ${…} themselves).
                var depth = 1
                var expression = ""
                while let next = characters.popFirst() {
                    if next == "{" { depth += 1 }
                    if next == "}" {
                        depth -= 1
                        if depth == 0 { break }
                    }
                    expression.append(next)
                }
                output += resolve(expression)
            } else {
                let name = characters.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
                if name.isEmpty {
                    output.append("$")
                } else {
                    characters.removeFirst(name.count)
                    output += resolve(String(name))
                }
            }
        }
        return output
    }

    private mutating func resolve(_ expression: String) -> String {
        let name = String(expression.prefix { $0.isLetter || $0.isNumber || $0 == "_" })
        let rest = expression.dropFirst(name.count)
        let value = variables[name]
        for (operatorText, needsNonEmpty) in [(":-", true), ("-", false), (":?", true), ("?", false), (":+", true), ("+", false)]
        where rest.hasPrefix(operatorText) {
            let argument = interpolate(String(rest.dropFirst(operatorText.count)))
            let isSet = needsNonEmpty ? !(value ?? "").isEmpty : value != nil
            switch operatorText.last {
            case "-": return isSet ? (value ?? "") : argument
            case "+": return isSet ? argument : ""
            default:
                if !isSet { unresolved.append(name) }
                return value ?? ""
            }
        }
        if value == nil { unresolved.append(name) }
        return value ?? ""
    }
}
