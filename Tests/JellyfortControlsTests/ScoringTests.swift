import Foundation
import JellyfinAPI
import JellyfortControls
import JellyfortCore
import Testing

@Suite("Score, grade, selection and suppressions")
struct ScoringTests {
    func result(_ id: String, _ severity: Severity, _ status: Status, findings: [Finding] = []) -> ControlResult {
        ControlResult(
            id: id, title: id, guideItem: nil, severity: severity, status: status, summary: "", findings: findings,
            remediation: Remediation("fix"))
    }

    @Test("weights by severity; n/a and muted leave the denominator; unknown counts as not passing")
    func score() {
        let results = [
            result("a.a", .critical, .pass), result("b.b", .high, .unknown), result("c.c", .medium, .pass),
            result("d.d", .low, .notApplicable), result("e.e", .info, .fail), result("f.f", .high, .muted),
        ]
        // passes 20 + 5 of 20 + 10 + 5 + 0 = 35 → 71; decided: 20 + 5 + 0 = 25, all passing → 100;
        // decided weight 25 of 35 → coverage 71.
        #expect(Scoring.score(results) == .init(value: 71, grade: "C", checked: 100, coverage: 71))
    }

    @Test(
        "grade thresholds: A+ ≥ 95, A ≥ 90, B ≥ 80, C ≥ 65, D ≥ 50, else F",
        arguments: [
            (100, "A+"), (95, "A+"), (90, "A"), (85, "B"), (80, "B"), (75, "C"), (65, "C"), (60, "D"), (50, "D"), (45, "F"), (0, "F"),
        ])
    func grades(_ value: Int, _ grade: String) {
        // 20 medium controls of 5 points each: value / 5 of them pass.
        let results = (0..<20).map { result("x.a\($0)", .medium, $0 < value / 5 ? .pass : .unknown) }
        let score = Scoring.score(results)
        #expect((score.value, score.grade) == (value, grade))
        #expect(score.checked == (value == 0 ? 0 : 100), "what was decided all passed")
        #expect(score.coverage == value)
    }

    @Test("checked: the score over decided controls, a warn counting as not passing; nothing decided is 0 with coverage 0")
    func checked() {
        let results = [
            result("a.a", .high, .pass), result("b.b", .high, .fail), result("c.c", .medium, .warn), result("d.d", .critical, .unknown),
        ]
        // decided 10 + 10 + 5 = 25, passing 10 → 40; coverage 25 of 45 → 55.
        #expect(Scoring.score(results) == .init(value: 22, grade: "F", checked: 40, coverage: 55))
        #expect(Scoring.score([result("a.a", .high, .unknown)]) == .init(value: 0, grade: "F", checked: 0, coverage: 0))
    }

    @Test("a critical failure caps at D, a high one at C")
    func caps() {
        let many = (0..<50).map { result("p.p\($0)", .critical, .pass) }
        #expect(Scoring.score(many + [result("x.x", .critical, .fail)]).grade == "D")
        #expect(Scoring.score(many + [result("x.x", .high, .fail)]).grade == "C")
        #expect(Scoring.score(many + [result("x.x", .medium, .fail)]).grade == "A+", "a medium failure does not cap")
    }

    @Test("--only and --skip mute the rest; every control still appears once")
    func selection() {
        let auditor = Auditor(controls: builtInControls)
        let (results, _) = auditor.evaluate(
            Evidence(), selection: Selection(only: [.adminRemoteAccess, .authLockout], skip: [.authLockout]))
        #expect(results.count == builtInControls.count)
        #expect(results.filter { $0.status != .muted }.map(\.id) == ["admin.remote-access"])
    }

    @Test("suppressions: whole control, one subject, and expiry")
    func suppressions() {
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        var view = ServerView(
            version: "12.1.0",
            users: [
                UserFacts(name: "boss", isAdministrator: true, enableRemoteAccess: false),
                UserFacts(name: "tv", isHidden: false), UserFacts(name: "kid", isHidden: false),
            ])
        view.network = .observed(NetworkFacts(knownProxies: ["10.0.0.2"]))
        let evidence = Evidence(settings: AuditSettings(now: now), api: .observed(view))
        let auditor = Auditor(controls: builtInControls)
        let (results, notices) = auditor.evaluate(
            evidence,
            selection: Selection(suppressions: [
                Suppression(id: .loginHiddenUsers, subject: "user:tv", reason: "the shared TV account must be pickable"),
                Suppression(id: .sessionsSingle, reason: "family plan", expires: now.addingTimeInterval(86_400)),
                Suppression(id: .networkCORS, reason: "old", expires: now.addingTimeInterval(-86_400)),
            ]))
        let hidden = results.first { $0.id == "login.hidden-users" }!
        #expect(hidden.status == .fail)
        #expect(hidden.findings.map(\.subject) == ["user:kid"])
        #expect(results.first { $0.id == "sessions.single" }?.status == .muted)
        #expect(results.first { $0.id == "sessions.single" }?.summary == "suppressed: family plan")
        #expect(notices.count == 1)
        #expect(notices[0].contains("network.cors") && notices[0].contains("expired"))
    }
}

@Suite("Advisories and versions")
struct AdvisoryTests {
    @Test("the bundled list is dated and knows the newest stable")
    func bundled() {
        let list = AdvisoryList.bundled
        #expect(list.asOf == "2026-11-29")
        #expect(list.latestStable == "12.1.0")
        #expect(list.advisories.count >= 10)
    }

    @Test(
        "which advisories apply",
        arguments: [
            (
                "10.11.6",
                [
                    "GHSA-j2hf-x4q5-47j3", "GHSA-8fw7-f233-ffr8", "GHSA-jh22-fw8w-2v9x", "GHSA-v2jv-54xj-h76w", "GHSA-f47c-m7gr-q92j",
                    "GHSA-jg92-mrxq-vv75", "GHSA-wwwm-px48-fpvq",
                ]
            ),
            ("10.11.10", []), ("10.11.11", []), ("12.0.0", []), ("12.1.0", []),
            ("10.10.6", ["CVE-2025-32012"]),
        ])
    func applying(_ version: String, _ expected: [String]) {
        let applying = AdvisoryList.bundled.applying(to: JellyfinVersion(version)!).map(\.id)
        if version == "10.10.6" {
            #expect(applying.contains("CVE-2025-32012"))
            #expect(applying.contains("GHSA-8fw7-f233-ffr8"))
        } else {
            #expect(applying == expected)
        }
    }
}
