import JellyfortBase
import JellyfortCore

/// One self-contained HTML file: no external fetch, score and grade at a glance with what was
/// checked, the failures to fix first, a card per control with status, evidence and fix (what was
/// not checked at the end, by the input that would check it), and buttons to filter by status
/// (also `#fail` in the URL).
struct HTMLRenderer {
    func render(_ report: AuditReport) -> String {
        let s = report.summary
        let digest = ReportDigest(report: report)
        var cards: [String] = []
        var sections = GuideItems.grouped(digest.decided).map { (title: $0.title, need: String?.none, results: $0.results) }
        for (index, group) in digest.notChecked.enumerated() {
            sections.append((title: index == 0 ? "Not checked (\(s.unknown))" : "", need: group.advice, results: group.results))
        }
        for group in sections {
            if !group.title.isEmpty { cards.append(#"<h2>\#(xml(group.title))</h2>"#) }
            if let need = group.need { cards.append(#"<p class="need">\#(xml(need))</p>"#) }
            for result in group.results {
                var findings = ""
                if !result.findings.isEmpty {
                    findings =
                        "<ul class=\"findings\">"
                        + result.findings.map { finding in
                            let evidence =
                                finding.evidence.keys.isEmpty ? "" : "<code>\(xml(JSONWriter.string(.object(finding.evidence))))</code>"
                            let location =
                                finding.location.map { " <span class=\"loc\">\(xml($0.path))\($0.line.map { ":\($0)" } ?? "")</span>" }
                                ?? ""
                            return "<li><b>\(xml(finding.subject))</b>: \(xml(finding.message))\(location) \(evidence)</li>"
                        }.joined() + "</ul>"
                }
                let fix =
                    (result.status == .fail || result.status == .warn)
                    ? "<p class=\"fix\"><b>Fix:</b> "
                        + "\(xml(result.remediation.summary))\(result.remediation.fixable ? " <span class=\"tag\">jellyfort harden</span>" : "")</p>"
                    : ""
                cards.append(
                    """
                    <article class="card \(result.status.rawValue)" data-status="\(result.status.rawValue)" id="\(xml(result.id))">
                    <header><span class="badge \(result.status.rawValue)">\(result.status.label)</span> <span \
                    class="id">\(xml(result.id))</span> <span class="sev">\(result.severity.rawValue)</span></header>
                    <h3>\(xml(result.title))</h3>
                    <p class="summary">\(xml(result.summary))</p>
                    \(findings)\(fix)
                    </article>
                    """)
            }
        }
        let filters = [("all", "All", report.controls.count)] + Status.allCases.map { ($0.rawValue, $0.label, s[$0]) }
        let buttons = filters.map { "<button data-filter=\"\($0.0)\">\($0.1) <span class=\"count\">\($0.2)</span></button>" }.joined()
        let notices = report.notices.map { "<p class=\"notice\">\(xml($0))</p>" }.joined()
        let firstItems = digest.fixFirst.map {
            "<li><a href=\"#\(xml($0.id))\">\(xml($0.id))</a> <span class=\"sev\">\($0.severity.rawValue)</span>: \(xml($0.summary))"
                + "<br><span class=\"muted\">Fix: \(xml($0.remediation.summary))</span></li>"
        }.joined()
        let fixFirst =
            firstItems.isEmpty ? "" : "<section class=\"first\" id=\"fix-first\"><h2>Fix these first</h2><ol>\(firstItems)</ol></section>"
        let target = [report.target.server, report.target.serverVersion.map { "Jellyfin \($0)" }, report.target.serverName].compactMap {
            $0
        }.map(xml).joined(separator: " · ")
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Jellyfort audit · \(report.score.grade) · \(xml(report.target.server ?? "deployment"))</title>
            <style>
            body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1000px;padding:1.5em;color:#1d2330;background:#f6f7f9}
            .top{display:flex;gap:1.5em;align-items:center;background:#fff;border-radius:12px;padding:1em 1.5em;box-shadow:0 1px 3px #0002}
            .grade{font-size:3.2em;font-weight:800;width:2.2em;text-align:center;border-radius:10px;color:#fff;background:#c0392b}
            .grade.A,.grade.Aplus{background:#1e8449}.grade.B{background:#b7950b}.grade.C{background:#d35400}
            .score{font-size:1.6em;font-weight:700}.muted{color:#667}
            nav{margin:1em 0;display:flex;flex-wrap:wrap;gap:.4em}
            nav button{border:1px solid #ccd;border-radius:16px;background:#fff;padding:.3em .9em;cursor:pointer}
            nav button.active{background:#1d2330;color:#fff}
            .card{background:#fff;border-radius:10px;padding:.7em 1.1em;margin:.6em 0;border-left:6px solid #aab;box-shadow:0 1px 2px #0001}
            .card.fail{border-color:#c0392b}.card.pass{border-color:#1e8449}.card.warn{border-color:#d4ac0d}
            .card h3{margin:.2em 0;font-size:1.05em}.summary{margin:.2em 0}
            .badge{font-weight:700;font-size:.8em;padding:.1em .5em;border-radius:6px;background:#dde;color:#333}
            .badge.fail{background:#c0392b;color:#fff}.badge.pass{background:#1e8449;color:#fff}.badge.warn{background:#d4ac0d;color:#fff}
            .id{font-family:ui-monospace,monospace;font-size:.9em}.sev{float:right;color:#667;font-size:.85em}
            code{background:#f0f1f4;padding:0 .3em;border-radius:4px;font-size:.85em;word-break:break-all}
            .fix{background:#eef6fb;padding:.4em \
            .7em;border-radius:6px}.tag{font-size:.8em;background:#d6eaf8;padding:0 .4em;border-radius:4px}
            .notice{background:#fff3cd;padding:.5em .8em;border-radius:6px}
            .first{background:#fff;border-radius:10px;padding:.3em 1.2em .6em;margin:1em 0;border-left:6px solid #c0392b}
            .first li{margin:.35em 0}.need{font-weight:600;margin:.8em 0 .2em}
            .hidden{display:none}
            </style></head><body>
            <section class="top"><div class="grade \(report.score.grade == "A+" ? "Aplus" : report.score.grade)" id="grade">\(report.score.grade)</div>
            <div><div class="score" id="score">Score \(report.score.value)/100</div>
            <div>\(s.pass) pass · \(s.fail) fail · \(s.warn) warn · \(s.unknown) unknown · \(s.notApplicable) n/a · \(s.muted) muted</div>
            <div id="coverage">\(xml(digest.coverageLine))</div>
            <div class="muted">\(target.isEmpty ? "" : target + " · ")\(Scoring.iso8601(report.startedAt)) · \
            Jellyfort \(xml(report.tool.version))</div></div></section>
            \(notices)
            \(fixFirst)
            <nav id="filters">\(buttons)</nav>
            <main id="controls">
            \(cards.joined(separator: "\n"))
            </main>
            <script>
            (function(){
              var buttons=document.querySelectorAll('nav button');
              function show(filter){
                document.querySelectorAll('.card').forEach(function(card){
                  card.classList.toggle('hidden', filter!=='all' && card.dataset.status!==filter);
                });
                document.querySelectorAll('#controls h2').forEach(function(h){
                  var n=h.nextElementSibling, any=false;
                  while(n && n.tagName!=='H2'){ if(n.classList.contains('card') && !n.classList.contains('hidden')) any=true; n=n.nextElementSibling; }
                  h.classList.toggle('hidden', !any);
                });
                document.querySelectorAll('.need').forEach(function(p){ p.classList.toggle('hidden', filter!=='all' && filter!=='unknown'); });
                buttons.forEach(function(b){ b.classList.toggle('active', b.dataset.filter===filter); });
              }
              buttons.forEach(function(b){ b.addEventListener('click', function(){ \
              location.hash=b.dataset.filter; show(b.dataset.filter); }); });
              var initial=(location.hash||'#all').slice(1);
              show(document.querySelector('nav button[data-filter="'+initial+'"]') ? initial : 'all');
            })();
            </script>
            </body></html>

            """
    }
}
