import Foundation
import JellyfinAPI
import JellyfinEmulator
import JellyfortAudit
import JellyfortCore
import JellyfortReport
import JellyfortTestSupport
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// A real report: the insecure emulator audited in-process, with one deployment-style finding
/// added so that file locations are exercised too.
func insecureReport() async throws -> AuditReport {
    try await withEmulator("insecure") { fixture in
        let client = try fixture.client()
        let run = await AuditRunner().run(client: client, settings: AuditSettings(now: Date(timeIntervalSince1970: 1_795_000_000)))
        await client.shutdown()
        var report = run.report
        if let index = report.controls.firstIndex(where: { $0.id == "network.cors" }) {
            report.controls[index].findings.append(
                Finding(
                    subject: "file:Caddyfile", message: "a <script> & \"quotes\"",
                    location: FileLocation(path: "deploy/Caddyfile", line: 12)))
        }
        return report
    }
}

@Suite("Report formats")
struct ReportFormatTests {
    @Test("json: one document that validates against the shipped JSON Schema and decodes back")
    func json() async throws {
        let report = try await insecureReport()
        let text = try ReportFormat.json.render(report)
        let document = try JSONParser.parse(text)
        let schemaData = try Data(contentsOf: repositoryRoot.appendingPathComponent("schemas/report-v1.schema.json"))
        let schema = try #require(try JSONParser.parse(Array(schemaData)).objectValue)
        let problems = JSONSchemaValidator(schema: schema).validate(document)
        #expect(problems.isEmpty, "\(problems.prefix(5))")
        let object = try #require(document.objectValue)
        #expect(object["schemaVersion"] == 1)
        #expect(object["summary"]?.objectValue?["not_applicable"] == 1)
        #expect(object["startedAt"] == "2026-11-18T11:06:40Z")
        let guideItems = object["controls"]?.arrayValue?.compactMap { $0.objectValue?["guideItem"] } ?? []
        #expect(guideItems.contains(.null), "guideItem is null, not absent, beyond the guide")
        #expect(try AuditReport.decode(Data(text.utf8)).controls.count == 37)
    }

    @Test("the schema itself rejects a broken report")
    func schemaCatchesMistakes() throws {
        let schemaData = try Data(contentsOf: repositoryRoot.appendingPathComponent("schemas/report-v1.schema.json"))
        let schema = try #require(try JSONParser.parse(Array(schemaData)).objectValue)
        let broken: JSONValue = ["schemaVersion": 2, "tool": ["name": "other"], "controls": [["id": "Bad Id", "status": "maybe"]]]
        let problems = JSONSchemaValidator(schema: schema).validate(broken)
        #expect(problems.contains { $0.contains("schemaVersion") })
        #expect(problems.contains { $0.contains("status") })
        #expect(problems.contains { $0.contains("missing required 'score'") })
    }

    @Test("sarif 2.1.0: a rule per control with help and guide item, results with levels and locations")
    func sarif() async throws {
        let report = try await insecureReport()
        let document = try #require(try JSONParser.parse(try ReportFormat.sarif.render(report)).objectValue)
        #expect(document["version"] == "2.1.0")
        let run = try #require(document["runs"]?.arrayValue?.first?.objectValue)
        let ruleValues = run["tool"]?.objectValue?["driver"]?.objectValue?["rules"]?.arrayValue ?? []
        let rules = ruleValues.compactMap(\.objectValue)
        #expect(rules.count == 37)
        let remote = try #require(rules.first { $0["id"] == "admin.remote-access" })
        #expect(remote["properties"]?.objectValue?["guideItem"] == 9)
        #expect(remote["help"]?.objectValue?["text"]?.stringValue?.contains("Fix:") == true)
        let resultValues = run["results"]?.arrayValue ?? []
        let results = resultValues.compactMap(\.objectValue)
        #expect(!results.isEmpty)
        let remoteResult = try #require(results.first { $0["ruleId"] == "admin.remote-access" })
        #expect(remoteResult["level"] == "error")
        #expect(results.first { $0["ruleId"] == "network.cors" }?["level"] == "note")
        let located = try #require(results.first { $0["message"]?.objectValue?["text"]?.stringValue?.hasPrefix("file:Caddyfile") == true })
        let physical = located["locations"]?.arrayValue?.first?.objectValue?["physicalLocation"]?.objectValue
        #expect(physical?["artifactLocation"]?.objectValue?["uri"] == "deploy/Caddyfile")
        #expect(physical?["region"]?.objectValue?["startLine"] == 12)
        for result in results {
            let index = try #require(result["ruleIndex"]?.intValue)
            #expect(rules[index]["id"] == result["ruleId"])
        }
    }

    @Test("junit: well-formed XML, one testcase per control, failures and skips counted")
    func junit() async throws {
        let report = try await insecureReport()
        let text = try ReportFormat.junit.render(report)
        let collector = XMLCollector()
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = collector
        #expect(parser.parse(), "not well-formed: \(parser.parserError.map { "\($0)" } ?? "")")
        #expect(collector.count("testcase") == 37)
        #expect(collector.count("failure") == report.summary.fail)
        #expect(collector.count("skipped") == report.summary.unknown + report.summary.notApplicable + report.summary.muted)
        #expect(text.contains("a &lt;script&gt; &amp; &quot;quotes&quot;"))
    }

