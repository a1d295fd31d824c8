import Foundation
import JellyfinAPI
import JellyfortControls

/// Reads the server and works out every change `harden` would make, with the refusals of the
/// safety rules. It writes nothing.
public struct HardenPlanner: Sendable {
    public let client: JellyfinClient
    public let options: HardenOptions

    public init(client: JellyfinClient, options: HardenOptions) {
        self.client = client
        self.options = options
    }

    public func plan(now: Date = Date()) async throws -> HardenPlan {
        if case .password = client.configuration.credential, !client.hasToken { try await client.signIn() }
        async let usersRead = client.users()
        async let configurationRead = client.serverConfiguration()
        async let networkRead = client.networkConfiguration()
        async let infoRead = client.publicSystemInfo()
        let users = try await usersRead
        let configuration = try await configurationRead
        let network = try await networkRead
        let info = try await infoRead
        var plan = HardenPlan(runId: HardenPlan.newRunId(now: now), server: client.configuration.server.description, changes: [], operations: [], skipped: [], notes: [])

        let selfId = client.signedInUserId
        let selfOnLAN = selfId == nil ? true : try await isSelfOnLAN(network: network)

        // Per-user policies: every fix to one user's policy goes out as one whole-policy write.
        var policies: [String: UserPolicy] = Dictionary(uniqueKeysWithValues: users.map { ($0.id, $0.policy) })
        func change(_ control: String, _ user: UserDto, _ field: String, _ from: JSONValue, _ to: JSONValue, _ apply: (inout UserPolicy) -> Void) {
            guard options.wants(control), from != to else { return }
            apply(&policies[user.id]!)
            plan.changes.append(PlannedChange(control: control, subject: "user:\(user.name)", field: field, from: from, to: to))
        }
        let enabledAdmins = users.filter { $0.policy.isAdministrator && !$0.policy.isDisabled }

        for user in users where !user.policy.isDisabled {
            let policy = user.policy
            if policy.isAdministrator {
                if policy.enableRemoteAccess, options.wants("admin.remote-access") {
                    if user.id == selfId, !selfOnLAN, !options.acceptedRisks.contains(.selfRemoteBlock) {
                        plan.skipped.append(SkippedControl(control: "admin.remote-access", reason: "you are signed in as \(user.name) from outside the LAN: turning its remote access off would lock you out; run from the LAN, or pass --accept-risk self-remote-block"))
                    } else {
                        change("admin.remote-access", user, "EnableRemoteAccess", true, false) { $0.enableRemoteAccess = false }
                    }
                }
            } else {
                change("sessions.single", user, "MaxActiveSessions", .int(Int64(policy.maxActiveSessions)), 1) { $0.maxActiveSessions = 1 }
                change("media.no-deletion", user, "EnableContentDeletion", .bool(policy.enableContentDeletion), false) { $0.enableContentDeletion = false }
                if !policy.enableContentDeletionFromFolders.isEmpty {
                    change("media.no-deletion", user, "EnableContentDeletionFromFolders", JSONValue(policy.enableContentDeletionFromFolders), []) { $0.enableContentDeletionFromFolders = [] }
                }
                change("users.remote-control", user, "EnableRemoteControlOfOtherUsers", .bool(policy.enableRemoteControlOfOtherUsers), false) { $0.enableRemoteControlOfOtherUsers = false }
            }
            change("login.hidden-users", user, "IsHidden", .bool(policy.isHidden), true) { $0.isHidden = true }
        }

        // Lockout last: it depends on whether the only admin stays reachable from outside.
        var lockoutSet = false
        for user in users where !user.policy.isDisabled {
            let current = user.policy.loginAttemptsBeforeLockout
            guard options.wants("auth.lockout"), current == -1 || current > options.lockout || current < -1 else { continue }
            let staysRemote = policies[user.id]?.enableRemoteAccess ?? true
            if user.policy.isAdministrator, enabledAdmins.count == 1, staysRemote, !options.acceptedRisks.contains(.adminLockout) {
                plan.skipped.append(SkippedControl(control: "auth.lockout", reason: "\(user.name) is the only administrator and can still sign in from outside: a lockout (no timed unlock) would let anyone who knows the name lock you out; turn its remote access off first, or pass --accept-risk admin-lockout"))
                continue
            }
            change("auth.lockout", user, "LoginAttemptsBeforeLockout", .int(Int64(current)), .int(Int64(options.lockout))) { $0.loginAttemptsBeforeLockout = options.lockout }
            lockoutSet = true
        }
        if lockoutSet {
            plan.notes.append("A locked-out account stays disabled until an administrator re-enables it: jellyfort unlock USER --server \(plan.server) (an API key is not affected by lockout).")
            if JellyfinVersion(info.version) == JellyfinVersion(10, 11, 11) {
                plan.notes.append("Jellyfin 10.11.11 does not enforce lockout (it never saves it, jellyfin#17278): the setting is stored for when you upgrade to 12.x; until then ban guessers by IP (jellyfort watch, fail2ban or CrowdSec).")
            }
        }

        for user in users {
            guard let policy = policies[user.id], policy != user.policy else { continue }
            plan.operations.append(.updatePolicy(user: user, policy: policy))
        }

        // Renames: only when asked, never guessed.
        planRenames(users: users, serverName: info.serverName, into: &plan)

        // Server configuration.
        var server = configuration
        if options.wants("server.legacy-auth"), configuration.json["EnableLegacyAuthorization"] != nil, configuration.enableLegacyAuthorization {
            server.enableLegacyAuthorization = false
            plan.changes.append(PlannedChange(control: "server.legacy-auth", subject: "config:server", field: "EnableLegacyAuthorization", from: true, to: false))
        }
        if options.wants("server.metrics"), configuration.enableMetrics {
            server.enableMetrics = false
            plan.changes.append(PlannedChange(control: "server.metrics", subject: "config:server", field: "EnableMetrics", from: true, to: false))
        }
        if server != configuration { plan.operations.append(.updateServerConfiguration(original: configuration, updated: server)) }

        // Network configuration.
        var net = network
        if options.wants("network.local-subnets") {
            if !options.lanCIDRs.isEmpty, Set(options.lanCIDRs) != Set(network.localNetworkSubnets) {
                net.localNetworkSubnets = options.lanCIDRs
                plan.changes.append(PlannedChange(control: "network.local-subnets", subject: "config:network", field: "LocalNetworkSubnets", from: JSONValue(network.localNetworkSubnets), to: JSONValue(options.lanCIDRs)))
            } else if options.lanCIDRs.isEmpty, network.localNetworkSubnets.isEmpty {
                plan.skipped.append(SkippedControl(control: "network.local-subnets", reason: "LocalNetworkSubnets is empty; give your LAN with --lan-cidr CIDR"))
            }
        }
        if options.wants("proxy.known-proxies") {
            if !options.proxies.isEmpty, Set(options.proxies) != Set(network.knownProxies) {
                net.knownProxies = options.proxies
                plan.changes.append(PlannedChange(control: "proxy.known-proxies", subject: "config:network", field: "KnownProxies", from: JSONValue(network.knownProxies), to: JSONValue(options.proxies)))
                plan.notes.append("Jellyfin reads KnownProxies only at start-up: restart Jellyfin for the new proxy list to take effect.")
            } else if options.proxies.isEmpty, network.knownProxies.isEmpty {
                plan.skipped.append(SkippedControl(control: "proxy.known-proxies", reason: "KnownProxies is empty; give your reverse proxy's address with --proxy IP"))
            }
        }
        if options.wants("network.autodiscovery"), network.autoDiscovery {
            net.autoDiscovery = false
            plan.changes.append(PlannedChange(control: "network.autodiscovery", subject: "config:network", field: "AutoDiscovery", from: true, to: false))
        }
        if net != network { plan.operations.append(.updateNetworkConfiguration(original: network, updated: net)) }

        // A separate media user, and a new admin password: only when asked.
        if let name = options.createMediaUser, options.wants("accounts.separate-admin") {
            if let existing = users.first(where: { $0.name.lowercased() == name.lowercased() }) {
                if existing.policy.isAdministrator {
                    plan.skipped.append(SkippedControl(control: "accounts.separate-admin", reason: "\(name) already exists and is an administrator; pick another name for the media user"))
                }
            } else {
                plan.operations.append(.createMediaUser(name: name, lockout: options.lockout))
                plan.changes.append(PlannedChange(control: "accounts.separate-admin", subject: "user:\(name)", field: "created", from: .null, to: .string("hidden, one session, no deletion, no remote control, lockout \(options.lockout); password written to a 0600 file")))
            }
        } else if options.wants("accounts.separate-admin"), !users.contains(where: { !$0.policy.isAdministrator && !$0.policy.isDisabled }) {
            plan.skipped.append(SkippedControl(control: "accounts.separate-admin", reason: "there is no media user; create one with --create-media-user NAME"))
        }
        if options.rotateAdminPassword, options.wants("auth.admin-password") {
            for admin in enabledAdmins {
                plan.operations.append(.rotatePassword(user: admin))
                plan.changes.append(PlannedChange(control: "auth.admin-password", subject: "user:\(admin.name)", field: "Password", from: "(current)", to: "(generated, 142 bits, written to a 0600 file)"))
            }
        }

        try await planKeysAndDevices(now: now, into: &plan)
        return plan
    }

