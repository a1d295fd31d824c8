import Foundation
import JellyfortControls
import JellyfortCore
import JellyfortTestSupport
import Testing

/// The catalogue against controls.md, and every control's own examples.
@Suite("Control catalogue")
struct CatalogueTests {
    /// `| \`id\` | guide | severity | …` rows of controls.md, in order.
    static func documentedControls() throws -> [(id: String, guide: String, severity: String)] {
        let path = fixturesFolder.appendingPathComponent("design/controls.md")
        guard let text = try? String(contentsOf: path, encoding: .utf8) else {
            throw FixtureError("controls.md is missing at \(path.path)")
        }
        var rows: [(String, String, String)] = []
        var beyond = false
        for line in text.split(separator: "\n") {
            if line.hasPrefix("## Controls beyond the guide") { beyond = true }
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count > 4, cells[1].hasPrefix("`"), cells[1].hasSuffix("`") else { continue }
            let id = String(cells[1].dropFirst().dropLast())
            rows.append(beyond ? (id, "+", cells[2]) : (id, cells[2], cells[3]))
        }
        return rows
    }

    @Test("ids, guide items and severities are exactly those of controls.md, in its order")
    func matchesDesign() throws {
        let documented = try Self.documentedControls()
        #expect(documented.count == 37)
        #expect(builtInControls.map { $0.description.id.rawValue } == documented.map(\.id))
        for index in documented.indices {
            let description = builtInControls[index].description
            let row = documented[index]
            let guide = description.guideItem.map { String($0) } ?? "+"
            #expect(guide == row.guide, "\(description.id): guide item")
            let severity = description.severity.rawValue
            let severityMatches = row.severity.hasPrefix(severity) || row.severity.contains("else \(severity)")
            #expect(severityMatches, "\(description.id): severity \(severity) vs '\(row.severity)'")
        }
    }

    @Test("ids are unique and well formed; every control explains itself")
    func selfDescribing() {
        let ids = builtInControls.map { $0.description.id.rawValue }
        #expect(Set(ids).count == ids.count)
        for control in builtInControls {
            let description = control.description
            #expect(description.id.rawValue.range(of: #"^[a-z]+\.[a-z-]+$"#, options: .regularExpression) != nil, "\(description.id)")
            #expect(description.title.count > 10, "\(description.id): title")
            #expect(description.rationale.count > 60, "\(description.id): rationale")
            #expect(description.remediation.summary.count > 20, "\(description.id): remediation")
            #expect(!description.evidence.isEmpty, "\(description.id): evidence")
        }
    }

    @Test("every control has a passing and a failing example")
    func examplesCoverage() {
        for control in builtInControls {
            let statuses = Set(control.examples.map(\.expected))
            let id = control.description.id.rawValue
            if id == "edge.cdn-origin-lock" {
                #expect(statuses.isSuperset(of: [.notApplicable, .unknown, .pass, .fail]))
            } else {
                #expect(statuses.contains(.pass) || id == "auth.admin-password", "\(id) has no passing example")
                #expect(statuses.contains(.fail) || statuses.contains(.warn), "\(id) has no failing example")
            }
        }
    }

    static let allExamples: [(String, ControlExample)] = builtInControls.flatMap { control in
        control.examples.map { (control.description.id.rawValue, $0) }
    }

    @Test("each example gives its expected status", arguments: allExamples.indices)
    func example(_ index: Int) {
        let (id, example) = Self.allExamples[index]
        guard let found = ControlID(rawValue: id).flatMap({ control(withId: $0) }) else {
            Issue.record("no control \(id)")
            return
        }
        let verdict = found.evaluate(example.evidence)
        #expect(
            verdict.status == example.expected,
            Comment(
                rawValue: "\(id) — \(example.name) (\(example.file.split(separator: "/").last ?? ""):\(example.line)): got "
                    + "\(verdict.status) '\(verdict.summary)'")
        )
        if verdict.status == .fail { #expect(!verdict.summary.isEmpty) }
    }

    @Test("no control passes on evidence it does not have")
    func nothingPassesWithoutEvidence() {
        for control in builtInControls {
            let verdict = control.evaluate(Evidence(settings: AuditSettings()))
            #expect(
                verdict.status != .pass && verdict.status != .fail, "\(control.description.id) decided \(verdict.status) with no evidence")
        }
    }

    @Test("the typed ids are exactly the catalogue's, in its order")
    func typedIds() {
        #expect(builtInControls.map { $0.description.id } == ControlID.allCases)
        #expect(ControlID(typed: " Auth.Lockout ") == .authLockout)
        #expect(ControlID(typed: "auth.lockouts") == nil)
    }

    static let fixableControls: [any FixableControl.Type] = builtInControls.compactMap { $0 as? any FixableControl.Type }

    static let allFixExamples: [(String, FixExample)] = fixableControls.flatMap { control in
        control.fixExamples.map { (control.description.id.rawValue, $0) }
    }

    @Test("every fix example: the planned changes, applied to the evidence, give the expected status", arguments: allFixExamples.indices)
    func fixExample(_ index: Int) throws {
        let (id, example) = Self.allFixExamples[index]
        let control = try #require(Self.fixableControls.first { $0.description.id.rawValue == id })
        #expect(control.evaluate(example.before).status != .pass, "\(id) — \(example.name): the 'before' evidence already passes")
        let plan = control.plan(example.before, options: example.options)
        var after = example.before
        for change in plan.changes {
            #expect(change.control == control.description.id, "\(id) planned a change for \(change.control)")
            after.apply(change)
        }
        let verdict = control.evaluate(after)
        #expect(
            verdict.status == example.after,
            Comment(
                rawValue: "\(id) — \(example.name) (\(example.file.split(separator: "/").last ?? ""):\(example.line)): "
                    + "after \(plan.changes.count) changes got \(verdict.status) '\(verdict.summary)'; skipped: "
                    + "\(plan.skipped)")
        )
        if example.after != .pass {
            #expect(
                !plan.skipped.isEmpty || !plan.notes.isEmpty || example.after == .unknown,
                "\(id) — \(example.name): a fix that does not pass says why")
        }
        // A plan applied once is done: the evidence after it plans no further change.
        if verdict.status == .pass {
            #expect(control.plan(after, options: example.options).changes.isEmpty, "\(id) — \(example.name): plans again after its own fix")
        }
    }

    @Test("every fixable control has a fix example, and plans nothing for its passing examples")
    func fixCoverage() {
        #expect(Self.fixableControls.count == 16)
        for control in Self.fixableControls {
            let id = control.description.id
            #expect(
                control.fixExamples.contains { $0.after == .pass || id == .authAdminPassword }, "\(id) has no fix example that ends in pass"
            )
            #expect(control.description.remediation.fixable, "\(id) is fixable but its remediation does not say so")
            for example in control.examples where example.expected == .pass {
                #expect(
                    control.plan(example.evidence, options: FixOptions()).changes.isEmpty,
                    "\(id) — \(example.name): passes, yet plans a change")
            }
        }
        for control in builtInControls where !(control is any FixableControl.Type) {
            #expect(!control.description.remediation.fixable, "\(control.description.id) says harden can fix it but has no fix")
        }
    }

    @Test("docs/controls.md is what the controls say about themselves (scripts/docs writes it again)")
    func documentationIsCurrent() throws {
        let committed = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/controls.md"), encoding: .utf8)
        let current = ControlsDocument.markdown()
        #expect(committed == current, "docs/controls.md is out of date: run scripts/docs and commit it")
        for control in builtInControls { #expect(committed.contains("## \(control.description.id)")) }
    }
}
