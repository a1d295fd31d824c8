import Foundation
import Synchronization

/// One Serilog event, rendered in either of Jellyfin's two sinks.
///
/// The file sink uses `{Message}`, so string properties are quoted (`"bob"`, `"203.0.113.5"`);
/// the console/journald sink uses `{Message:lj}`, so they are not. fail2ban filters must match
/// both, which is why the emulator writes both from one event.
public struct JellyfinLogEvent: Sendable, Equatable {
    public enum Level: String, Sendable {
        case information = "INF"
        case warning = "WRN"
        case error = "ERR"
    }
    public enum Property: Sendable, Equatable {
        case string(String)
        case number(Int)
    }

    public var date: Date
    public var level: Level
    public var category: String
    /// The message template with `{Name}` holes, as in Jellyfin's source.
    public var template: String
    public var properties: [String: Property]
    public var threadId: Int

    public init(date: Date, level: Level, category: String, template: String, properties: [String: Property], threadId: Int) {
        self.date = date
        self.level = level
        self.category = category
        self.template = template
        self.properties = properties
        self.threadId = threadId
    }

    public static let userManager = "Jellyfin.Server.Implementations.Users.UserManager"
    public static let sessionManager = "Emby.Server.Implementations.Session.SessionManager"
    public static let exceptionMiddleware = "Jellyfin.Api.Middleware.ExceptionMiddleware"
    public static let ipFilter = "Jellyfin.Api.Middleware.IPBasedAccessValidationMiddleware"

    /// `[2026-01-17 11:30:21.496 -06:00] [INF] [50] Category: Message` (file sink).
    public func fileLine(timeZone: TimeZone = .current) -> String {
        "[\(Self.timestamp(date, timeZone: timeZone, full: true))] [\(level.rawValue)] [\(threadId)] \(category): \(render(quoted: true))"
    }

    /// `[16:41:05] [INF] [79] Category: Message` (console and journald sink).
    public func consoleLine(timeZone: TimeZone = .current) -> String {
        "[\(Self.timestamp(date, timeZone: timeZone, full: false))] [\(level.rawValue)] [\(threadId)] \(category): \(render(quoted: false))"
    }

    func render(quoted: Bool) -> String {
        var output = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            output += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else { break }
            let name = String(rest[rest.index(after: open)..<close])
            switch properties[name] {
            case .string(let text)?:
                // Serilog escapes backslashes and quotes in quoted strings, nothing else (not newlines).
                output +=
                    quoted
                    ? "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" : text
            case .number(let number)?:
                output += String(number)
            case nil:
                output += "{\(name)}"
            }
            rest = rest[rest.index(after: close)...]
        }
        return output + rest
    }

    static func timestamp(_ date: Date, timeZone: TimeZone, full: Bool) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .nanosecond], from: date)
        func pad(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let time = "\(pad(parts.hour, 2)):\(pad(parts.minute, 2)):\(pad(parts.second, 2))"
        guard full else { return time }
        let millis = (parts.nanosecond ?? 0) / 1_000_000
        let offset = timeZone.secondsFromGMT(for: date)
        let sign = offset < 0 ? "-" : "+"
        let zone = "\(sign)\(pad(abs(offset) / 3600, 2)):\(pad(abs(offset) % 3600 / 60, 2))"
        return "\(pad(parts.year, 4))-\(pad(parts.month, 2))-\(pad(parts.day, 2)) \(time).\(pad(millis, 3)) \(zone)"
    }

    /// `log_YYYYMMDD.log`, the daily file name of Jellyfin's file sink.
    public static func fileName(for date: Date, timeZone: TimeZone = .current) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "log_%04d%02d%02d.log", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }
}

extension JellyfinLogEvent {
    /// The five deny messages of `UserManager.AuthenticateUser` (facts §6), plus the other lines a
    /// ban filter must *not* match.
    public enum Deny: String, Sendable, CaseIterable {
        case withoutUsername, denied, disabled, remoteForbidden, parental

