import ArgumentParser
import Foundation
import JellyfinAPI
import JellyfortBase
import JellyfortWatch

/// Where a ban goes.
enum BanBackendName: String, ExpressibleByArgument, CaseIterable {
    case nftables, firewalld, crowdsec, none
}

enum WatchFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

extension Jellyfort {
    struct Watch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Follow Jellyfin's log and ban password guessers at the firewall.",
            discussion: """
                Reads every refused sign-in Jellyfin writes (all five messages, both log formats), and bans an \
                address after --max-retry failures within --find-time, for --ban-time (doubled for each repeat, up to \
                a week). It also reports password spraying (one address, many names), one name tried from many \
                addresses, and accounts Jellyfin locked out. It never bans this machine, --lan-cidr, --proxy, \
                --allow or the CDN's ranges, and says so when it spares one. Its position in the log and its bans \
                survive a restart (--state).

                Examples (as root, for the firewall):
                  jellyfort watch --log-dir /var/log/jellyfin --lan-cidr 192.168.1.0/24
                  podman logs -f --tail 0 jellyfin 2>&1 | jellyfort watch --stdin
                What would be banned, nothing done:
                  jellyfort watch --log-dir ~/jellyfin/config/log --once --dry-run
                Whether a ban would really drop anything:
                  jellyfort watch --self-test --ban nftables

                Exit codes: 0 done (or stopped); 1 --self-test found that a ban would not stop anything; 2 watch \
                could not run (a state, log folder or backend it cannot use); 64 usage error.
                """)

        @Option(name: .customLong("log-dir"), help: ArgumentHelp("Jellyfin's log folder (log_YYYYMMDD.log files).", valueName: "dir"))
        var logDir: String?

        @Flag(
            name: .customLong("stdin"),
            help: "Read console lines from standard input: only new ones (podman logs -f --tail 0, journalctl -f -n 0 -o cat).")
        var standardInput = false

        @Option(help: "Where bans go: nftables, firewalld, crowdsec, or none (decide and report only).")
        var ban: BanBackendName = .nftables

        @Option(
            help: ArgumentHelp(
                "The state database (default: /var/lib/jellyfort/watch.sqlite as root, else ~/.local/state/jellyfort/).",
                valueName: "file"))
        var state: String?

        @Option(name: .customLong("allow"), help: ArgumentHelp("Never ban this address or range. Repeatable.", valueName: "ip/cidr"))
        var allow: [String] = []

        @Option(name: .customLong("lan-cidr"), help: ArgumentHelp("Your LAN: never banned. Repeatable.", valueName: "cidr"))
        var lanCIDRs: [String] = []

        @Option(name: .customLong("proxy"), help: ArgumentHelp("Your reverse proxy's address: never banned. Repeatable.", valueName: "ip"))
        var proxies: [String] = []

        @Option(help: ArgumentHelp("The CDN in front (cloudflare): its addresses are never banned.", valueName: "name"))
        var cdn: String?

        @Option(name: .customLong("max-retry"), help: ArgumentHelp("Failures that earn a ban (default 5).", valueName: "n"))
        var maxRetry: Int?

        @Option(name: .customLong("find-time"), help: ArgumentHelp("The window they are counted in (default 10m).", valueName: "duration"))
        var findTime: String?

        @Option(name: .customLong("ban-time"), help: ArgumentHelp("The first ban's length (default 1h).", valueName: "duration"))
        var banTime: String?

        @Flag(help: "Read what the log holds now, then exit (for cron and tests).")
        var once = false

        @Flag(name: .customLong("dry-run"), help: "Decide and report, ban nothing (the state is kept only with an explicit --state).")
        var dryRun = false

        @Option(help: "One line per decision (text), or one JSON object per line (json).")
        var format: WatchFormat = .text

        @Option(
            name: .customLong("metrics-listen"),
            help: ArgumentHelp("Serve Prometheus metrics on this address, e.g. 127.0.0.1:9818.", valueName: "host:port"))
        var metricsListen: String?

        @Option(
            name: .customLong("notify-url"), help: ArgumentHelp("POST each ban and alert as JSON here (ntfy, Gotify).", valueName: "url"))
        var notifyURL: String?

        @Option(
            name: .customLong("crowdsec-credentials"),
            help: ArgumentHelp("The machine credentials for --ban crowdsec (cscli machines add).", valueName: "file"))
        var crowdsecCredentials = "/etc/crowdsec/local_api_credentials.yaml"

        @Option(
            name: .customLong("crowdsec-config"),
            help: ArgumentHelp("CrowdSec's config.yaml, for --self-test to ask cscli which bouncers enforce bans.", valueName: "file"))
        var crowdsecConfig: String?

        @Option(
            name: .customLong("firewalld-zone"),
            help: ArgumentHelp("The zone for --ban firewalld (default: the default zone).", valueName: "zone"))
        var firewalldZone: String?

        @Flag(name: .customLong("self-test"), help: "Check that a ban through --ban would really drop traffic, then exit.")
        var selfTest = false

        @OptionGroup(title: "Server (optional: alerts on new administrators and controls that fail again)")
        var server: ServerOptions

        func validate() throws {
            if !selfTest {
                guard (logDir != nil) != standardInput else {
                    throw ValidationError("give one source: --log-dir DIR (Jellyfin's log folder) or --stdin")
                }
            }
            if let maxRetry, !(1...1000).contains(maxRetry) { throw ValidationError("--max-retry takes 1 to 1000, got \(maxRetry)") }
            for (flag, value) in [("--find-time", findTime), ("--ban-time", banTime)] {
                if let value, WatchDuration.seconds(value) == nil {
                    throw ValidationError("\(flag) takes a duration such as 600, 10m, 1h or 2d, got '\(Sanitized.terminal(value))'")
                }
            }
            for value in lanCIDRs + allow + proxies where IPNetwork(value) == nil {
                throw ValidationError("'\(Sanitized.terminal(value))' is not an IP address or CIDR range (e.g. 192.168.1.0/24)")
            }
            if let cdn, cdn != "cloudflare" { throw ValidationError("--cdn knows only cloudflare, got '\(Sanitized.terminal(cdn))'") }
            if let metricsListen, Self.hostAndPort(metricsListen) == nil {
                throw ValidationError("--metrics-listen takes HOST:PORT, e.g. 127.0.0.1:9818, got '\(Sanitized.terminal(metricsListen))'")
            }
            if let notifyURL, !(notifyURL.hasPrefix("https://") || notifyURL.hasPrefix("http://")) || URL(string: notifyURL)?.host == nil {
                throw ValidationError("--notify-url takes an http(s) address, e.g. https://ntfy.sh/my-topic")
            }
        }

        static func hostAndPort(_ text: String) -> (String, Int)? {
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
                return nil
            }
            var host = String(text[..<colon])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            return host.isEmpty ? nil : (host, port)
        }

        func run() async throws {
            let (resolved, serverOptions) = try server.resolve(RunSettings.Flags(lanCIDRs: lanCIDRs, allow: allow, cdn: cdn))
            let backend = makeBackend()
            if selfTest {
                let result = await backend.selfTest()
                for line in result.lines { try? StandardStream.output.write(Sanitized.terminal(line) + "\n") }
                let verdict =
                    result.effective
                    ? "a ban through \(backend.name) drops traffic" : "a ban through \(backend.name) would NOT stop anything"
                try? StandardStream.output.write("self-test: \(verdict)\n")
                if !result.effective { throw ExitCode(AuditExit.failures) }
                return
            }
            let source: WatchSource = logDir.map { .logDirectory(Self.expand($0)) } ?? .standardInput
            // Before anything is set up: --once has nothing to wait for.
            if case .logDirectory(let folder) = source, once, !FileManager.default.fileExists(atPath: folder) {
                Terminal.error("the log folder \(folder) does not exist; give Jellyfin's log folder (e.g. /var/log/jellyfin or CONFIG/log)")
                throw ExitCode(AuditExit.incomplete)
            }
            var settings = WatchSettings()
            if let maxRetry { settings.maxRetry = maxRetry }
            if let findTime, let seconds = WatchDuration.seconds(findTime) { settings.findTime = seconds }
            if let banTime, let seconds = WatchDuration.seconds(banTime) { settings.banTime = seconds }
            settings.exemptions = Exemptions(
                lan: resolved.lanCIDRs.compactMap(IPNetwork.init), proxies: proxies.compactMap(IPNetwork.init),
                allowed: resolved.allow.compactMap(IPNetwork.init), cdn: try cdnRanges(resolved.cdn))

            let store: WatchStore?
            do {
                store = try (dryRun && state == nil) ? nil : WatchStore(path: state ?? Self.defaultStatePath())
            } catch {
                Terminal.error(error.description)
                throw ExitCode(AuditExit.incomplete)
            }
            let metrics = WatchMetrics(backend: dryRun ? "dry-run" : backend.name)
            var endpoint: MetricsEndpoint?
            if let metricsListen, let (host, port) = Self.hostAndPort(metricsListen) {
                do { endpoint = try await MetricsEndpoint.start(host: host, port: port, metrics: metrics) } catch {
                    Terminal.error("cannot serve metrics on \(metricsListen): \(error); choose another --metrics-listen")
                    throw ExitCode(AuditExit.incomplete)
                }
            }
            let json = format == .json
            let watcher: Watcher
            do {
                watcher = try Watcher(
                    source: source, settings: settings, backend: backend, dryRun: dryRun, store: store, metrics: metrics,
                    notifier: notifyURL.map(Notifier.init(url:)),
                    emit: { decision in
                        let line = json ? JSONWriter.string(decision.json) : Sanitized.terminal(decision.text)
                        try? StandardStream.output.write(line + "\n")
                    },
                    warn: { Terminal.warning($0) })
                try await watcher.start()
            } catch {
                Terminal.error(error.description)
                throw ExitCode(AuditExit.incomplete)
            }
            let serverWatch = serverOptions.server == nil ? nil : ServerWatch(options: serverOptions, resolved: resolved, store: store)
            do {
                try await follow(watcher, source: source, serverWatch: serverWatch)
            } catch {
                Terminal.error(error.description)
                await endpoint?.stop()
                throw ExitCode(AuditExit.incomplete)
            }
            await watcher.finish()
            await endpoint?.stop()
            if format == .text {
                let totals = await watcher.totals
                let counts = await watcher.decisionCounts
                let denies = totals.denyLines.values.reduce(0, +)
                var summary =
                    "read \(totals.lines) line\(totals.lines == 1 ? "" : "s"), \(denies) refused sign-in\(denies == 1 ? "" : "s"); "
                summary += "\(counts[.ban] ?? 0) ban\((counts[.ban] ?? 0) == 1 ? "" : "s")\(dryRun ? " (dry run: nothing banned)" : ""), "
                summary += "\(counts[.alert] ?? 0) alert\((counts[.alert] ?? 0) == 1 ? "" : "s")"
                if totals.overlong > 0 { summary += "; \(totals.overlong) overlong line\(totals.overlong == 1 ? "" : "s") skipped" }
                try? StandardStream.error.write("jellyfort: \(summary)\n")
            }
        }

        /// Reads until the end (`--once`, or the end of standard input) or until stopped.
        private func follow(_ watcher: Watcher, source: WatchSource, serverWatch: ServerWatch?) async throws(WatchFailure) {
            var lastServerCheck = Date.distantPast
            switch source {
            case .standardInput:
                if let serverWatch, once {
                    await serverWatch.check(watcher)
                    lastServerCheck = Date()
                }
                while try await watcher.readStandardInput() {
                    if let serverWatch, Date().timeIntervalSince(lastServerCheck) >= ServerWatch.interval {
                        lastServerCheck = Date()
                        await serverWatch.check(watcher)
                    }
                }
            case .logDirectory:
                while true {
                    let read = try await watcher.poll()
                    if let serverWatch, once || Date().timeIntervalSince(lastServerCheck) >= ServerWatch.interval {
                        lastServerCheck = Date()
                        await serverWatch.check(watcher)
                    }
                    if once { break }
                    if !read {
                        try? await Task.sleep(for: .milliseconds(50))
                        try await watcher.expire(now: Date().timeIntervalSince1970)
                    }
                }
            }
        }

        func makeBackend() -> any BanBackend {
            switch ban {
            case .nftables: NFTablesBackend()
            case .firewalld: FirewalldBackend(zone: firewalldZone)
            case .crowdsec: CrowdSecBackend(credentialsPath: crowdsecCredentials, configPath: crowdsecConfig)
            case .none: NoBackend()
            }
        }

        func cdnRanges(_ name: String?) throws -> CDNRanges? {
            guard let name else { return nil }
            do { return try CDNRanges.bundled(name) } catch {
                Terminal.error(error.description)
                throw ExitCode(AuditExit.usage)
            }
        }

        static func expand(_ path: String) -> String { NSString(string: path).expandingTildeInPath }

        static func defaultStatePath() -> String {
            if geteuid() == 0 { return "/var/lib/jellyfort/watch.sqlite" }
            let environment = ProcessInfo.processInfo.environment
            let base = environment["XDG_STATE_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? (NSHomeDirectory() + "/.local/state")
            return base + "/jellyfort/watch.sqlite"
        }
    }
}
