import Foundation
import JellyfortCore

/// Splits a shell command line into words: quotes, backslash escapes, and `$(…)` kept whole.
enum ShellWords {
    static func split(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var depth = 0
        var iterator = Array(text)
        var index = 0
        while index < iterator.count {
            let character = iterator[index]
            defer { index += 1 }
            if let open = quote {
                if character == open {
                    quote = nil
                } else if character == "\\", open == "\"", index + 1 < iterator.count {
                    index += 1
                    current.append(iterator[index])
                } else {
                    current.append(character)
                }
                continue
            }
            if depth > 0 {
                current.append(character)
                if character == "(" { depth += 1 } else if character == ")" { depth -= 1 }
                continue
            }
            switch character {
            case "'", "\"":
                quote = character
                inWord = true
            case "\\":
                if index + 1 < iterator.count {
                    index += 1
                    if iterator[index] != "\n" {
                        current.append(iterator[index])
                        inWord = true
                    }
                }
            case "$" where index + 1 < iterator.count && iterator[index + 1] == "(":
                current.append("$(")
                index += 1
                depth = 1
                inWord = true
            case " ", "\t", "\n":
                if inWord {
                    words.append(current)
                    current = ""
                    inWord = false
                }
            case ";", "&", "|":
                if inWord {
                    words.append(current)
                    current = ""
                    inWord = false
                }
                words.append(String(character))
            default:
                current.append(character)
                inWord = true
            }
        }
        if inWord { words.append(current) }
        iterator.removeAll()
        return words
    }
}

/// `podman run …` / `docker run …` (or `create`) in a shell script.
enum RunCommandParser {
    /// Options of `podman run` (Podman 5) and `docker run` (Docker 27) that take a value: the next
    /// word, unless written `--option=value` (or, for a short one, `-vVALUE`).
    static let valued: Set<String> = [
        "--add-host", "--annotation", "--arch", "-a", "--attach", "--authfile", "--blkio-weight", "--blkio-weight-device", "--cap-add",
        "--cap-drop", "--cgroup-conf", "--cgroup-parent", "--cgroupns", "--cgroups", "--chrootdirs", "--cidfile", "--conmon-pidfile",
        "--cpu-count", "--cpu-percent", "--cpu-period", "--cpu-quota", "--cpu-rt-period", "--cpu-rt-runtime", "-c", "--cpu-shares",
        "--cpus", "--cpuset-cpus", "--cpuset-mems", "--decryption-key", "--detach-keys", "--device", "--device-cgroup-rule",
        "--device-read-bps", "--device-read-iops", "--device-write-bps", "--device-write-iops", "--dns", "--dns-opt", "--dns-option",
        "--dns-search", "--domainname", "--entrypoint", "-e", "--env", "--env-file", "--env-merge", "--expose", "--gidmap", "--gpus",
        "--group-add", "--group-entry", "--health-cmd", "--health-interval", "--health-log-destination", "--health-max-log-count",
        "--health-max-log-size", "--health-on-failure", "--health-retries", "--health-start-interval", "--health-start-period",
        "--health-startup-cmd", "--health-startup-interval", "--health-startup-retries", "--health-startup-success",
        "--health-startup-timeout", "--health-timeout", "-h", "--hostname", "--hostuser", "--image-volume", "--init-path",
        "--io-maxbandwidth", "--io-maxiops", "--ip", "--ip6", "--ipc", "--isolation", "--kernel-memory", "-l", "--label", "--label-file",
        "--link", "--link-local-ip", "--log-driver", "--log-opt", "--mac-address", "-m", "--memory", "--memory-reservation",
        "--memory-swap", "--memory-swappiness", "--mount", "--name", "--net", "--network", "--network-alias", "--oom-score-adj", "--os",
        "--passwd-entry", "--personality", "--pid", "--pidfile", "--pids-limit", "--platform", "--pod", "--pod-id-file",
        "--preserve-fd", "--preserve-fds", "-p", "--publish", "--pull", "--rdt-class", "--requires", "--restart", "--retry",
        "--retry-delay", "--runtime", "--runtime-flag", "--sdnotify", "--seccomp-policy", "--secret", "--security-opt",
        "--shm-size", "--shm-size-systemd", "--stop-signal", "--stop-timeout", "--storage-opt", "--subgidname", "--subuidname",
        "--sysctl", "--systemd", "--timeout", "--tmpfs", "--tz", "--uidmap", "--ulimit", "--umask", "--unsetenv", "-u", "--user",
        "--userns", "--uts", "--variant", "-v", "--volume", "--volume-driver", "--volumes-from", "-w", "--workdir",
    ]

