/// What would decide a control that is `unknown`: carried in the report (`needs`), so that a
/// report can group what was not checked by the one input that would check it.
public enum InputNeeded: String, Sendable, Codable, CaseIterable {
    /// No `--server` was given.
    case server
    /// A server was given but could not be read (its error is in the report's notes).
    case serverUnreadable = "server-unreadable"
    /// The server was read, but without an administrator's credential.
    case credential
    /// No deployment files were given.
    case deployment
    /// A check from outside the network (`--probe`).
    case probe

    /// Why a source is missing, as the collectors record it.
    public static let noServerReason = "no --server given"
    public static let noCredentialReason = "no credential given"
    public static let noDeploymentReason = "no --deployment given"
    public static let noProbeReason = "no --probe given"

    /// The inputs missing for `sources`, in the order a user would give them.
    public static func missing(for sources: [EvidenceSource], in evidence: Evidence) -> [InputNeeded] {
        var needed: [InputNeeded] = []
        func server(_ reason: String?) -> InputNeeded? {
            guard let reason else { return nil }
            return reason == noServerReason ? .server : .serverUnreadable
        }
        if sources.contains(.anon), let need = server(evidence.anonymous.reason) { needed.append(need) }
        if sources.contains(.api), let reason = evidence.api.reason {
            if reason == noCredentialReason {
                needed.append(.credential)
            } else if let need = server(reason) {
                needed.append(need)
            }
        }
        if sources.contains(.host), evidence.host.value == nil { needed.append(.deployment) }
        if sources.contains(.probe), evidence.probe.value == nil { needed.append(.probe) }
        var seen: Set<InputNeeded> = []
        return needed.filter { seen.insert($0).inserted }
    }
}
