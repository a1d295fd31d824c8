import ArgumentParser
import Foundation
import JellyfortBase
import JellyfortControls
import JellyfortCore
import JellyfortReport

extension Jellyfort {
    struct Controls: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the controls Jellyfort checks, or explain one.",
            subcommands: [List.self, Explain.self],
            defaultSubcommand: List.self
        )

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List every control: id, guide item, severity, evidence and title.")

            enum Format: String, ExpressibleByArgument, CaseIterable { case text, markdown }

            @Option(help: "text: a table; markdown: the whole catalogue with rationale, fixes and examples (docs/controls.md).")
            var format: Format = .text

            func run() {
                if format == .markdown {
                    print(ControlsDocument.markdown(), terminator: "")
                    return
                }
                print("ID".padding(toLength: 32, withPad: " ", startingAt: 0) + "GUIDE  SEVERITY  EVIDENCE         TITLE")
                for control in builtInControls {
                    let d = control.description
                    let guide = d.guideItem.map(String.init) ?? "+"
                    print(
                        d.id.rawValue.padding(toLength: 32, withPad: " ", startingAt: 0)
                            + guide.padding(toLength: 7, withPad: " ", startingAt: 0)
                            + d.severity.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
                            + d.evidence.map(\.rawValue).joined(separator: ",").padding(toLength: 17, withPad: " ", startingAt: 0)
                            + d.title)
                }
                print("\n\(builtInControls.count) controls. jellyfort controls explain ID tells why each matters and how to fix it.")
            }
        }

        struct Explain: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Explain one control: why it matters, what decides it, how to fix it.")

            @Argument(help: "A control id, e.g. admin.remote-access.")
            var id: String

            func validate() throws {
                guard ControlID(typed: id) == nil else { return }
                let needle = id.lowercased()
                let close = ControlID.allCases.map(\.rawValue).filter { $0.contains(needle) }
                let hint =
                    close.isEmpty || needle.isEmpty
                    ? "; jellyfort controls list shows them all" : "; did you mean \(close.joined(separator: ", "))?"
                throw ValidationError("unknown control id '\(Sanitized.terminal(id))'" + hint)
            }

            func run() {
                guard let known = ControlID(typed: id), let found = control(withId: known) else { return }
                let d = found.description
                print("\(d.id): \(d.title)")
                print(
                    "Guide item: \(d.guideItem.map(String.init) ?? "beyond the guide") · severity: "
                        + "\(d.severity.rawValue) · evidence: \(d.evidence.map(\.rawValue).joined(separator: ", "))"
                )
                print("")
                print("Why: \(d.rationale)")
                print("")
                print("Fix: \(d.remediation.summary)\(d.remediation.fixable ? " (jellyfort harden can do this)" : "")")
                print("")
                print("Examples:")
                for example in found.examples {
                    print("  \(example.expected.label.padding(toLength: 8, withPad: " ", startingAt: 0)) \(example.name)")
                }
            }
        }
    }
}