    private func planRenames(users: [UserDto], serverName: String?, into plan: inout HardenPlan) {
        guard options.wants("admin.renamed") else { return }
        var renames = options.renames
        if let newName = options.adminName {
            let guessable = users.filter { $0.policy.isAdministrator && GuessableNames.isGuessable($0.name, serverName: serverName) }
            if guessable.count == 1 {
                renames[guessable[0].name] = newName
            } else if guessable.count > 1 {
                plan.skipped.append(SkippedControl(control: "admin.renamed", reason: "\(guessable.count) administrators have guessable names (\(guessable.map(\.name).joined(separator: ", "))): name each with --rename OLD=NEW"))
            }
        } else if users.contains(where: { $0.policy.isAdministrator && GuessableNames.isGuessable($0.name, serverName: serverName) }) {
            plan.skipped.append(SkippedControl(control: "admin.renamed", reason: "an administrator has a guessable name; Jellyfort never picks a name: give one with --admin-name NEW"))
        }
        for (old, new) in renames.sorted(by: { $0.key < $1.key }) {
            guard let user = users.first(where: { $0.name == old }) else {
                plan.skipped.append(SkippedControl(control: "admin.renamed", reason: "no user named \(old)"))
                continue
            }
            guard old != new else { continue }
            if users.contains(where: { $0.id != user.id && $0.name.lowercased() == new.lowercased() }) {
                plan.skipped.append(SkippedControl(control: "admin.renamed", reason: "cannot rename \(old) to \(new): that name is taken"))
                continue
            }
            plan.operations.append(.renameUser(user: user, newName: new))
            plan.changes.append(PlannedChange(control: "admin.renamed", subject: "user:\(old)", field: "Name", from: .string(old), to: .string(new)))
        }
    }

