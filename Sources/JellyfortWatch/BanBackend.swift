import Foundation
import JellyfortBase
import JellyfortHost

/// A backend's refusal, said so that the user knows what to do.
public struct BanError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// What `--self-test` found: whether a ban through this backend would stop anything.
public struct SelfTestResult: Sendable {
    public var effective: Bool
    /// One line per thing checked, in order.
    public var lines: [String]
}

/// Where bans go. Each applies and lifts one address at a time, idempotently: a ban applied
/// twice (after a restart) or a lift of a ban that already expired is not an error.
public protocol BanBackend: Sendable {
    var name: String { get }
    /// Makes sure the backend can take bans (tables, sets, sign-in); called once at start.
    func prepare() async throws(BanError)
    func ban(_ address: IPAddress, until: Double, reason: String, now: Double) async throws(BanError)
    func unban(_ address: IPAddress) async throws(BanError)
    /// Whether a ban would drop anything: checked in the backend's own configuration.
    func selfTest() async -> SelfTestResult
}

/// `--ban none` and `--dry-run`: decides, records, bans nothing.
public struct NoBackend: BanBackend {
    public let name: String
    public init(name: String = "none") { self.name = name }
    public func prepare() async throws(BanError) {}
    public func ban(_ address: IPAddress, until: Double, reason: String, now: Double) async throws(BanError) {}
    public func unban(_ address: IPAddress) async throws(BanError) {}
    public func selfTest() async -> SelfTestResult {
        SelfTestResult(effective: false, lines: ["--ban none: nothing is banned; choose nftables, firewalld or crowdsec"])
    }
}

/// Runs one backend command; a time limit, arguments as an array, and a one-line error.
func runBackendTool(_ executable: String, _ arguments: [String], input: String? = nil, what: String) throws(BanError)
    -> ExternalCommand.Result
{
    do {
        return try ExternalCommand.run(executable, arguments, input: input.map { Array($0.utf8) }, timeLimit: .seconds(10))
    } catch {
        switch error {
        case .notInstalled(let path): throw BanError("\(what): \(path) is not installed")
        case .timedOut(let path, let limit): throw BanError("\(what): \(path) did not answer within \(limit)")
        case .cannotStart(let path): throw BanError("\(what): \(path) could not be started")
        }
    }
}
