import JellyfortCore

/// What the formats for people open with: what was checked and how it scored, the failures to fix
/// first, and what was not checked, grouped by the one input that would check it. It reads the
/// report alone, so a report read back digests the same.
struct ReportDigest {
    struct NotChecked {
        var need: InputNeeded?
        var results: [ControlResult]

        /// What to give (or why nothing can be given) to check this group.
        var advice: String {
            switch need {
            case .server?: "Give the server's address (--server URL)"
            case .serverUnreadable?: "The server could not be read (see the note above); fix that and audit again"
            case .credential?: "Give an administrator's API key (--api-key-file PATH)"
            case .deployment?: "Give your deployment files (--deployment PATH)"
            case .probe?: "Run jellyfort audit --probe from outside your network (a phone hotspot or a VPS)"
            case nil: "Nothing Jellyfort can be given decides these; each says why"
            }
        }

        var shortInput: String? {
            switch need {
            case .server?: "--server"
            case .serverUnreadable?: nil
            case .credential?: "--api-key-file"
            case .deployment?: "--deployment"
            case .probe?: "--probe"
            case nil: nil
            }
        }
    }

    let report: AuditReport

    /// Failing controls, most severe first (catalogue order within a severity), then warnings.
    var fixFirst: [ControlResult] {
        let failing = report.controls.enumerated().filter { $0.element.status == .fail }
        return failing.sorted { ($0.element.severity, -$0.offset) > ($1.element.severity, -$1.offset) }.map(\.element)
    }

    /// The controls shown by guide item: everything that was decided (or muted).
    var decided: [ControlResult] { report.controls.filter { $0.status != .unknown } }

    var notChecked: [NotChecked] {
        var groups: [NotChecked] = []
        for result in report.controls where result.status == .unknown {
            let need = result.needs?.first.flatMap(InputNeeded.init(rawValue:))
            if let index = groups.firstIndex(where: { $0.need == need }) {
                groups[index].results.append(result)
            } else {
                groups.append(NotChecked(need: need, results: [result]))
            }
        }
        let order: [InputNeeded?] = [.server, .serverUnreadable, .credential, .deployment, .probe, nil]
        return groups.sorted { (order.firstIndex(of: $0.need) ?? 0) < (order.firstIndex(of: $1.need) ?? 0) }
    }

    /// "Of what was checked: 100/100 · nothing that was checked failed · 14 of 36 controls were
    /// not checked (40% of the weight): give --deployment, a check from outside".
    var coverageLine: String {
        let summary = report.summary
        let counted = report.controls.filter { $0.status != .notApplicable && $0.status != .muted }.count
        let failed =
            summary.fail == 0
            ? "nothing that was checked failed" : "\(summary.fail) checked \(summary.fail == 1 ? "control fails" : "controls fail")"
        guard summary.unknown > 0 else { return "Everything was checked: \(failed)." }
        var line =
            "Of what was checked: \(report.score.checked.map { "\($0)/100" } ?? "?") · \(failed) · \(summary.unknown) of \(counted) controls were not checked"
        if let coverage = report.score.coverage { line += " (\(100 - coverage)% of the weight)" }
        let inputs = notChecked.compactMap(\.shortInput)
        if !inputs.isEmpty { line += ": give " + inputs.joined(separator: ", ") }
        return line + "."
    }
}
