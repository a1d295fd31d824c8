import Foundation
import JellyfortBase
import JellyfortTestSupport
import Testing

@testable import JellyfortWatch

@Suite("Ban backends, piece by piece", .serialized)
struct BackendTests {
    @Test("CrowdSec: a ban becomes a decision, lifting it deletes exactly that one, a wrong password is a clear error")
    func crowdsecRoundTrip() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/crowdsec") else {
            Issue.record("crowdsec is not installed: scripts/test installs Debian's crowdsec package (offline)")
            return
        }
        let folder = temporaryDirectory("crowdsec-backend")
        defer { try? FileManager.default.removeItem(at: folder) }
        let lapi = try await CrowdSecLAPI(folder: folder)
        defer { lapi.stop() }
        let backend = CrowdSecBackend(credentialsPath: lapi.credentials, configPath: lapi.config)
        try await backend.prepare()
        let now = Date().timeIntervalSince1970
        try await backend.ban(IPAddress("203.0.113.50")!, until: now + 3600, reason: "test", now: now)
        try await backend.ban(IPAddress("2001:db8::50")!, until: now + 600, reason: "test", now: now)
        // cscli's own ban of another address stays when Jellyfort lifts its own.
        _ = try await lapi.cscli(["decisions", "add", "--ip", "198.51.100.50", "--duration", "1h", "--reason", "by hand"])
        func banned() async throws -> [String] {
            let listed = try await lapi.cscli(["decisions", "list", "-a", "-o", "json"])
            let alerts = try JSONParser.parse(listed.output).arrayValue ?? []
            return alerts.flatMap { $0["decisions"]?.arrayValue ?? [] }.compactMap { $0["value"]?.stringValue }.sorted()
        }
        let all = try await banned()
        #expect(all == ["198.51.100.50", "2001:db8::50", "203.0.113.50"])
        try await backend.unban(IPAddress("203.0.113.50")!)
        try await backend.unban(IPAddress("203.0.113.50")!)  // twice: not an error
        let left = try await banned()
        #expect(left == ["198.51.100.50", "2001:db8::50"])

        let wrong = lapi.folder.appendingPathComponent("wrong.yaml")
        try "url: \(lapi.url)\nlogin: jellyfort-test\npassword: not-the-password\n".write(to: wrong, atomically: true, encoding: .utf8)
        await #expect {
            try await CrowdSecBackend(credentialsPath: wrong.path).prepare()
        } throws: { error in
            "\(error)".contains("refused the sign-in of machine jellyfort-test") && !"\(error)".contains("not-the-password")
        }
        await #expect {
            try await CrowdSecBackend(credentialsPath: "/nonexistent/credentials.yaml").prepare()
        } throws: { error in
            "\(error)".contains("cscli machines add")
        }
    }

    @Test("firewalld: the ipsets and drop rules watch creates are accepted by firewalld's own offline checker")
    func firewalldOffline() async throws {
        let folder = temporaryDirectory("firewalld-offline")
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("etc")
        #expect(try await runTool("cp", package: "coreutils", ["-a", "/etc/firewalld", config.path]).status == 0)
        for arguments in FirewalldBackend.setupCommands(zone: "public") {
            // The offline tool writes the permanent configuration: the same arguments without --permanent.
            let result = try await runTool(
                "firewall-offline-cmd", package: "firewalld", ["--system-config=\(config.path)"] + arguments.filter { $0 != "--permanent" })
            #expect(result.status == 0, "\(arguments): \(result.output)")
        }
        let check = try await runTool("firewall-offline-cmd", package: "firewalld", ["--system-config=\(config.path)", "--check-config"])
        #expect(check.status == 0, "\(check.output)")
        let zone = try String(contentsOf: config.appendingPathComponent("zones/public.xml"), encoding: .utf8)
        #expect(zone.contains(#"<source ipset="jellyfort-banned4"/>"#) && zone.contains("<drop/>"), "\(zone)")
        let ipset = try String(contentsOf: config.appendingPathComponent("ipsets/jellyfort-banned6.xml"), encoding: .utf8)
        #expect(ipset.contains(#"value="inet6""#), "\(ipset)")
    }

    @Test("nftables self-test reads a ruleset: the bundle's passes, an accept before the ban or a missing set fails")
    func nftablesRulesetCheck() throws {
        func rule(_ expressions: String) -> String {
            #"{"rule": {"family": "inet", "table": "jellyfort", "chain": "input", "expr": [\#(expressions)]}}"#
        }
        let sets =
            #"{"set": {"family": "inet", "table": "jellyfort", "name": "banned4", "flags": ["timeout"]}}, {"set": {"family": "inet", "table": "jellyfort", "name": "banned6", "flags": ["timeout"]}}"#
        let chain = #"{"chain": {"family": "inet", "table": "jellyfort", "name": "input", "hook": "input"}}"#
        let lo = rule(#"{"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "lo"}}, {"accept": null}"#)
        func drop(_ set: String, ports: String) -> String {
            rule(
                #"{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": "@\#(set)"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": \#(ports)}}, {"drop": null}"#
            )
        }
        let accept443 = rule(
            #"{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 443}}, {"accept": null}"#)
        func check(_ items: [String]) throws -> SelfTestResult {
            NFTablesBackend.check(ruleset: try JSONParser.parse(#"{"nftables": ["# + items.joined(separator: ", ") + "]}"))
        }
        let good = try check([
            sets, chain, lo, drop("banned4", ports: #"{"set": [80, 443]}"#), drop("banned6", ports: #"{"set": [80, 443]}"#),
        ])
        #expect(good.effective, "\(good.lines)")
        let late = try check([sets, chain, lo, accept443, drop("banned4", ports: "443"), drop("banned6", ports: "443")])
        #expect(!late.effective)
        let wrongPort = try check([sets, chain, drop("banned4", ports: "8096"), drop("banned6", ports: "8096")])
        #expect(!wrongPort.effective)
        let noSets = try check([chain, drop("banned4", ports: "443"), drop("banned6", ports: "443")])
        #expect(!noSets.effective)
        let range = try check([
            sets, chain, drop("banned4", ports: #"{"set": [{"range": [1, 1024]}]}"#),
            drop("banned6", ports: #"{"set": [{"range": [400, 500]}]}"#),
        ])
        #expect(range.effective, "\(range.lines)")
    }
}
