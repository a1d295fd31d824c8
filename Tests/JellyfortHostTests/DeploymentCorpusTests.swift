import Foundation
import JellyfortAudit
import JellyfortBase
import JellyfortCore
import JellyfortTestSupport
import Testing

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
}
