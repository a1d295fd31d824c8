import Foundation
import JellyfortBase
import JellyfortCore

/// SARIF 2.1.0: one rule per control (its title, rationale, fix and guide item), one result per
/// finding of a failing or warning control, with file locations for deployment findings.
struct SARIFRenderer {
    static func level(_ result: ControlResult) -> String {
        if result.status == .warn { return "warning" }
        switch result.severity {
        case .critical, .high: return "error"
        case .medium: return "warning"
        case .low, .info: return "note"
        }
    }

    func render(_ report: AuditReport) throws -> String {
        let rules: [JSONValue] = report.controls.map { result in
            var properties: JSONObject = ["severity": .string(result.severity.rawValue), "tags": ["security", "jellyfin"]]
            properties["guideItem"] = result.guideItem.map { .int(Int64($0)) } ?? .null
            return .object([
                "id": .string(result.id), "name": .string(result.title),
                "shortDescription": ["text": .string(result.title)],
                "fullDescription": ["text": .string(result.rationale ?? result.title)],
                "help": [
                    "text": .string("\(result.rationale ?? "")\n\nFix: \(result.remediation.summary)"),
                    "markdown": .string("\(result.rationale ?? "")\n\n**Fix:** \(result.remediation.summary)"),
                ],
                "defaultConfiguration": ["level": .string(Self.level(result))],
                "properties": .object(properties),
            ])
        }
        var results: [JSONValue] = []
        for (index, result) in report.controls.enumerated() where result.status == .fail || result.status == .warn {
            let findings = result.findings.isEmpty ? [Finding(subject: "server", message: result.summary)] : result.findings
            for finding in findings {
                var object: JSONObject = [
                    "ruleId": .string(result.id), "ruleIndex": .int(Int64(index)), "level": .string(Self.level(result)),
                    "message": ["text": .string("\(finding.subject): \(finding.message)")],
                    "properties": ["subject": .string(finding.subject), "status": .string(result.status.rawValue)],
                ]
                if let location = finding.location {
                    var region: JSONObject = [:]
                    if let line = location.line { region["startLine"] = .int(Int64(line)) }
                    var physical: JSONObject = ["artifactLocation": ["uri": .string(location.path)]]
                    if !region.keys.isEmpty { physical["region"] = .object(region) }
                    object["locations"] = [["physicalLocation": .object(physical)]]
                } else {
                    object["locations"] = [["logicalLocations": [["name": .string(finding.subject), "kind": "resource"]]]]
                }
                results.append(.object(object))
            }
        }
        let document: JSONValue = [
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [
                [
                    "tool": [
                        "driver": [
                            "name": "jellyfort", "version": .string(report.tool.version), "semanticVersion": .string(report.tool.version),
                            "informationUri": "https://github.com/jellyfort/jellyfort", "rules": .array(rules),
                        ]
                    ],
                    "results": .array(results),
                    "properties": [
                        "score": .int(Int64(report.score.value)), "grade": .string(report.score.grade),
                        "server": report.target.server.map { .string($0) } ?? .null,
                    ],
                ]
            ],
        ]
        return JSONWriter.string(document) + "\n"
    }
}