        var template: String {
            switch self {
            case .withoutUsername: "Authentication request without username has been denied (IP: {IP})."
            case .denied: "Authentication request for {UserName} has been denied (IP: {IP})."
            case .disabled: "Authentication request for {UserName} has been denied because this account is currently disabled (IP: {IP})."
            case .remoteForbidden:
                "Authentication request for {UserName} forbidden: remote access disabled and user not in local network (IP: {IP})."
            case .parental: "Authentication request for {UserName} is not allowed at this time due parental restrictions (IP: {IP})."
            }
        }
    }

    static func make(_ level: Level, _ category: String, _ template: String, _ properties: [String: Property], at date: Date)
        -> JellyfinLogEvent
    {
        JellyfinLogEvent(
            date: date, level: level, category: category, template: template, properties: properties, threadId: 40 + Int.random(in: 0..<40))
    }

    public static func deny(_ kind: Deny, user: String?, ip: String, at date: Date = Date()) -> JellyfinLogEvent {
        var properties: [String: Property] = ["IP": .string(ip)]
        if let user { properties["UserName"] = .string(user) }
        return make(.information, userManager, kind.template, properties, at: date)
    }

    public static func succeeded(user: String, at date: Date = Date()) -> JellyfinLogEvent {
        make(.information, userManager, "Authentication request for {UserName} has succeeded.", ["UserName": .string(user)], at: date)
    }

    public static func lockedOut(user: String, attempts: Int, at date: Date = Date()) -> JellyfinLogEvent {
        make(
            .warning, userManager, "Disabling user {Username} due to {Attempts} unsuccessful login attempts.",
            ["Username": .string(user), "Attempts": .number(attempts)], at: date)
    }

    public static func sessionCount(user: String, sessions: Int, maximum: Int, at date: Date = Date()) -> JellyfinLogEvent {
        make(
            .information, sessionManager, "Current/Max sessions for user {User}: {Sessions}/{Max}",
            ["User": .string(user), "Sessions": .number(sessions), "Max": .number(maximum)], at: date)
    }

    public static func newToken(user: String, at date: Date = Date()) -> JellyfinLogEvent {
        make(.information, sessionManager, "Creating new access token for user {0}", ["0": .string(user)], at: date)
    }

    public static func requestError(message: String, method: String, url: String, at date: Date = Date()) -> JellyfinLogEvent {
        make(
            .error, exceptionMiddleware, "Error processing request: {ExceptionMessage}. URL {Method} {Url}.",
            ["ExceptionMessage": .string(message), "Method": .string(method), "Url": .string(url)], at: date)
    }

    public static func ipBlocked(path: String, ip: String, reason: String, at date: Date = Date()) -> JellyfinLogEvent {
        make(
            .warning, ipFilter, "Blocking request to {Path} by {RemoteIP} due to IP filtering rule, reason: {Reason}",
            ["Path": .string(path), "RemoteIP": .string(ip), "Reason": .string(reason)], at: date)
    }
}

/// Where the emulator's log goes: `log_YYYYMMDD.log` files in a folder (file format), a console
/// stream (console format), and an in-memory list for tests.
public final class JellyfinLogWriter: Sendable {
    public let directory: URL?
    let console: (@Sendable (String) -> Void)?
    private let recorded = Mutex<[JellyfinLogEvent]>([])

    public init(directory: URL?, console: (@Sendable (String) -> Void)? = nil) {
        self.directory = directory
        self.console = console
        if let directory {
            try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
    }

    public func write(_ event: JellyfinLogEvent) {
        recorded.withLock { events in
            events.append(event)
            if events.count > 100_000 { events.removeFirst(events.count - 100_000) }
        }
        console?(event.consoleLine())
        guard let directory else { return }
        let file = directory.appendingPathComponent(JellyfinLogEvent.fileName(for: event.date))
        let line = Array((event.fileLine() + "\n").utf8)
        recorded.withLock { _ in
            // Appends under the lock so lines from concurrent requests never interleave.
            if let handle = FileHandle(forWritingAtPath: file.path) {
                handle.seekToEndOfFile()
                handle.write(Data(line))
                try? handle.close()
            } else {
                _ = FileManager.default.createFile(atPath: file.path, contents: Data(line))
            }
        }
    }

    /// Every event written so far (newest last).
    public var events: [JellyfinLogEvent] { recorded.withLock { $0 } }
}
