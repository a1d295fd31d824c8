import AsyncHTTPClient
import Foundation
import JellyfortBase
import JellyfortHost
import NIOCore
import NIOHTTP1

/// Bans as CrowdSec decisions: Jellyfort signs in to the local API as a machine (the credentials
/// `cscli machines add` writes) and pushes an alert carrying its decision, so every bouncer of
/// the fleet enforces it. The password is read from the credentials file, never from a flag.
public actor CrowdSecBackend: BanBackend {
    public nonisolated let name = "crowdsec"
    public static let scenario = "jellyfort/jellyfin-bf"
    let credentialsPath: String
    let cscli: String?
    /// cscli's configuration, to ask it for the bouncers of this local API.
    let configPath: String?
    private var token: String?
    private var credentials: Credentials?

    struct Credentials {
        var url: String
        var login: String
        var password: Secret
    }

    public init(credentialsPath: String, configPath: String? = nil, cscli: String? = nil) {
        self.credentialsPath = credentialsPath
        self.configPath = configPath
        self.cscli = cscli ?? ExternalCommand.find(["/usr/bin/cscli", "/usr/local/bin/cscli"])
    }

    /// `url: http://127.0.0.1:8080/`, `login: …`, `password: …` (cscli's local_api_credentials.yaml).
    static func readCredentials(_ path: String) throws(BanError) -> Credentials {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw BanError(
                "crowdsec: cannot read \(path); create a machine with: cscli machines add jellyfort --auto -f \(path) "
                    + "(or give --crowdsec-credentials FILE)")
        }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: 64 << 10)) ?? nil
        let parsed = try? BoundedYAML.load(String(decoding: data ?? Data(), as: UTF8.self))
        let fields = (parsed as? [String: Any])?.compactMapValues { $0 as? String } ?? [:]
        guard let url = fields["url"], url.hasPrefix("http"), let login = fields["login"], let password = fields["password"],
            !password.isEmpty
        else {
            throw BanError("crowdsec: \(path) lacks url, login or password; write it with cscli machines add jellyfort --auto -f \(path)")
        }
        return Credentials(url: url.hasSuffix("/") ? String(url.dropLast()) : url, login: login, password: Secret(password))
    }

    public func prepare() async throws(BanError) {
        let credentials = try Self.readCredentials(credentialsPath)
        self.credentials = credentials
        token = try await login(credentials)
    }

    private func login(_ credentials: Credentials) async throws(BanError) -> String {
        let body: JSONValue = [
            "machine_id": .string(credentials.login), "password": .string(credentials.password.exposedValue),
            "scenarios": [.string(Self.scenario)],
        ]
        let (status, answer) = try await send("POST", "/v1/watchers/login", body: body, token: nil, credentials: credentials)
        guard status == 200, let token = answer["token"]?.stringValue, !token.isEmpty else {
            throw BanError(
                "crowdsec: the local API at \(credentials.url) refused the sign-in of machine \(credentials.login) (HTTP \(status)); "
                    + "check it with: cscli machines list")
        }
        return token
    }

    public func ban(_ address: IPAddress, until: Double, reason: String, now: Double) async throws(BanError) {
        let seconds = max(1, Int((until - now).rounded(.up)))
        let start = WatchDecision.iso8601(now)
        let scope = "Ip"
        let decision: JSONValue = [
            "origin": "jellyfort", "type": "ban", "scope": .string(scope), "value": .string(address.description),
            "duration": .string("\(seconds)s"), "scenario": .string(Self.scenario),
        ]
        let alert: JSONValue = [
            "scenario": .string(Self.scenario), "scenario_hash": "", "scenario_version": "1", "message": .string(reason),
            "events_count": 1, "start_at": .string(start), "stop_at": .string(start), "capacity": 0, "leakspeed": "0",
            "simulated": false, "remediation": true, "events": [],
            "source": ["scope": .string(scope), "value": .string(address.description), "ip": .string(address.description)],
            "decisions": [decision],
        ]
        try await authorised("POST", "/v1/alerts", body: [alert], what: "ban \(address)")
    }

    public func unban(_ address: IPAddress) async throws(BanError) {
        try await authorised(
            "DELETE", "/v1/decisions?ip=\(address)&scenario=\(Self.scenario)", body: nil, what: "lift the ban on \(address)")
    }

    /// Sends with the machine's token; signs in again once if it expired.
    private func authorised(_ method: String, _ path: String, body: JSONValue?, what: String) async throws(BanError) {
        guard let credentials else { throw BanError("crowdsec: not signed in (prepare was not called)") }
        for attempt in 0..<2 {
            if token == nil || attempt == 1 { token = try await login(credentials) }
            let (status, _) = try await send(method, path, body: body, token: token, credentials: credentials)
            if (200..<300).contains(status) { return }
            if status == 401 || status == 403 { continue }
            throw BanError("crowdsec: cannot \(what): the local API answered HTTP \(status)")
        }
        throw BanError("crowdsec: cannot \(what): the local API refused the machine's token")
    }

    private func send(_ method: String, _ path: String, body: JSONValue?, token: String?, credentials: Credentials) async throws(BanError)
        -> (
            Int, JSONValue
        )
    {
        var request = HTTPClientRequest(url: credentials.url + path)
        request.method = HTTPMethod(rawValue: method)
        // CrowdSec reads a machine's version from its user agent and refuses one without "/VERSION".
        request.headers.add(name: "User-Agent", value: "jellyfort-watch/1")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: JSONWriter.bytes(body)))
        }
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
            let bytes = try await response.body.collect(upTo: 1 << 20)
            let json = (try? JSONParser.parse(Array(bytes.readableBytesView))) ?? .null
            return (Int(response.status.code), json)
        } catch {
            throw BanError("crowdsec: the local API at \(credentials.url) cannot be reached (\(error)); is crowdsec running?")
        }
    }

    /// Signs in, and asks cscli whether any bouncer pulls decisions: without one, a decision drops nothing.
    public func selfTest() async -> SelfTestResult {
        var lines: [String] = []
        do {
            try await prepare()
            lines.append("signed in to the local API as machine \(credentials?.login ?? "?")")
        } catch {
            return SelfTestResult(effective: false, lines: [error.description])
        }
        guard let cscli,
            let result = try? ExternalCommand.run(
                cscli, (configPath.map { ["-c", $0] } ?? []) + ["bouncers", "list", "-o", "json"], timeLimit: .seconds(10)),
            result.status == 0
        else {
            lines.append("NOT CHECKED: cscli bouncers list did not answer; a decision drops traffic only where a bouncer enforces it")
            return SelfTestResult(effective: false, lines: lines)
        }
        let bouncers = (try? JSONParser.parse(result.output))?.arrayValue ?? []
        guard !bouncers.isEmpty else {
            lines.append("NOT EFFECTIVE: no bouncer is registered; install one (apt install crowdsec-firewall-bouncer)")
            return SelfTestResult(effective: false, lines: lines)
        }
        let names = bouncers.compactMap { $0["name"]?.stringValue }
        lines.append("\(bouncers.count) bouncer\(bouncers.count == 1 ? "" : "s") enforce decisions: \(names.joined(separator: ", "))")
        return SelfTestResult(effective: true, lines: lines)
    }
}
