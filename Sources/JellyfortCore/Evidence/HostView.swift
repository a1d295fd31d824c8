import Foundation

/// What the deployment files say (`--deployment`): the container, the proxy, the firewall and
/// the ban filters, each fact with the file and line it came from.
public struct HostView: Sendable, Codable, Equatable {
    /// Files read and recognised.
    public var files: [String]
    public var containers: [ContainerFacts]
    public var proxies: [ProxySiteFacts]
    public var firewalls: [FirewallFacts]
    public var banConfigurations: [BanFacts]
    /// Whether `podman-auto-update.timer` is enabled in a systemd user unit folder that was given.
    public var autoUpdateTimer: TimerFacts?
    /// Files that could not be read or understood; the rest of the audit goes on.
    public var problems: [FileProblem]

    public init(
        files: [String] = [], containers: [ContainerFacts] = [], proxies: [ProxySiteFacts] = [], firewalls: [FirewallFacts] = [],
        banConfigurations: [BanFacts] = [], autoUpdateTimer: TimerFacts? = nil, problems: [FileProblem] = []
    ) {
        self.files = files
        self.containers = containers
        self.proxies = proxies
        self.firewalls = firewalls
        self.banConfigurations = banConfigurations
        self.autoUpdateTimer = autoUpdateTimer
        self.problems = problems
    }
}

public struct FileProblem: Sendable, Codable, Equatable, CustomStringConvertible {
    public var location: FileLocation
    public var reason: String
    public init(_ path: String, line: Int? = nil, _ reason: String) {
        location = FileLocation(path: path, line: line)
        self.reason = reason
    }
    public var description: String { "\(location.path)\(location.line.map { ":\($0)" } ?? ""): \(reason)" }
}

/// One Jellyfin container as a Quadlet unit, a run command, a compose service or `podman inspect` describes it.
public struct ContainerFacts: Sendable, Codable, Equatable {
    public enum Source: String, Sendable, Codable { case quadlet, runCommand, compose, inspect }
    public struct Mount: Sendable, Codable, Equatable {
        public var source: String
        public var target: String
        public var options: [String]
        public var line: Int?
        public init(source: String, target: String, options: [String], line: Int?) {
            self.source = source
            self.target = target
            self.options = options
            self.line = line
        }
        public var isReadOnly: Bool { options.contains("ro") || options.contains("readonly") || options.contains("ro=true") }
        public var hasPrivateLabel: Bool { options.contains("Z") || options.contains("relabel=private") }
        /// A folder of the host (`/…`, a systemd specifier such as `%h`, a shell variable such as
        /// `$HOME` or `$MEDIA`, or `~`), not a named volume or a tmpfs.
        public var isHostPath: Bool {
            ["/", "%", "$", "~"].contains { source.hasPrefix($0) }
        }
    }
    public struct Publish: Sendable, Codable, Equatable {
        public var hostIP: String?
        public var hostPort: String
        public var containerPort: String
        public var line: Int?
        public init(hostIP: String?, hostPort: String, containerPort: String, line: Int?) {
            self.hostIP = hostIP
            self.hostPort = hostPort
            self.containerPort = containerPort
            self.line = line
        }
    }

    public var source: Source
    public var location: FileLocation
    public var engine: String
    /// `sudo podman …`, the Docker daemon, or a rootful inspect: the engine runs as root.
    public var rootfulEngine: Bool
    public var image: String?
    public var user: String?
    public var userNamespace: String?
    public var privileged: Bool
    public var addedCapabilities: [String]
    public var dropsAllCapabilities: Bool
    public var noNewPrivileges: Bool
    public var devices: [String]
    /// `pasta`, `slirp4netns:port_handler=…`, `host`, `bridge`, … or nil for the engine's default.
    public var network: String?
    public var pidHost: Bool
    public var publishes: [Publish]
    public var mounts: [Mount]
    public var autoUpdateLabel: String?
    /// Constructs of the definition that Jellyfort does not understand (an option it does not
    /// know, …): the container's controls are `unknown` rather than judged on half of it.
    public var notUnderstood: [String] = []
    /// Where the ports are published when not in this definition (a Quadlet `Pod=`'s `.pod`
    /// file that was not given).
    public var portsElsewhere: String?
    /// A Quadlet `.image` or `.build` unit that holds the real image reference.
    public var imageElsewhere: String?
    /// `--ipc host`: the container shares the host's IPC namespace.
    public var ipcHost = false

    public init(
        source: Source, location: FileLocation, engine: String = "podman", rootfulEngine: Bool = false, image: String? = nil,
        user: String? = nil,
        userNamespace: String? = nil, privileged: Bool = false, addedCapabilities: [String] = [], dropsAllCapabilities: Bool = false,
        noNewPrivileges: Bool = false, devices: [String] = [], network: String? = nil, pidHost: Bool = false, publishes: [Publish] = [],
        mounts: [Mount] = [], autoUpdateLabel: String? = nil
    ) {
        self.source = source
        self.location = location
        self.engine = engine
        self.rootfulEngine = rootfulEngine
        self.image = image
        self.user = user
        self.userNamespace = userNamespace
        self.privileged = privileged
        self.addedCapabilities = addedCapabilities
        self.dropsAllCapabilities = dropsAllCapabilities
        self.noNewPrivileges = noNewPrivileges
        self.devices = devices
        self.network = network
        self.pidHost = pidHost
        self.publishes = publishes
        self.mounts = mounts
        self.autoUpdateLabel = autoUpdateLabel
    }
}

