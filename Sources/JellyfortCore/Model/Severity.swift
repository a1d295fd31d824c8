/// How much a failing control matters; also its weight in the score.
public enum Severity: String, Sendable, Codable, CaseIterable, Comparable {
    case critical, high, medium, low, info

    /// The score weight of controls.md: critical 20, high 10, medium 5, low 2, info 0.
    public var weight: Int {
        switch self {
        case .critical: 20
        case .high: 10
        case .medium: 5
        case .low: 2
        case .info: 0
        }
    }

    private var rank: Int { Self.allCases.firstIndex(of: self)! }

    /// `critical > high > … > info`.
    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank > rhs.rank }
}

/// What a control concluded.
public enum Status: String, Sendable, Codable, CaseIterable {
    case pass, fail, warn, unknown
    case notApplicable = "not_applicable"
    case muted
}

/// Where evidence comes from (controls.md).
public enum EvidenceSource: String, Sendable, Codable, CaseIterable {
    /// The Jellyfin API with an admin credential.
    case api
    /// The same server without any credential: what the internet sees of Jellyfin itself.
    case anon
    /// Deployment files handed to the tool.
    case host
    /// Black-box network checks from where the tool runs.
    case probe
}
