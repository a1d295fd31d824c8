import JellyfinAPI

/// What the user asked `jellyfort harden` to do.
public struct HardenOptions: Sendable {
    public enum Risk: String, Sendable, CaseIterable {
        /// Turn off remote access for the account Jellyfort is signed in as, from outside the LAN.
        case selfRemoteBlock = "self-remote-block"
        /// Lock out the only administrator while it can still sign in from outside.
        case adminLockout = "admin-lockout"
    }

    public var only: Set<String> = []
    public var skip: Set<String> = []
    public var adminName: String?
    public var renames: [String: String] = [:]
    public var createMediaUser: String?
    public var rotateAdminPassword = false
    public var lockout = 5
    public var lanCIDRs: [String] = []
    public var proxies: [String] = []
    public var revokeKeysOlderThanDays: Int?
    public var acceptedRisks: Set<Risk> = []
    public var staleDeviceDays = 90

    public init() {}

    func wants(_ control: String) -> Bool {
        (only.isEmpty || only.contains(control)) && !skip.contains(control)
    }
}
