import Foundation
import JellyfortBase
import Yams

/// YAML read with bounds: anchors and aliases are allowed (compose files share settings with
/// them) but the document they expand to may hold at most `valueBudget` values, so a 400-byte
/// "billion laughs" file is refused at once instead of filling the memory; nesting is bounded
/// by libyaml itself. Aliases are resolved by reference while composing, so the count is what
/// costs, and it stops at the budget.
public enum BoundedYAML {
    public static let valueBudget = 200_000

    /// The first document, as Foundation values (`[String: Any]`, `[Any]`, scalars).
    public static func load(_ text: String) throws(HostReadError) -> Any? {
        try loadAll(text).first ?? nil
    }

    /// Every document of the stream.
    public static func loadAll(_ text: String) throws(HostReadError) -> [Any?] {
        do {
            let parser = try Parser(yaml: text)
            var documents: [Any?] = []
            var remaining = valueBudget
            while let root = try parser.nextRoot() {
                try spend(root, budget: &remaining)
                documents.append(root.any)
            }
            return documents
        } catch let error as HostReadError {
            throw error
        } catch {
            throw HostReadError("not valid YAML: \(firstLine(of: error))")
        }
    }

    /// Counts the values of `node` as `any` would build them, without building them; iterative,
    /// so depth costs no stack.
    static func spend(_ node: Node, budget: inout Int) throws(HostReadError) {
        var pending = [node]
        while let next = pending.popLast() {
            budget -= 1
            guard budget >= 0 else {
                throw HostReadError(
                    "its anchors and aliases expand to more than \(valueBudget) values (an alias bomb?); Jellyfort does not read it")
            }
            switch next {
            case .mapping(let mapping):
                for (key, value) in mapping {
                    pending.append(key)
                    pending.append(value)
                }
            case .sequence(let sequence):
                pending.append(contentsOf: sequence)
            default:
                continue
            }
        }
    }

    /// libyaml's message without the document it quotes: one short line.
    static func firstLine(of error: any Error) -> String {
        let text = String(describing: error).split(whereSeparator: \.isNewline).first.map(String.init) ?? "unreadable"
        let shown = text.count > 160 ? String(text.prefix(160)) + "…" : text
        return Sanitized.terminal(shown)
    }
}
