import Foundation
import JellyfortBase
import JellyfortCore

struct BruteForceBanControl: Control {
    static let description = ControlDescription(
        id: .authBruteForceBan, title: "Password guessers get banned by IP", guideItem: nil, severity: .medium,
        rationale:
            "Jellyfin's lockout is per account and has no timed unlock; banning the guessing address at the "
            + "firewall stops the attack without locking the owner out. The filter must match all five deny "
            + "messages in both log formats and read log_*.log.",
        remediation: Remediation(
            "Run jellyfort watch (the bundle's jellyfort-watch.service), or use the fail2ban filter and jail or the CrowdSec "
                + "acquisition from jellyfort deploy."),
        evidence: [.host])

    /// Jellyfin's deny lines in both sinks, with the address each must yield: the same samples
    /// `jellyfort watch`'s reader is tested on.
    static let denyLines = JellyfinDenyLines.samples
    static let successLine = JellyfinDenyLines.successLine

    /// fail2ban's regex dialect to ICU's: tags become an address group, `%%` is `%`.
    static func expression(_ failregex: String) -> NSRegularExpression? {
        var pattern = failregex.replacingOccurrences(of: "%%", with: "%")
        for tag in ["<ADDR>", "<HOST>", "<IP4>", "<IP6>", "<F-ID/>"] {
            pattern = pattern.replacingOccurrences(of: tag, with: "(?<jfaddr>[0-9A-Fa-f:.]+)")
        }
        return try? NSRegularExpression(pattern: pattern)
    }

    /// What a filter does with one line.
    enum Ban: Equatable {
        case address(String)
        case none
        /// The expression backtracked past its time budget: fail2ban would stall on it too.
        case tooSlow
    }

    /// A user's filter gets this long for all the sample lines together: fail2ban's own filters
    /// take microseconds a line, and a pathological one must not hang the audit.
    static let matchBudget: Duration = .milliseconds(100)

