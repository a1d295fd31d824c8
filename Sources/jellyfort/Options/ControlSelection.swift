import ArgumentParser
import Foundation
import JellyfortBase
import JellyfortCore

/// `--only` / `--skip`: comma-separated control ids, each checked against the catalogue.
enum ControlSelection {
    static func parse(_ list: String?, flag: String) throws -> Set<ControlID> {
        var ids: Set<ControlID> = []
        for text in (list ?? "").split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !text.isEmpty {
            guard let id = ControlID(typed: text) else {
                throw ValidationError("\(flag): unknown control id '\(Sanitized.terminal(text))'; jellyfort controls list shows them all")
            }
            ids.insert(id)
        }
        return ids
    }
}
