import Foundation

/// Jellyfin's sign-in lines as `jellyfort watch` and the `auth.brute-force-ban` control read them:
/// the five deny messages of `UserManager` and its lockout warning, in the file sink (quoted) and
/// the console/journald sink (unquoted), read from bytes without a regular expression so that a
/// million-line log is read at close to the speed of the disk.
///
/// A line is trusted only when its whole prefix is Jellyfin's own (`[time] [LVL] [thread]
/// Jellyfin.Server.Implementations.Users.UserManager: `) and it ends the way Jellyfin ends a deny
/// message. The address is the last `(IP: …)` of the line: a user name can carry a fake one, or a
/// newline and a whole fake line, but Jellyfin always writes the real address last.
public enum JellyfinAuthLine {
    public enum DenyKind: String, Sendable, CaseIterable, Codable {
        case noUserName = "no-username"
        /// A wrong password or a name that does not exist: Jellyfin says the same for both.
        case denied
        case disabled
        case remoteAccess = "remote-access"
        case parental
    }

    /// When a line was written: the file sink has the date and zone, the console sink only the time of day.
    public enum Time: Sendable, Equatable {
        case instant(Double)
        case timeOfDay
    }

    public struct Deny: Sendable, Equatable {
        public var kind: DenyKind
        /// The name as typed, quotes removed; nil for the "without username" message.
        public var userName: String?
        public var address: IPAddress
        public var time: Time

        public init(kind: DenyKind, userName: String?, address: IPAddress, time: Time) {
            self.kind = kind
            self.userName = userName
            self.address = address
            self.time = time
        }
    }

    public enum Reading: Sendable, Equatable {
        case deny(Deny)
        /// `Disabling user {Username} due to {Attempts} unsuccessful login attempts.`
        case lockout(userName: String, time: Time)
        /// A line that is not a sign-in refusal (most lines).
        case other
    }

    static let category = Array("Jellyfin.Server.Implementations.Users.UserManager: ".utf8)
    static let request = Array("Authentication request ".utf8)
    static let withoutName = Array("without username has been denied".utf8)
    static let forPrefix = Array("for ".utf8)
    static let addressOpen = Array(" (IP: ".utf8)
    static let disabling = Array("Disabling user ".utf8)
    static let dueTo = Array(" due to ".utf8)
    static let endings: [(DenyKind, [UInt8])] = [
        (.disabled, Array(" has been denied because this account is currently disabled".utf8)),
        (.remoteAccess, Array(" forbidden: remote access disabled and user not in local network".utf8)),
        (.parental, Array(" is not allowed at this time due parental restrictions".utf8)),
        (.denied, Array(" has been denied".utf8)),
    ]

    public static func read(_ line: String) -> Reading {
        var bytes = Array(line.utf8)
        return bytes.withUnsafeMutableBufferPointer { read(UnsafeBufferPointer($0)) }
    }