    /// Options that take no value (`--rm`, `-d`, and `--flag=false` forms).
    static let switches: Set<String> = [
        "-d", "--detach", "-i", "--interactive", "-t", "--tty", "--rm", "--replace", "--privileged", "--init", "--read-only",
        "--read-only-tmpfs", "-P", "--publish-all", "--no-healthcheck", "--no-hosts", "--no-hostname", "--oom-kill-disable",
        "--http-proxy", "-q", "--quiet", "--sig-proxy", "--disable-content-trust", "--env-host", "--rmi", "--passwd", "--help",
    ]

    static func parse(_ text: String, path: String) -> [ContainerFacts] {
        let joined = text.replacingOccurrences(of: "\\\r\n", with: " ").replacingOccurrences(of: "\\\n", with: " ")
        var results: [ContainerFacts] = []
        for (index, line) in joined.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("#") { continue }
            let words = ShellWords.split(String(line))
            var position = 0
            while position < words.count {
                let word = words[position]
                let engine = word.split(separator: "/").last.map(String.init) ?? word
                if ["podman", "docker"].contains(engine), position + 1 < words.count, ["run", "create"].contains(words[position + 1]) {
                    let rootful = words[..<position].contains("sudo")
                    let lineNumber = lineNumberOf(occurrence: results.count, engine: word, in: text) ?? index + 1
                    var flags = ContainerFlags(
                        source: .runCommand, location: FileLocation(path: path, line: lineNumber), engine: engine, rootful: rootful)
                    let rest = Array(words[(position + 2)...].prefix { !["|", ";", "&"].contains($0) })
                    let image = apply(rest, to: &flags, line: lineNumber)
                    flags.facts.image = image
                    results.append(flags.facts)
                    position += 2 + rest.count
                } else {
                    position += 1
                }
            }
        }
        return results
    }

    /// The line of the n-th `podman`/`docker` run command in the original text.
    static func lineNumberOf(occurrence: Int, engine: String, in text: String) -> Int? {
        var seen = 0
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where line.range(of: #"(^|[\s/])(podman|docker)\s+(run|create)\b"#, options: .regularExpression) != nil
            && !line.trimmingCharacters(in: .whitespaces).hasPrefix("#")
        {
            if seen == occurrence { return index + 1 }
            seen += 1
        }
        return nil
    }

    /// Applies run flags; returns the image (the first word that is not an option).
    @discardableResult
    static func apply(_ words: [String], to flags: inout ContainerFlags, line: Int?) -> String? {
        var index = 0
        while index < words.count {
            var word = words[index]
            var value: String?
            if word == "--" {
                return index + 1 < words.count ? words[index + 1] : nil
            } else if word.hasPrefix("--"), let equals = word.firstIndex(of: "=") {
                value = String(word[word.index(after: equals)...])
                word = String(word[..<equals])
            } else if valued.contains(word) {
                guard index + 1 < words.count else {
                    flags.facts.notUnderstood.append("\(word) has no value")
                    return nil
                }
                index += 1
                value = words[index]
            } else if word.hasPrefix("-"), !word.hasPrefix("--"), word.count > 2 {
                // -p8096:8096 (a value attached), or -dit (switches together).
                let option = String(word.prefix(2))
                if valued.contains(option) {
                    value = String(word.dropFirst(2))
                    word = option
                } else if word.dropFirst().allSatisfy({ switches.contains("-\($0)") }) {
                    index += 1
                    continue
                }
            } else if word.hasPrefix("$") {
                // An unquoted variable where an option or the image belongs may stand for several options.
                flags.facts.notUnderstood.append("\(word) stands where options or the image belong, and its value is not in the file")
                return nil
            } else if !word.hasPrefix("-") {
                return word
            }
            if value == nil, !switches.contains(word), !valued.contains(word) {
                // Whether it takes a value decides which word is the image: never guess.
                flags.facts.notUnderstood.append("the option \(word), which Jellyfort does not know")
                return nil
            }
            index += 1
            switch (word, value) {
            case ("--privileged", _): flags.facts.privileged = value.map { $0 != "false" } ?? true
            case ("-p", let v?), ("--publish", let v?): flags.publish(v, line: line)
            case ("-v", let v?), ("--volume", let v?): flags.volume(v, line: line)
            case ("--mount", let v?): flags.mount(v, line: line)
            case ("-u", let v?), ("--user", let v?): flags.facts.user = v
            case ("--userns", let v?): flags.facts.userNamespace = v
            case ("--network", let v?), ("--net", let v?): flags.facts.network = v
            case ("--label", let v?), ("-l", let v?): flags.label(v)
            case ("--security-opt", let v?): flags.securityOption(v)
            case ("--cap-add", let v?): flags.capabilityAdd(v)
            case ("--cap-drop", let v?): flags.capabilityDrop(v)
            case ("--device", let v?): flags.facts.devices.append(String(v.split(separator: ":").first ?? ""))
            case ("--pid", let v?): flags.facts.pidHost = v == "host"
            case ("--ipc", let v?): flags.facts.ipcHost = v == "host"
            default: break
            }
        }
        return nil
    }
}
