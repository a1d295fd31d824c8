import Foundation
import JellyfortAudit
import JellyfortBase
import JellyfortCore
import JellyfortDeploy
import JellyfortTestSupport
import Testing

@testable import JellyfortControls
@testable import JellyfortHost

/// The corpus of realistic deployment files (`Tests/Fixtures/corpus`): every case audited as
/// `audit --deployment CASE` does, each host control's status exactly as reviewed in
/// `expected.json`, so a reader change that turns anything into a `pass` fails here first.
@Suite("the deployment corpus: no false pass")
struct DeploymentCorpusTests {
    static let corpus = fixturesFolder.appendingPathComponent("corpus")

    static func expected() throws -> [String: [String: String]] {
        let data = try Data(contentsOf: corpus.appendingPathComponent("expected.json"))
        let object = try #require(try JSONParser.parse(Array(data)).objectValue)
        var result: [String: [String: String]] = [:]
        for (name, value) in object.pairs {
            var statuses: [String: String] = [:]
            for (key, status) in value.objectValue.map({ Array($0.pairs) }) ?? [] { statuses[key] = status.stringValue }
            result[name] = statuses
        }
        return result
    }

    @Test("at least 40 files in the styles people use")
    func size() throws {
        let files = try #require(FileManager.default.enumerator(atPath: Self.corpus.path)).compactMap { $0 as? String }
            .filter { !$0.hasSuffix("expected.json") && !$0.hasSuffix("README.md") }
            .filter { path in
                var isFolder: ObjCBool = false
                return FileManager.default.fileExists(atPath: Self.corpus.appendingPathComponent(path).path, isDirectory: &isFolder)
                    && !isFolder.boolValue
            }
        #expect(files.count >= 40, "\(files.count) files")
    }

