import Foundation
import JellyfortCore

/// fail2ban filters and jails, and CrowdSec acquisition files.
enum BanConfigParser {
    static func fail2ban(_ text: String, path: String) -> [BanFacts] {
        let ini = INIFile(text)
        var results: [BanFacts] = []
        let regexes = ini.values("Definition", "failregex")
        if !regexes.isEmpty {
            // A failregex may continue over several indented lines: INIFile joins only `\` lines, so read them here.
            var patterns: [String] = []
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            for entry in regexes {
                if !entry.value.isEmpty { patterns.append(entry.value) }
                var next = entry.line
                while next < lines.count, let first = lines[next].first, first == " " || first == "\t" {
                    let continued = lines[next].trimmingCharacters(in: .whitespaces)
                    if !continued.isEmpty, !continued.hasPrefix("#") { patterns.append(continued) }
                    next += 1
                }
            }
            results.append(
                BanFacts(
                    kind: .fail2banFilter, location: FileLocation(path: path, line: regexes[0].line), failRegexes: patterns,
                    filterName: URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent))
        }
        for section in Set(ini.entries.map(\.section)) where section != "Definition" && section != "DEFAULT" && section != "INCLUDES" {
            let logpaths = ini.values(section, "logpath")
            guard !logpaths.isEmpty else { continue }
            let enabled = ini.values(section, "enabled").last.map { ["true", "yes", "1"].contains($0.value.lowercased()) } ?? false
            let filter =
                ini.values(section, "filter").last?.value.split(separator: "[").first.map { $0.trimmingCharacters(in: .whitespaces) }
                ?? section
            results.append(
                BanFacts(
                    kind: .fail2banJail, location: FileLocation(path: path, line: logpaths[0].line),
                    logPaths: logpaths.flatMap { $0.value.split(separator: " ").map(String.init) }, filterName: filter, enabled: enabled))
        }
        return results
    }

    static func crowdsec(_ text: String, path: String) throws -> [BanFacts] {
        var results: [BanFacts] = []
        for document in try BoundedYAML.loadAll(text) {
            guard let map = document as? [String: Any] else { continue }
            let files = (map["filenames"] as? [String]) ?? (map["filename"] as? String).map { [$0] } ?? []
            let type = (map["labels"] as? [String: Any])?["type"] as? String
            guard !files.isEmpty || type != nil else { continue }
            results.append(BanFacts(kind: .crowdsecAcquisition, location: FileLocation(path: path, line: 1), logPaths: files, type: type))
        }
        return results
    }

    /// A systemd unit that runs `jellyfort watch`: where it reads (`--log-dir DIR` becomes
    /// `DIR/log_*.log`, `--stdin` stays `-`) and whether it bans (`enabled` is false with
    /// `--dry-run` or `--ban none`). A command line with quotes or variables is not guessed at:
    /// its log paths stay empty, and the control says it could not read them.
    static func jellyfortWatch(_ text: String, path: String) -> BanFacts? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let index = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix("ExecStart=") }) else { return nil }
        let command = lines[index].trimmingCharacters(in: .whitespaces).dropFirst("ExecStart=".count)
        let words = command.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let program = words.firstIndex(where: { $0.hasSuffix("jellyfort") }), words.count > program + 1, words[program + 1] == "watch"
        else { return nil }
        var logPaths: [String] = []
        var bans = true
        let understood = !command.contains("\"") && !command.contains("'") && !command.contains("$") && !command.contains("%")
        var position = program + 2
        while position < words.count {
            let word = words[position]
            var name = word
            var inline: String?
            if let equals = word.firstIndex(of: "=") {
                name = String(word[..<equals])
                inline = String(word[word.index(after: equals)...])
            }
            let value = inline ?? (position + 1 < words.count ? words[position + 1] : "")
            switch name {
            case "--log-dir": if understood { logPaths.append(value + "/log_*.log") }
            case "--stdin": logPaths.append("-")
            case "--ban": bans = bans && value != "none"
            case "--dry-run", "--self-test": bans = false
            default: break
            }
            position += (inline == nil && ["--log-dir", "--ban"].contains(name)) ? 2 : 1
        }
        return BanFacts(kind: .jellyfortWatch, location: FileLocation(path: path, line: index + 1), logPaths: logPaths, enabled: bans)
    }
}
