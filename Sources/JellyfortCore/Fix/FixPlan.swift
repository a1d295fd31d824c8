import JellyfortBase

/// What the person running `harden` asked for beyond the defaults. Controls read it when they
/// plan; nothing here is a threshold of a verdict (those live in `Thresholds`, shared with audit).
public struct FixOptions: Sendable, Equatable {
    /// A risk the user accepts by name (`--accept-risk`), so a refusal can be overridden.
    public enum Risk: String, Sendable, CaseIterable {
        /// Turn off remote access for the account Jellyfort is signed in as, from outside the LAN.
        case selfRemoteBlock = "self-remote-block"
        /// Lock out the only administrator while it can still sign in from outside.
        case adminLockout = "admin-lockout"
    }

    /// `--admin-name NEW`: renames the one administrator whose name is guessable.
    public var adminName: String?
    /// `--rename OLD=NEW`, in the order given.
    public var renames: [Rename] = []
    /// `--create-media-user NAME`.
    public var createMediaUser: String?
    /// `--rotate-admin-password`.
    public var rotateAdminPassword = false
    /// `--set-missing-passwords`: a generated password for every enabled account without one.
    public var setMissingPasswords = false
    /// `--lockout N`: the attempts set on accounts whose lockout is off or too lax.
    public var lockout = 5
    /// `--lan-cidr`: becomes `LocalNetworkSubnets`.
    public var lanCIDRs: [String] = []
    /// `--proxy`: becomes `KnownProxies`.
    public var proxies: [String] = []
    /// `--revoke-keys-older-than DAYS`: revocation cannot be undone, so it is never a default.
    public var revokeKeysOlderThanDays: Int?
    public var acceptedRisks: Set<Risk> = []

    public struct Rename: Sendable, Equatable {
        public var old: String
        public var new: String
        public init(old: String, new: String) {
            self.old = old
            self.new = new
        }
    }

    public init() {}
}

/// The object a change is written to. Jellyfin replaces policies and configurations whole, so
/// every change to one target goes out as one write.
public enum FixTarget: Sendable, Hashable, Codable {
    case userPolicy(userId: String, name: String)
    case userName(userId: String, name: String)
    case userPassword(userId: String, name: String)
    case newMediaUser(name: String)
    case serverConfiguration
    case networkConfiguration
    /// The key at this position of `GET /Auth/Keys` as the evidence read it.
    case apiKey(index: Int, app: String)
    case device(id: String, name: String)

    /// `user:NAME`, `config:server`, `config:network`, `apikey:APP`, `device:NAME` (architecture.md).
    public var subject: String {
        switch self {
        case .userPolicy(_, let name), .userName(_, let name), .userPassword(_, let name), .newMediaUser(let name): "user:\(name)"
        case .serverConfiguration: "config:server"
        case .networkConfiguration: "config:network"
        case .apiKey(_, let app): "apikey:\(app)"
        case .device(_, let name): "device:\(name)"
        }
    }

    /// Whether `harden rollback` can restore it from a backup.
    public var isReversible: Bool {
        switch self {
        case .userPolicy, .userName, .serverConfiguration, .networkConfiguration: true
        case .userPassword, .newMediaUser, .apiKey, .device: false
        }
    }
}

/// One field a fix changes, from → to. For policies and configurations `field` is the JSON name
/// Jellyfin uses, so the same change can be written to the server and applied to evidence.
public struct FixChange: Sendable, Equatable {
    public var control: ControlID
    public var target: FixTarget
    public var field: String
    public var from: JSONValue
    public var to: JSONValue

    public init(_ control: ControlID, _ target: FixTarget, _ field: String, from: JSONValue, to: JSONValue) {
        self.control = control
        self.target = target
        self.field = field
        self.from = from
        self.to = to
    }

    public var subject: String { target.subject }
}

/// A control's answer to "how would you fix this evidence?": the changes, what it leaves alone
/// and why, and what the user must know.
public struct FixPlan: Sendable, Equatable {
    public var changes: [FixChange]
    /// Why part of the fix is not planned (a refusal, a missing option).
    public var skipped: [String]
    public var notes: [String]

    public init(changes: [FixChange] = [], skipped: [String] = [], notes: [String] = []) {
        self.changes = changes
        self.skipped = skipped
        self.notes = notes
    }

    public static let nothing = FixPlan()

    public var isEmpty: Bool { changes.isEmpty && skipped.isEmpty && notes.isEmpty }
}

/// A control that `harden` can fix through the Jellyfin API. Its plan reads the same evidence
/// and the same thresholds as its verdict, so the two cannot disagree: a passing evidence plans
/// nothing, and applying a plan to the evidence makes the verdict pass (the catalogue test checks
/// both on every fix example).
public protocol FixableControl: Control {
    static func plan(_ evidence: Evidence, options: FixOptions) -> FixPlan
    /// Before → after: this evidence, fixed with these options, gives this status.
    static var fixExamples: [FixExample] { get }
}

/// One before → after example of a fix.
public struct FixExample: Sendable {
    public let name: String
    public let before: Evidence
    public let options: FixOptions
    /// The status after the planned changes are applied to `before` (usually `pass`).
    public let after: Status
    public let file: String
    public let line: Int

    public init(
        _ name: String, _ before: Evidence, options: FixOptions = FixOptions(), after: Status = .pass, file: String = #filePath,
        line: Int = #line
    ) {
        self.name = name
        self.before = before
        self.options = options
        self.after = after
        self.file = file
        self.line = line
    }
}