    @Test("every case gets exactly the reviewed statuses; every unknown names its cause", arguments: try expected().keys.sorted())
    func reviewed(_ name: String) async throws {
        let wanted = try #require(try Self.expected()[name])
        let run = await AuditRunner().run(
            client: nil, settings: AuditSettings(deploymentPaths: [Self.corpus.appendingPathComponent(name).path]))
        for result in run.report.controls {
            guard let expected = wanted[result.id] else { continue }
            #expect(
                result.status.rawValue == expected,
                "\(name): \(result.id) is \(result.status.rawValue), reviewed \(expected): \(result.summary)")
            if result.status == .unknown {
                let summary = result.summary
                #expect(
                    ["needs", "no ", "not ", "cannot", ":"].contains { summary.contains($0) } && summary.count > 20,
                    "\(name): \(result.id) is unknown without a cause: '\(summary)'")
            }
        }
    }

    @Test(
        "fail2ban-regex, the real program, matches the same deny lines in the corpus filters as Jellyfort's reading",
        arguments: [
            "22-fail2ban-good-and-other-jails/filter.d/jellyfin.conf", "23-fail2ban-docs-regex/filter.d/jellyfin.conf",
        ])
    func fail2banAgrees(_ filterPath: String) async throws {
        let folder = temporaryDirectory("f2b-agree")
        defer { try? FileManager.default.removeItem(at: folder) }
        // Jellyfin's file format (the console lines have no date fail2ban-regex could use).
        let lines = BruteForceBanControl.denyLines.filter { $0.line.hasPrefix("[2026-") }
        let log = folder.appendingPathComponent("log_20261129.log")
        try (lines.map(\.line) + [BruteForceBanControl.successLine]).joined(separator: "\n").appending("\n")
            .write(to: log, atomically: true, encoding: .utf8)
        let filter = Self.corpus.appendingPathComponent(filterPath)
        let text = try String(contentsOf: filter, encoding: .utf8)
        let regexes = text.split(separator: "\n").filter { $0.hasPrefix("failregex") }
            .compactMap { $0.split(separator: "=", maxSplits: 1).last.map { String($0).trimmingCharacters(in: .whitespaces) } }
            .compactMap(BruteForceBanControl.expression)
        let ours = lines.filter { BruteForceBanControl.bannedAddress($0.line, regexes: regexes) != .none }.count
        let result = try await runTool("fail2ban-regex", package: "fail2ban", [log.path, filter.path])
        let summary = try #require(result.output.split(separator: "\n").first { $0.hasPrefix("Lines:") }, "\(result.output.suffix(400))")
        let numbers = summary.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        #expect(numbers.count >= 4)
        #expect(
            numbers.count >= 3 && numbers[2] == ours,
            "fail2ban-regex matched \(numbers.count >= 3 ? numbers[2] : -1), Jellyfort \(ours): \(summary)")
    }

    /// Every Caddyfile of the corpus and of a generated bundle.
    static func caddyfiles() throws -> [String] {
        let corpus = try FileManager.default.contentsOfDirectory(atPath: corpus.path).sorted()
            .map { Self.corpus.appendingPathComponent($0).appendingPathComponent("Caddyfile").path }
            .filter { FileManager.default.fileExists(atPath: $0) }
        return corpus
    }

    /// The corpus's Caddyfiles and the ones deploy writes into `folder` (with an allow-list, and behind a CDN).
    static func caddyfiles(withBundlesIn folder: URL) throws -> [String] {
        var files = try caddyfiles()
        for (index, cdn) in [false, true].enumerated() {
            let spec = try DeploymentSpec(
                domain: "reels-7f3k.example.org", mediaPath: "/srv/media", configPath: "/srv/jf/config", cachePath: "/srv/jf/cache",
                allow: ["198.51.100.0/24"].compactMap(IPNetwork.init), lan: ["192.168.1.0/24"].compactMap(IPNetwork.init),
                cdn: cdn ? try CDNRanges.bundled("cloudflare") : nil, owner: DeploymentOwner(name: "mira", home: "/home/mira"))
            let bundle = folder.appendingPathComponent("\(index)")
            _ = try DeploymentBundle(spec).write(to: bundle, force: false)
            files.append(bundle.appendingPathComponent("Caddyfile").path)
        }
        return files
    }

    @Test(
        "caddy adapt, Caddy's own parser, agrees with Jellyfort's reading of every Caddyfile (hosts and upstreams); where it refuses a file, Jellyfort does not judge it"
    )
    func caddyAdaptAgrees() async throws {
        let bundles = temporaryDirectory("adapt-bundles")
        defer { try? FileManager.default.removeItem(at: bundles) }
        let files = try Self.caddyfiles(withBundlesIn: bundles)
        #expect(files.count >= 10)
        for path in files {
            let adapted = try await runTool("caddy", package: "caddy", ["adapt", "--config", path, "--adapter", "caddyfile"])
            let sites = DeploymentReader().read([path]).proxies
            guard adapted.status == 0, let json = try? JSONParser.parse(Array(adapted.output.utf8)) else {
                #expect(sites.isEmpty || sites.allSatisfy { !$0.notUnderstood.isEmpty }, "\(path): Caddy refuses it, Jellyfort judged it")
                continue
            }
            var hosts: Set<String> = []
            var dials: Set<String> = []
            func walk(_ value: JSONValue) {
                if let object = value.objectValue {
                    for (key, item) in object.pairs {
                        if key == "host", let list = item.arrayValue { hosts.formUnion(list.compactMap(\.stringValue)) }
                        if key == "dial", let dial = item.stringValue { dials.insert(dial) }
                        walk(item)
                    }
                } else if let list = value.arrayValue {
                    list.forEach(walk)
                }
            }
            walk(json)
            let ours = Set(
                sites.flatMap(\.addresses).compactMap { address -> String? in
                    var name = address
                    for scheme in ["http://", "https://"] where name.hasPrefix(scheme) { name = String(name.dropFirst(scheme.count)) }
                    name = String(name.split(separator: ":", omittingEmptySubsequences: false).first ?? "")
                    return name.isEmpty ? nil : name
                })
            #expect(ours == hosts, "\(path): Jellyfort read hosts \(ours.sorted()), Caddy \(hosts.sorted())")
            #expect(Set(sites.flatMap(\.upstreams)) == dials, "\(path): upstreams \(sites.flatMap(\.upstreams)) vs \(dials.sorted())")
            #expect(sites.allSatisfy { $0.notUnderstood.isEmpty }, "\(path): Caddy reads it whole, Jellyfort did not")
        }
    }

    /// The facts of a site that the controls read, normalised for comparison.
    struct Essence: Equatable, CustomStringConvertible {
        var names: Set<String>
        var upstreams: Set<String>
        var headersSet: Set<String>
        var headersRemoved: Set<String>
        var blocksMetrics: Bool
        var logsAccess: Bool
        var redacted: Set<String>
        var allowed: Set<String>
        var viewers: [String]
        var trusted: Set<String>
        var aborts: Bool
        var plain: Bool

        init(_ site: ProxySiteFacts) {
            names = Set(site.addresses.compactMap(CaddyAdapt.hostName))
            upstreams = Set(site.upstreams)
            headersSet = Set(site.responseHeadersSet.map { $0.lowercased() })
            headersRemoved = Set(site.responseHeadersRemoved.map { $0.lowercased() })
            blocksMetrics = site.blocksMetrics
            logsAccess = site.logsAccess
            redacted = Set(site.redactedQueryParameters)
            allowed = Set(site.allowedSources)
            viewers = site.forwardedViewerPatterns
            trusted = Set(site.trustedProxies)
            aborts = site.aborts
            plain =
                site.tlsOff
                || site.addresses.contains {
                    $0.hasPrefix("http://") || $0.hasSuffix(":80") || ($0.hasPrefix(":") && $0 != ":443" && !site.hasOwnCertificate)
                }
        }

        var description: String {
            "\(names.sorted()) up \(upstreams.sorted()) set \(headersSet.sorted()) del \(headersRemoved.sorted()) metrics \(blocksMetrics) "
                + "log \(logsAccess) redacted \(redacted.sorted()) allowed \(allowed.sorted()) viewers \(viewers) trusted \(trusted.sorted()) "
                + "aborts \(aborts) plain \(plain)"
        }
    }

    @Test("Caddy's JSON (preferred when Caddy is installed) and the Caddyfile reader give the same facts for every Caddyfile")
    func bothReadersAgree() async throws {
        let bundles = temporaryDirectory("agree-bundles")
        defer { try? FileManager.default.removeItem(at: bundles) }
        let files = try Self.caddyfiles(withBundlesIn: bundles)
        var compared = 0
        for path in files {
            guard case .read(let json) = CaddyAdapt.read(path) else { continue }
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let ours = CaddyfileParser.parse(text, path: path).map(Essence.init)
            let caddys = CaddyJSONReader.sites(json, path: path).map(Essence.init)
            #expect(ours.count == caddys.count, "\(path): \(ours.count) sites read from the Caddyfile, \(caddys.count) from Caddy's JSON")
            for site in ours {
                let twin = caddys.first { $0.names == site.names }
                #expect(twin == site, "\(path):\n  Caddyfile: \(site)\n  Caddy:     \(twin.map(\.description) ?? "missing")")
            }
            compared += 1
        }
        #expect(compared >= 8, "Caddy read \(compared) of \(files.count) files")
    }
}
