import Foundation
import JellyfinAPI
import JellyfortControls
import JellyfortCore
import JellyfortHost
import JellyfortProbe

/// collect → evidence → verdicts → report, timed.
public struct AuditRunner: Sendable {
    public var controls: [any Control.Type]

    public init(controls: [any Control.Type] = builtInControls) {
        self.controls = controls
    }

    public struct Run: Sendable {
        public var report: AuditReport
        public var evidence: Evidence
        /// Sources that were asked for and could not be read: each makes the exit code 2.
        public var problems: [String]
        /// The whole objects behind the evidence (for `harden`).
        public var objects: ServerObjects
    }

    public func run(
        client: JellyfinClient?, settings: AuditSettings, selection: Selection = Selection(), probe: ProbeTarget? = nil,
        announce: @Sendable (String) -> Void = { _ in }, progress: @Sendable (String) -> Void = { _ in }
    ) async -> Run {
        let started = ContinuousClock.now
        var outcome = await EvidenceCollector(client: client, settings: settings).collect(progress: progress)
        if !settings.deploymentPaths.isEmpty {
            progress("Reading the deployment files…")
            let host = DeploymentReader().read(settings.deploymentPaths)
            outcome.evidence.host = .observed(host)
            outcome.problems += host.problems.map(\.description)
        }
        var probeNotices: [String] = []
        if let probe {
            let prober = Prober(target: probe, client: client, users: outcome.evidence.api.value?.users)
            switch await prober.addresses() {
            case .failure(let error):
                outcome.evidence.probe = .unavailable(error.description)
                outcome.problems.append("--probe: \(error.description)")
            case .success(let addresses):
                announce(
                    "--probe: at most \(prober.plannedOperations(addresses: addresses.count)) requests and connections to "
                        + "\(probe.name) (\(addresses.joined(separator: ", ")))\(probe.origins.isEmpty ? "" : " and the origin \(probe.origins.joined(separator: ", "))"), "
                        + "each given \(Prober.operationTimeout.components.seconds) s; no password is guessed")
                let probeStarted = ContinuousClock.now
                let view = await prober.run(addresses: addresses, progress: progress)
                let elapsed = ContinuousClock.now - probeStarted
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                probeNotices.append("--probe made \(view.operations) requests and connections in \(String(format: "%.1f", seconds)) s")
                outcome.evidence.probe = .observed(view)
                if view.https == nil { outcome.problems.append("--probe: \(view.unreachable ?? "HTTPS on \(probe.name) did not answer")") }
            }
        }
        // One unreachable server fails the anonymous and the administrator's reads alike: say it once.
        var seen: Set<String> = []
        outcome.problems = outcome.problems.filter { seen.insert($0).inserted }
        progress("Evaluating \(controls.count) controls…")
        let (results, notices) = Auditor(controls: controls).evaluate(outcome.evidence, selection: selection)
        let elapsed = ContinuousClock.now - started
        let evidence = outcome.evidence
        let report = AuditReport(
            tool: .init(name: "jellyfort", version: JellyfortVersion.current),
            target: .init(
                server: client?.configuration.server.description,
                serverVersion: evidence.serverVersion,
                serverName: evidence.api.value?.serverName ?? evidence.anonymous.value?.serverName),
            startedAt: settings.now,
            durationMs: Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000),
            controls: results,
            notices: notices + probeNotices + outcome.problems.map { "could not read: \($0)" })
        return Run(report: report, evidence: evidence, problems: outcome.problems, objects: outcome.objects)
    }
}