    private func planKeysAndDevices(now: Date, into plan: inout HardenPlan) async throws(JellyfinAPIError) {
        if let days = options.revokeKeysOlderThanDays, options.wants("api.keys") {
            let keys = try await client.apiKeys()
            let own: Secret? = if case .apiKey(let key) = client.configuration.credential { key } else { nil }
            for key in keys {
                guard let created = key.dateCreated, now.timeIntervalSince(created) > Double(days) * 86_400 else { continue }
                if key.accessToken == own {
                    plan.skipped.append(SkippedControl(control: "api.keys", reason: "the key \(key.appName ?? "?") (\(key.accessToken.redacted)) is the one this run uses; revoke it yourself after making a new one"))
                    continue
                }
                let app = key.appName ?? "unnamed"
                plan.operations.append(.revokeAPIKey(app: app, token: key.accessToken))
                plan.changes.append(PlannedChange(control: "api.keys", subject: "apikey:\(app)", field: "revoked", from: .string(key.accessToken.redacted), to: "revoked (cannot be rolled back)"))
            }
        }
        if options.wants("devices.stale") {
            let devices = try await client.devices()
            let ownDevice = client.configuration.identity.deviceId
            for device in devices where device.accessToken != nil {
                let idle = device.dateLastActivity.map { now.timeIntervalSince($0) } ?? .infinity
                guard idle > Double(options.staleDeviceDays) * 86_400, device.id != ownDevice else { continue }
                let name = device.customName.flatMap { $0.isEmpty ? nil : $0 } ?? device.name ?? device.id
                plan.operations.append(.deleteDevice(id: device.id, name: name))
                plan.changes.append(PlannedChange(control: "devices.stale", subject: "device:\(name)", field: "signed in", from: .string("\(device.lastUserName ?? "?"), idle \(idle.isFinite ? "\(Int(idle / 86_400)) days" : "since ever")"), to: "signed out (cannot be rolled back)"))
            }
        }
    }

    /// Whether the signed-in user's own session comes from the LAN (or this machine).
    private func isSelfOnLAN(network: NetworkConfiguration) async throws(JellyfinAPIError) -> Bool {
        let deviceId = client.configuration.identity.deviceId
        let sessions = try await client.sessions()
        guard let own = sessions.first(where: { $0.deviceId == deviceId && $0.userId == client.signedInUserId }),
            let endPoint = own.remoteEndPoint, let address = IPAddress(endPoint: endPoint)
        else { return false }
        return JellyfinLAN.contains(address, localNetworkSubnets: network.localNetworkSubnets, ipv6Enabled: network.json["EnableIPv6"]?.boolValue == true)
    }
}