    /// Reads one line (without its newline; a trailing carriage return is ignored).
    public static func read(_ raw: UnsafeBufferPointer<UInt8>) -> Reading {
        var end = raw.count
        if end > 0, raw[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        let line = UnsafeBufferPointer(rebasing: raw[0..<end])
        guard let (time, messageStart) = header(line) else { return .other }
        let message = UnsafeBufferPointer(rebasing: line[messageStart...])
        if starts(message, with: request) {
            return deny(UnsafeBufferPointer(rebasing: message[request.count...]), time: time).map(Reading.deny) ?? .other
        }
        if starts(message, with: disabling), let due = lastRange(of: dueTo, in: message), due.lowerBound > disabling.count,
            ends(message, with: Array(" unsuccessful login attempts.".utf8))
        {
            let name = unquoted(UnsafeBufferPointer(rebasing: message[disabling.count..<due.lowerBound]))
            return .lockout(userName: name, time: time)
        }
        return .other
    }

    /// `without username has been denied (IP: X).` or `for NAME <ending> (IP: X).`
    static func deny(_ body: UnsafeBufferPointer<UInt8>, time: Time) -> Deny? {
        guard body.count > 4, body[body.count - 1] == UInt8(ascii: "."), body[body.count - 2] == UInt8(ascii: ")"),
            let open = lastRange(of: addressOpen, in: body)
        else { return nil }
        var addressBytes = UnsafeBufferPointer(rebasing: body[open.upperBound..<(body.count - 2)])
        if addressBytes.count >= 2, addressBytes.first == UInt8(ascii: "\""), addressBytes.last == UInt8(ascii: "\"") {
            addressBytes = UnsafeBufferPointer(rebasing: addressBytes[1..<(addressBytes.count - 1)])
        }
        guard addressBytes.count <= 64, let address = IPAddress(ascii: addressBytes) else { return nil }
        let head = UnsafeBufferPointer(rebasing: body[0..<open.lowerBound])
        if head.count == withoutName.count, starts(head, with: withoutName) {
            return Deny(kind: .noUserName, userName: nil, address: address, time: time)
        }
        guard starts(head, with: forPrefix) else { return nil }
        for (kind, ending) in endings where ends(head, with: ending) && head.count > forPrefix.count + ending.count {
            let name = UnsafeBufferPointer(rebasing: head[forPrefix.count..<(head.count - ending.count)])
            return Deny(kind: kind, userName: unquoted(name), address: address, time: time)
        }
        return nil
    }

    /// `[2026-01-17 11:30:21.496 -06:00] [INF] [50] Jellyfin…UserManager: ` or `[16:41:05] [INF] [79] …`;
    /// journald's `Nov 30 10:00:00 host jellyfin[12]: ` may come first. Returns where the message starts.
    static func header(_ line: UnsafeBufferPointer<UInt8>) -> (Time, Int)? {
        var index = 0
        if line.first != UInt8(ascii: "[") {
            // A journald or syslog prefix ends with "]: " (or ": ") before Jellyfin's own "[".
            guard let prefixEnd = firstRange(of: Array(": [".utf8), in: UnsafeBufferPointer(rebasing: line[0..<min(line.count, 160)]))
            else { return nil }
            index = prefixEnd.lowerBound + 2
        }
        guard index < line.count, line[index] == UInt8(ascii: "["),
            let close = firstIndex(of: UInt8(ascii: "]"), in: line, from: index + 1, limit: 40)
        else { return nil }
        let stamp = (index + 1)..<close
        index = close + 1
        // " [LVL] [digits] "
        guard index + 7 <= line.count, line[index] == UInt8(ascii: " "), line[index + 1] == UInt8(ascii: "["),
            (index + 2..<index + 5).allSatisfy({ line[$0] >= UInt8(ascii: "A") && line[$0] <= UInt8(ascii: "Z") }),
            line[index + 5] == UInt8(ascii: "]"), line[index + 6] == UInt8(ascii: " ")
        else { return nil }
        index += 7
        guard index < line.count, line[index] == UInt8(ascii: "[") else { return nil }
        index += 1
        let digitsStart = index
        while index < line.count, index - digitsStart < 10, line[index] >= UInt8(ascii: "0"), line[index] <= UInt8(ascii: "9") {
            index += 1
        }
        guard index > digitsStart, index + 1 < line.count, line[index] == UInt8(ascii: "]"), line[index + 1] == UInt8(ascii: " ")
        else { return nil }
        index += 2
        // The category first: most lines are another logger's, and end here.
        guard starts(UnsafeBufferPointer(rebasing: line[index...]), with: category),
            let time = timestamp(UnsafeBufferPointer(rebasing: line[stamp]))
        else { return nil }
        return (time, index + category.count)
    }

    /// `yyyy-MM-dd HH:mm:ss.fff ±hh:mm` → seconds since 1970; `HH:mm:ss[.fff]` → time of day only.
    static func timestamp(_ text: UnsafeBufferPointer<UInt8>) -> Time? {
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= text.count else { return nil }
            var value = 0
            for index in from..<(from + count) {
                let digit = Int(text[index]) - 48
                guard digit >= 0, digit <= 9 else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        func byte(_ index: Int) -> UInt8? { index < text.count ? text[index] : nil }
        if text.count == 8 || text.count == 12, byte(2) == UInt8(ascii: ":"), number(0, 2) != nil, number(3, 2) != nil, number(6, 2) != nil
        {
            return .timeOfDay
        }
        guard text.count >= 26, byte(4) == UInt8(ascii: "-"), byte(7) == UInt8(ascii: "-"), byte(10) == UInt8(ascii: " "),
            let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
            let minute = number(14, 2), let second = number(17, 2), byte(19) == UInt8(ascii: "."), let millis = number(20, 3),
            byte(23) == UInt8(ascii: " "), let sign = byte(24), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"),
            let zoneHours = number(25, 2), byte(27) == UInt8(ascii: ":"), let zoneMinutes = number(28, 2), text.count == 30,
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61, zoneHours < 24, zoneMinutes < 60
        else { return nil }
        let offset = (zoneHours * 3600 + zoneMinutes * 60) * (sign == UInt8(ascii: "-") ? -1 : 1)
        let seconds = daysSinceEpoch(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - offset
        return .instant(Double(seconds) + Double(millis) / 1000)
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let shifted = month <= 2 ? year - 1 : year
        let era = (shifted >= 0 ? shifted : shifted - 399) / 400
        let yearOfEra = shifted - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The file sink quotes names and escapes `\` and `"`; the console sink writes them as typed.
    static func unquoted(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let bounded = UnsafeBufferPointer(rebasing: bytes.prefix(512))
        if bounded.count >= 2, bounded.first == UInt8(ascii: "\""), bounded.last == UInt8(ascii: "\""),
            !bounded.contains(UInt8(ascii: "\\"))
        {
            return String(decoding: UnsafeBufferPointer(rebasing: bounded[1..<(bounded.count - 1)]), as: UTF8.self)
        }
        let text = String(decoding: bounded, as: UTF8.self)
        guard text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") else { return text }
        var result = ""
        var escaped = false
        for character in text.dropFirst().dropLast() {
            if escaped || character != "\\" {
                result.append(character)
                escaped = false
            } else {
                escaped = true
            }
        }
        return result
    }

    static func starts(_ bytes: UnsafeBufferPointer<UInt8>, with prefix: [UInt8]) -> Bool {
        guard bytes.count >= prefix.count else { return false }
        for index in 0..<prefix.count where bytes[index] != prefix[index] { return false }
        return true
    }

    static func ends(_ bytes: UnsafeBufferPointer<UInt8>, with suffix: [UInt8]) -> Bool {
        guard bytes.count >= suffix.count else { return false }
        let offset = bytes.count - suffix.count
        for index in 0..<suffix.count where bytes[offset + index] != suffix[index] { return false }
        return true
    }

    static func firstIndex(of byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from: Int, limit: Int) -> Int? {
        var index = from
        while index < bytes.count, index - from < limit {
            if bytes[index] == byte { return index }
            index += 1
        }
        return nil
    }

    static func firstRange(of needle: [UInt8], in bytes: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        guard !needle.isEmpty, bytes.count >= needle.count else { return nil }
        var start = 0
        while start + needle.count <= bytes.count {
            if bytes[start] == needle[0], starts(UnsafeBufferPointer(rebasing: bytes[start...]), with: needle) {
                return start..<(start + needle.count)
            }
            start += 1
        }
        return nil
    }

    /// The last occurrence, scanning backwards: linear in the line, whatever a user name holds.
    static func lastRange(of needle: [UInt8], in bytes: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        guard !needle.isEmpty, bytes.count >= needle.count else { return nil }
        var start = bytes.count - needle.count
        while start >= 0 {
            if bytes[start] == needle[0], starts(UnsafeBufferPointer(rebasing: bytes[start...]), with: needle) {
                return start..<(start + needle.count)
            }
            start -= 1
        }
        return nil
    }
}