/// One site of a Caddyfile.
public struct ProxySiteFacts: Sendable, Codable, Equatable {
    public var location: FileLocation
    /// The addresses of the site block (`reels.example.org`, `:443`, `https://`, `http://x`).
    public var addresses: [String]
    public var upstreams: [String]
    public var tlsOff: Bool
    public var responseHeadersSet: [String]
    public var responseHeadersRemoved: [String]
    public var blocksMetrics: Bool
    /// A `log` directive: the access log is kept.
    public var logsAccess: Bool
    /// Query parameters the access log replaces or deletes.
    public var redactedQueryParameters: [String]
    /// `remote_ip` ranges outside which requests are refused (or only these are let in).
    public var allowedSources: [String]
    /// Behind a CDN: `header_regexp CF-Connecting-IP` patterns that every viewer must match.
    public var forwardedViewerPatterns: [String] = []
    public var trustedProxies: [String]
    public var aborts: Bool
    /// Constructs of the site that Jellyfort could not follow (an `import` it cannot find, an
    /// address from the environment): the proxy controls are `unknown` rather than judged on a part.
    public var notUnderstood: [String] = []
    /// `tls CERT KEY`, `tls internal` or `tls EMAIL`: HTTPS even where Caddy would not turn it on by itself.
    public var hasOwnCertificate = false

    public init(
        location: FileLocation, addresses: [String], upstreams: [String] = [], tlsOff: Bool = false, responseHeadersSet: [String] = [],
        responseHeadersRemoved: [String] = [], blocksMetrics: Bool = false, logsAccess: Bool = false,
        redactedQueryParameters: [String] = [],
        allowedSources: [String] = [], trustedProxies: [String] = [], aborts: Bool = false
    ) {
        self.location = location
        self.addresses = addresses
        self.upstreams = upstreams
        self.tlsOff = tlsOff
        self.responseHeadersSet = responseHeadersSet
        self.responseHeadersRemoved = responseHeadersRemoved
        self.blocksMetrics = blocksMetrics
        self.logsAccess = logsAccess
        self.redactedQueryParameters = redactedQueryParameters
        self.allowedSources = allowedSources
        self.trustedProxies = trustedProxies
        self.aborts = aborts
    }

    /// The access log keeps no token: both spellings Jellyfin accepts are filtered.
    public var logRedactsTokens: Bool { redactedQueryParameters.contains("api_key") && redactedQueryParameters.contains("ApiKey") }

    /// Proxies to Jellyfin (anything on 8096).
    public var servesJellyfin: Bool { upstreams.contains { $0.hasSuffix(":8096") || $0.contains(":8096/") } }
    /// A catch-all: no host name of its own.
    public var isCatchAll: Bool {
        addresses.allSatisfy { address in
            let host = address.replacingOccurrences(of: "https://", with: "").replacingOccurrences(of: "http://", with: "")
            return host.isEmpty || host.hasPrefix(":")
        }
    }
}

/// What a firewall configuration lets reach 80/443.
public struct FirewallFacts: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable { case nftables, firewalld }
    public var kind: Kind
    public var location: FileLocation
    /// Sources allowed to reach 443; nil when 443 is open to everyone (or not restricted here).
    public var sourcesFor443: [String]?
    /// Jellyfin's own ports are dropped or rejected.
    public var closesJellyfinPorts: Bool
    /// Ports accepted from any source; nil when the reader cannot tell.
    public var openToEveryone: [String]?
    /// What is not accepted is dropped (nftables `policy drop`, a firewalld zone's default).
    public var dropsByDefault: Bool

    public init(
        kind: Kind, location: FileLocation, sourcesFor443: [String]?, closesJellyfinPorts: Bool, openToEveryone: [String]? = nil,
        dropsByDefault: Bool = false
    ) {
        self.kind = kind
        self.location = location
        self.sourcesFor443 = sourcesFor443
        self.closesJellyfinPorts = closesJellyfinPorts
        self.openToEveryone = openToEveryone
        self.dropsByDefault = dropsByDefault
    }
}

/// A fail2ban filter or jail, or a CrowdSec acquisition.
public struct BanFacts: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable { case fail2banFilter, fail2banJail, crowdsecAcquisition, jellyfortWatch }
    public var kind: Kind
    public var location: FileLocation
    public var failRegexes: [String]
    public var logPaths: [String]
    public var filterName: String?
    public var enabled: Bool
    /// CrowdSec's `labels.type`.
    public var type: String?

    public init(
        kind: Kind, location: FileLocation, failRegexes: [String] = [], logPaths: [String] = [], filterName: String? = nil,
        enabled: Bool = true, type: String? = nil
    ) {
        self.kind = kind
        self.location = location
        self.failRegexes = failRegexes
        self.logPaths = logPaths
        self.filterName = filterName
        self.enabled = enabled
        self.type = type
    }
}

public struct TimerFacts: Sendable, Codable, Equatable {
    public var enabled: Bool
    public var location: FileLocation
    public init(enabled: Bool, location: FileLocation) {
        self.enabled = enabled
        self.location = location
    }
}