    /// The address a filter bans for a line (the date prefix removed, as fail2ban's datepattern does).
    static func bannedAddress(
        _ line: String, regexes: [NSRegularExpression], deadline: ContinuousClock.Instant = .now + matchBudget
    ) -> Ban {
        let withoutDate = line.replacingOccurrences(of: #"^\[[^\]]*\]\s*"#, with: "", options: .regularExpression)
        for candidate in [withoutDate, line] {
            let range = NSRange(candidate.startIndex..., in: candidate)
            for regex in regexes {
                var found: NSTextCheckingResult?
                var timedOut = false
                // .reportProgress calls back while a long match runs, which is where it can be stopped.
                regex.enumerateMatches(in: candidate, options: [.reportProgress], range: range) { result, _, stop in
                    if let result {
                        found = result
                        stop.pointee = true
                    } else if ContinuousClock.now > deadline {
                        timedOut = true
                        stop.pointee = true
                    }
                }
                if timedOut { return .tooSlow }
                if let found, let groupRange = Range(found.range(withName: "jfaddr"), in: candidate) {
                    return .address(String(candidate[groupRange]))
                }
            }
        }
        return .none
    }

    /// A jail whose filter or log path is Jellyfin's.
    static func isJellyfinJail(_ jail: BanFacts) -> Bool {
        (jail.filterName ?? "").lowercased().contains("jellyfin")
            || jail.logPaths.contains { $0.lowercased().contains("jellyfin") || $0.contains("log_") }
    }

    static func logPathMatches(_ glob: String) -> Bool {
        let file = "log_20261129.log"
        let last = glob.split(separator: "/").last.map(String.init) ?? glob
        return fnmatch(last, file, 0) == 0
    }

    static let examples = [
        ControlExample("the bundle's filter and jail", .pass, Sample.deployment()),
        ControlExample(
            "the old documented filter misses variants and the file name", .fail,
            Sample.deployment { view in
                view.banConfigurations = [
                    Sample.filter(#"^.*Authentication request for .* has been denied \(IP: "<ADDR>"\)\.$"#),
                    BanFacts(
                        kind: .fail2banJail, location: FileLocation(path: "jail.local", line: 3), logPaths: ["/config/log/jellyfin*.log"],
                        filterName: "jellyfin"),
                ]
            }),
        ControlExample(
            "CrowdSec reading Jellyfin's log", .pass,
            Sample.deployment {
                $0.banConfigurations = [
                    BanFacts(
                        kind: .crowdsecAcquisition, location: FileLocation(path: "acquis.yaml", line: 1),
                        logPaths: ["/config/log/log_*.log"], type: "jellyfin")
                ]
            }),
        ControlExample(
            "jellyfort watch following Jellyfin's log folder", .pass,
            Sample.deployment {
                $0.banConfigurations = [
                    BanFacts(
                        kind: .jellyfortWatch, location: FileLocation(path: "jellyfort-watch.service", line: 9),
                        logPaths: ["/srv/jellyfin/config/log/log_*.log"], enabled: true)
                ]
            }),
        ControlExample(
            "jellyfort watch in --dry-run bans nobody", .fail,
            Sample.deployment {
                $0.banConfigurations = [
                    BanFacts(
                        kind: .jellyfortWatch, location: FileLocation(path: "jellyfort-watch.service", line: 9),
                        logPaths: ["/srv/jellyfin/config/log/log_*.log"], enabled: false)
                ]
            }),
        ControlExample("no ban configuration given", .unknown, Sample.deployment { $0.banConfigurations = [] }),
    ]

    static func evaluate(_ evidence: Evidence) -> Verdict {
        evidence.withHostView { host in
            // Only what concerns Jellyfin is judged: an sshd jail beside it says nothing either way.
            let bans = host.banConfigurations.filter { ban in ban.kind != .fail2banJail || isJellyfinJail(ban) }
            guard !bans.isEmpty else {
                // Absent is not safe, and not proven unsafe either: the ban may live in files not given.
                return .unknown(
                    "no fail2ban jail or filter, CrowdSec acquisition or jellyfort-watch.service among the deployment files: "
                        + "give them (--deployment /etc/fail2ban, /etc/crowdsec/acquis.d, /etc/systemd/system/jellyfort-watch.service) "
                        + "to decide this"
                )
            }
            var findings: [Finding] = []
            var working = false
            // jellyfort watch reads every deny line with the reader these samples test; what is left
            // to check is where it reads and whether it bans.
            for watch in bans where watch.kind == .jellyfortWatch {
                if !watch.enabled {
                    findings.append(.at(watch.location, "jellyfort watch runs with --dry-run or --ban none: it decides but bans nobody"))
                } else if watch.logPaths.isEmpty {
                    findings.append(.at(watch.location, "the log folder of jellyfort watch could not be read from its command line"))
                } else if watch.logPaths.contains(where: { $0 == "-" || logPathMatches($0) }) {
                    working = true
                }
            }
            for acquisition in bans where acquisition.kind == .crowdsecAcquisition {
                if acquisition.type != "jellyfin" {
                    findings.append(
                        .at(
                            acquisition.location,
                            "labels.type is \(acquisition.type ?? "missing"), not jellyfin: the Jellyfin parser will not read it"))
                }
                if !acquisition.logPaths.contains(where: logPathMatches) {
                    findings.append(.at(acquisition.location, "no filename matches Jellyfin's log_YYYYMMDD.log"))
                }
                if acquisition.type == "jellyfin", acquisition.logPaths.contains(where: logPathMatches) { working = true }
            }
            let filters = bans.filter { $0.kind == .fail2banFilter }
            for jail in bans where jail.kind == .fail2banJail {
                var good = true
                if !jail.enabled {
                    findings.append(.at(jail.location, "the jail is not enabled"))
                    good = false
                }
                if !jail.logPaths.contains(where: logPathMatches) {
                    findings.append(
                        .at(
                            jail.location, "logpath \(jail.logPaths.joined(separator: " ")) does not match Jellyfin's log_YYYYMMDD.log",
                            ["logpath": JSONValue(jail.logPaths)]))
                    good = false
                }
                guard let filter = filters.first(where: { $0.filterName == jail.filterName }) else {
                    findings.append(
                        .at(
                            jail.location, "its filter \(jail.filterName ?? "?") is not among the deployment files, so it cannot be checked"
                        ))
                    continue
                }
                let regexes = filter.failRegexes.compactMap(expression)
                if regexes.count < filter.failRegexes.count {
                    findings.append(.at(filter.location, "a failregex is not a valid regular expression"))
                    good = false
                }
                // Stop at the first line that is too slow: one is proof enough, and the audit goes on.
                var outcomes: [Ban] = []
                let deadline = ContinuousClock.now + matchBudget
                for deny in denyLines {
                    outcomes.append(bannedAddress(deny.line, regexes: regexes, deadline: deadline))
                    if outcomes.last == .tooSlow { break }
                }
                if outcomes.contains(.tooSlow) {
                    findings.append(
                        .at(
                            filter.location,
                            "a failregex backtracks for more than \(matchBudget) on Jellyfin's deny lines (catastrophic backtracking): "
                                + "fail2ban would stall on it as well; rewrite it without nested repetition"))
                    good = false
                    continue
                }
                let missed = zip(denyLines, outcomes).filter { $0.1 != .address($0.0.address) }.map(\.0)
                if !missed.isEmpty {
                    findings.append(
                        .at(
                            filter.location,
                            "misses \(missed.count) of \(denyLines.count) deny lines, e.g. "
                                + "\(missed[0].line.split(separator: ":").dropFirst(3).joined(separator: ":").prefix(90))",
                            ["missed": .int(Int64(missed.count))]))
                    good = false
                }
                if bannedAddress(successLine, regexes: regexes) != .none {
                    findings.append(.at(filter.location, "matches successful sign-ins too"))
                    good = false
                }
                if good { working = true }
            }
            if !filters.isEmpty, !bans.contains(where: { $0.kind == .fail2banJail }) {
                findings.append(.at(filters[0].location, "a filter without a jail bans nobody"))
            }
            if working, findings.isEmpty { return .pass("a ban reads every deny line of log_*.log") }
            return .fail("password guessers would not be banned reliably", findings: findings)
        }
    }
}
