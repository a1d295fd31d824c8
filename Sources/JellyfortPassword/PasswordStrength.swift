import CZxcvbn
import Foundation
import JellyfortBase

/// How long a password would hold, estimated by zxcvbn (Debian's `libzxcvbn`): it finds the
/// dictionary words, names, keyboard patterns, dates and repeats a guesser tries first, which
/// hand-written rules about "one digit and one capital" do not.
public struct PasswordStrength: Sendable, Equatable {
    /// log2 of the guesses zxcvbn expects an attacker to need.
    public var bits: Double
    /// What zxcvbn recognised, in order (e.g. "dictionary word", "keyboard pattern").
    public var patterns: [String]

    public enum Rating: String, Sendable {
        case weak, moderate, strong
    }

    /// Below 40 bits falls to an offline attack in days; 60 bits holds for centuries even against
    /// a fast offline guesser of a slow hash, and is what an administrator's password needs.
    public var rating: Rating { bits < 40 ? .weak : bits < 60 ? .moderate : .strong }

    /// Guesses per second for the three attacks worth naming.
    public enum Attack: CaseIterable, Sendable {
        /// Sign-in attempts against Jellyfin without lockout, through a fast link.
        case onlineUnthrottled
        /// Sign-in attempts with lockout after a few tries and fail2ban: a handful per hour.
        case onlineThrottled
        /// A stolen database: Jellyfin stores PBKDF2-SHA512 hashes; one GPU tries about 10,000 a second.
        case offlineSlowHash

        public var guessesPerSecond: Double {
            switch self {
            case .onlineUnthrottled: 10
            case .onlineThrottled: 100.0 / 3600
            case .offlineSlowHash: 10_000
            }
        }

        public var label: String {
            switch self {
            case .onlineUnthrottled: "online, no lockout (10 guesses a second)"
            case .onlineThrottled: "online, with lockout and bans (100 an hour)"
            case .offlineSlowHash: "offline, from a stolen database (10,000 a second)"
            }
        }
    }

    /// Seconds to find the password, on average (half the guesses).
    public func seconds(_ attack: Attack) -> Double {
        pow(2, bits) / 2 / attack.guessesPerSecond
    }

    /// Rates `password`; `userInputs` are words an attacker would try first (the user name,
    /// the server's name). Passwords longer than 256 bytes are rated on their first 256.
    public static func rate(_ password: Secret, userInputs: [String] = []) -> PasswordStrength {
        let text = String(decoding: Array(password.exposedValue.utf8.prefix(256)), as: UTF8.self)
        guard !text.isEmpty else { return PasswordStrength(bits: 0, patterns: ["empty"]) }
        let inputs = userInputs.filter { !$0.isEmpty && !$0.utf8.contains(0) }.prefix(16).map { strdup($0) }
        defer { for input in inputs { free(input) } }
        var pointers: [UnsafePointer<CChar>?] = inputs.map { UnsafePointer($0) }
        pointers.append(nil)
        var info: UnsafeMutablePointer<ZxcMatch_t>?
        let bits = text.withCString { passwordPointer in
            pointers.withUnsafeMutableBufferPointer { buffer in
                ZxcvbnMatch(passwordPointer, buffer.baseAddress, &info)
            }
        }
        var patterns: [String] = []
        var match = info
        while let current = match {
            patterns.append(describe(current.pointee.Type))
            match = current.pointee.Next
        }
        ZxcvbnFreeInfo(info)
        return PasswordStrength(bits: bits.isFinite ? max(bits, 0) : 0, patterns: patterns)
    }

    static func describe(_ type: ZxcTypeMatch_t) -> String {
        let base = ZxcTypeMatch_t(rawValue: type.rawValue & ~MULTIPLE_MATCH.rawValue)
        let repeated = type.rawValue & MULTIPLE_MATCH.rawValue != 0 ? " (repeated)" : ""
        let name =
            switch base {
            case BRUTE_MATCH: "characters without a pattern"
            case DICTIONARY_MATCH: "a dictionary word"
            case DICT_LEET_MATCH: "a dictionary word with l33t substitutions"
            case USER_MATCH: "your user or server name"
            case USER_LEET_MATCH: "your user or server name with l33t substitutions"
            case REPEATS_MATCH: "repeated characters"
            case SEQUENCE_MATCH: "a sequence such as abc or 123"
            case SPATIAL_MATCH: "a keyboard pattern"
            case DATE_MATCH: "a date"
            case YEAR_MATCH: "a year"
            case LONG_PWD_MATCH: "a long stretch"
            default: "something else"
            }
        return name + repeated
    }
}

/// A duration for people: "instantly", "3 hours", "about 40,000 years".
public enum HumanDuration {
    public static func describe(seconds: Double) -> String {
        guard seconds.isFinite else { return "longer than the universe has existed" }
        if seconds < 1 { return "instantly" }
        let units: [(Double, String)] = [(60, "second"), (60, "minute"), (24, "hour"), (365.25, "day")]
        var value = seconds
        for (size, name) in units {
            if value < size { return plural(value, name) }
            value /= size
        }
        if value < 1_000_000 { return plural(value, "year") }
        if value < 13.8e9 { return "about \(Int((value / 1e6).rounded())) million years" }
        return "longer than the universe has existed"
    }

    private static func plural(_ value: Double, _ unit: String) -> String {
        let whole = max(Int(value.rounded(.down)), 1)
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.usesGroupingSeparator = true
        formatter.groupingSeparator = ","
        let text = formatter.string(from: NSNumber(value: whole)) ?? "\(whole)"
        return "\(text) \(unit)\(whole == 1 ? "" : "s")"
    }
}