    @Test("markdown: score first, a table per guide item, details for failures")
    func markdown() async throws {
        let text = try ReportFormat.markdown.render(try await insecureReport())
        #expect(text.contains("**Score 11/100 · grade F**"))
        #expect(text.contains("## 9. No admin access from outside the LAN"))
        #expect(text.contains("| FAIL | `admin.remote-access` | critical |"))
        #expect(text.contains("- `user:admin`: administrator with EnableRemoteAccess=true"))
        let first = try #require(text.range(of: "## Fix these first"))
        let notChecked = try #require(text.range(of: "## Not checked ("))
        #expect(first.lowerBound < notChecked.lowerBound)
        #expect(text[first.upperBound...].hasPrefix("\n\n1. `admin.remote-access` (critical)"), "\(text[first.upperBound...].prefix(120))")
        #expect(text.contains("- Give your deployment files (--deployment PATH): `container.rootless`"))
    }

    @Test("text: summary line first, grouped by guide item, colour only when asked, fits the width")
    func text() async throws {
        let report = try await insecureReport()
        let plain = try ReportFormat.text.render(report, terminal: TerminalStyle(color: false, width: 80))
        #expect(plain.hasPrefix("Score 11/100 · grade F · 2 pass · 20 fail"))
        #expect(!plain.contains("\u{1B}["))
        #expect(plain.split(separator: "\n").allSatisfy { $0.count <= 80 }, "a line is wider than 80 columns")
        let nine = try #require(plain.range(of: "9. No admin access from outside the LAN"))
        let ten = try #require(plain.range(of: "10. Users hidden from the login screen"))
        #expect(nine.lowerBound < ten.lowerBound)
        let coloured = try ReportFormat.text.render(report, terminal: TerminalStyle(color: true, width: 120))
        #expect(coloured.contains("\u{1B}[31;1m✗\u{1B}[0m"))
    }

    @Test("html: one self-contained file; headless Chromium shows the score, the cards and the status filter")
    func html() async throws {
        let report = try await insecureReport()
        let html = try ReportFormat.html.render(report)
        #expect(!html.contains("http://") || !html.contains("src=\"http"), "no external fetch")
        #expect(!html.contains("<link") && !html.contains("src=\""), "no external resources")
        #expect(html.contains("a &lt;script&gt; &amp; &quot;quotes&quot;"), "finding text is escaped")
        let folder = temporaryDirectory("html")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("report.html")
        try html.write(to: file, atomically: true, encoding: .utf8)

        let all = try await Chromium.dumpDOM("file://\(file.path)")
        #expect(all.contains(#"<div class="grade F" id="grade">F</div>"#))
        #expect(all.contains("Score 11/100"))
        #expect(all.components(separatedBy: "<article class=\"card").count - 1 == 37)
        #expect(!all.contains("card fail hidden"))
        // What was checked, the failures first, what was not checked last and grouped.
        #expect(all.contains(#"<div id="coverage">Of what was checked:"#))
        let fixFirst = try #require(all.range(of: #"<section class="first" id="fix-first"><h2>Fix these first</h2>"#))
        let notChecked = try #require(all.range(of: "<h2>Not checked (\(report.summary.unknown))</h2>"))
        #expect(fixFirst.lowerBound < notChecked.lowerBound)
        #expect(all[fixFirst.upperBound...].prefix(400).contains("critical"), "the most severe failure comes first")
        #expect(all[notChecked.upperBound...].contains(#"<p class="need">Give your deployment files (--deployment PATH)</p>"#))

        let failures = try await Chromium.dumpDOM("file://\(file.path)#fail")
        let hiddenCards = failures.components(separatedBy: " hidden\" data-status=").count - 1
        #expect(hiddenCards == 37 - report.summary.fail, "the #fail filter hides every card that did not fail")
        #expect(!failures.contains("card fail hidden"))
        #expect(failures.contains(#"<button data-filter="fail" class="active">"#))

        let screenshot = folder.appendingPathComponent("report.png")
        try await Chromium.screenshot("file://\(file.path)", to: screenshot)
        let png = try Data(contentsOf: screenshot)
        #expect(png.count > 10_000, "the page rendered to a real picture")
        #expect(png.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
    }
}

/// Counts XML elements by name.
final class XMLCollector: NSObject, XMLParserDelegate {
    var counts: [String: Int] = [:]
    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        counts[elementName, default: 0] += 1
    }
    func count(_ name: String) -> Int { counts[name] ?? 0 }
}

/// Headless Chromium from Debian's `chromium` package.
enum Chromium {
    static func binary() throws -> String {
        for candidate in ["/usr/bin/chromium", "/usr/bin/chromium-browser"] where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        throw FixtureError("Chromium is not installed: scripts/test installs Debian's chromium package (apt-get install chromium)")
    }

    static func run(_ arguments: [String]) async throws -> String {
        let folder = temporaryDirectory("chromium")
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try binary())
        process.arguments =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--user-data-dir=\(folder.appendingPathComponent("profile").path)",
            ] + arguments
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = FileHandle.nullDevice
        let (exited, continuation) = AsyncStream<Void>.makeStream()
        process.terminationHandler = { _ in
            continuation.yield()
            continuation.finish()
        }
        try process.run()
        for await _ in exited { break }
        guard process.terminationStatus == 0 else { throw FixtureError("chromium exited with \(process.terminationStatus)") }
        return try String(contentsOf: out, encoding: .utf8)
    }

    static func dumpDOM(_ url: String) async throws -> String {
        try await run(["--dump-dom", url])
    }

    static func screenshot(_ url: String, to file: URL) async throws {
        _ = try await run(["--screenshot=\(file.path)", "--window-size=1100,1400", url])
    }
}
