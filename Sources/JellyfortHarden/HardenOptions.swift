import JellyfortCore

/// What the user asked `jellyfort harden` to do: which controls, the fix options the controls
/// read, and the thresholds shared with `audit` (from `jellyfort.yml`).
@dynamicMemberLookup
public struct HardenOptions: Sendable {
    public var fix = FixOptions()
    public var only: Set<ControlID> = []
    public var skip: Set<ControlID> = []
    public var thresholds = Thresholds()
    /// Accepted risks from `jellyfort.yml`: harden leaves what they cover alone.
    public var suppressions: [Suppression] = []

    public init() {}

    public var selection: Selection { Selection(only: only, skip: skip, suppressions: suppressions) }

    public subscript<Value>(dynamicMember keyPath: WritableKeyPath<FixOptions, Value>) -> Value {
        get { fix[keyPath: keyPath] }
        set { fix[keyPath: keyPath] = newValue }
    }
}
