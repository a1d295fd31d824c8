import Foundation

/// An IPv4 or IPv6 address as bytes, parsed strictly (no host names, no zone ids).
///
/// Jellyfin's network settings (`KnownProxies`, `LocalNetworkSubnets`, `RemoteIPFilter`) and
/// every allow-list in a deployment are lists of these; deciding "is this address inside that
/// range" correctly is what remote-vs-LAN rests on.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// 4 bytes for IPv4, 16 for IPv6.
    public let bytes: [UInt8]

    public var isIPv4: Bool { bytes.count == 4 }

    public init?(_ text: String) {
        var candidate = text.trimmingCharacters(in: .whitespaces)
        if candidate.hasPrefix("["), candidate.hasSuffix("]") { candidate = String(candidate.dropFirst().dropLast()) }
        if let v4 = Self.parseIPv4(candidate) {
            bytes = v4
        } else if let v6 = Self.parseIPv6(candidate) {
            // An IPv4-mapped IPv6 address is the IPv4 address (Jellyfin maps it back too).
            if v6[0..<10].allSatisfy({ $0 == 0 }), v6[10] == 0xFF, v6[11] == 0xFF {
                bytes = Array(v6[12..<16])
            } else {
                bytes = v6
            }
        } else {
            return nil
        }
    }

    /// An address from a session's `RemoteEndPoint`: `1.2.3.4`, `1.2.3.4:5678` or `[::1]:5678`.
    public init?(endPoint text: String) {
        if let direct = IPAddress(text) {
            self = direct
        } else if text.hasPrefix("["), let close = text.firstIndex(of: "]"),
            let inside = IPAddress(String(text[text.index(after: text.startIndex)..<close]))
        {
            self = inside
        } else if let colon = text.lastIndex(of: ":"), text.filter({ $0 == ":" }).count == 1, let host = IPAddress(String(text[..<colon])) {
            self = host
        } else {
            return nil
        }
    }

    /// 127.0.0.1.
    public static let loopback = IPAddress(validBytes: [127, 0, 0, 1])

    private init(validBytes: [UInt8]) { bytes = validBytes }

    /// Four bytes (IPv4) or sixteen (IPv6); any other count is not an address.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    public var isLoopback: Bool {
        isIPv4 ? bytes[0] == 127 : bytes == [UInt8](repeating: 0, count: 15) + [1]
    }

    /// RFC 1918, RFC 4193 (fc00::/7) and link-local: addresses that are not on the public internet.
    public var isPrivate: Bool {
        Self.privateRanges.contains { $0.contains(self) }
    }

    static let privateRanges: [IPNetwork] = [
        "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "100.64.0.0/10", "fc00::/7", "fe80::/10",
    ].compactMap(IPNetwork.init)

    public var description: String {
        if isIPv4 { return bytes.map(String.init).joined(separator: ".") }
        var groups: [UInt16] = []
        for index in stride(from: 0, to: 16, by: 2) { groups.append(UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1])) }
        // Compress the longest run of zero groups (RFC 5952).
        var bestStart = -1
        var bestLength = 0
        var index = 0
        while index < 8 {
            if groups[index] == 0 {
                var end = index
                while end < 8, groups[end] == 0 { end += 1 }
                if end - index > bestLength, end - index > 1 {
                    bestStart = index
                    bestLength = end - index
                }
                index = end
            } else {
                index += 1
            }
        }
        func hex(_ range: Range<Int>) -> String { groups[range].map { String($0, radix: 16) }.joined(separator: ":") }
        if bestStart < 0 { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }

    /// Dotted IPv4 from ASCII bytes, with the same rules as the text form (four parts, 0–255, no
    /// leading zeros); anything else (IPv6 among them) goes through the text parser. The log
    /// reader calls this once per refused sign-in, so it avoids building a String.
    public init?(ascii bytes: UnsafeBufferPointer<UInt8>) {
        var result: [UInt8] = []
        result.reserveCapacity(4)
        var value = 0
        var digits = 0
        var leadingZero = false
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, result.count < 3 else {
                    result = []
                    break
                }
                result.append(UInt8(value))
                value = 0
                digits = 0
            } else if byte >= 48, byte <= 57 {
                if digits == 0 {
                    leadingZero = byte == 48
                } else if leadingZero {
                    result = []
                    break
                }
                value = value * 10 + Int(byte - 48)
                digits += 1
                guard value <= 255 else {
                    result = []
                    break
                }
            } else {
                result = []
                break
            }
        }
        if result.count == 3, digits > 0 {
            result.append(UInt8(value))
            self.bytes = result
            return
        }
        guard bytes.contains(UInt8(ascii: ":")), let parsed = IPAddress(String(decoding: bytes, as: UTF8.self)) else { return nil }
        self = parsed
    }

    private static func parseIPv4(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var result: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), part.allSatisfy(\.isNumber),
                !(part.count > 1 && part.first == "0"), let value = UInt8(part)
            else { return nil }
            result.append(value)
        }
        return result
    }

    private static func parseIPv6(_ text: String) -> [UInt8]? {
        guard text.contains(":"), !text.contains("%") else { return nil }
        var head = Substring(text)
        var tailIPv4: [UInt8] = []
        if let lastColon = text.lastIndex(of: ":"), text[text.index(after: lastColon)...].contains(".") {
            guard let v4 = parseIPv4(String(text[text.index(after: lastColon)...])) else { return nil }
            tailIPv4 = v4
            head = text[...lastColon]
            if head.hasSuffix("::") == false { head = head.dropLast() }
        }
        let halves = head.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt16]? {
            if part.isEmpty { return [] }
            var values: [UInt16] = []
            for piece in part.split(separator: ":", omittingEmptySubsequences: false) {
                guard (1...4).contains(piece.count), let value = UInt16(piece, radix: 16) else { return nil }
                values.append(value)
            }
            return values
        }
        guard let first = groups(halves[0]) else { return nil }
        let second = halves.count == 2 ? groups(halves[1]) : []
        guard let second else { return nil }
        let tailGroups = tailIPv4.isEmpty ? 0 : 2
        let total = first.count + second.count + tailGroups
        if halves.count == 1 { guard total == 8 else { return nil } } else { guard total < 8 else { return nil } }
        let zeros = [UInt16](repeating: 0, count: 8 - total)
        var result: [UInt8] = []
        for group in first + zeros + second {
            result.append(UInt8(group >> 8))
            result.append(UInt8(group & 0xFF))
        }
        result.append(contentsOf: tailIPv4)
        return result.count == 16 ? result : nil
    }
}

/// An address range in CIDR form (`192.168.1.0/24`, `2001:db8::/32`); a bare address is a /32 or /128.
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    public let address: IPAddress
    public let prefixLength: Int

    public init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2, let address = IPAddress(String(parts[0])) else { return nil }
        let maximum = address.bytes.count * 8
        if parts.count == 2 {
            guard var length = Int(parts[1]), parts[1].allSatisfy(\.isNumber) else { return nil }
            // An IPv4-mapped IPv6 range (::ffff:a.b.c.d/120) is the IPv4 range with 96 bits less.
            if address.isIPv4, parts[0].contains(":") {
                guard length >= 96 else { return nil }
                length -= 96
            }
            guard (0...maximum).contains(length) else { return nil }
            prefixLength = length
        } else {
            prefixLength = maximum
        }
        self.address = address
    }

    public init(address: IPAddress, prefixLength: Int) {
        self.address = address
        self.prefixLength = prefixLength
    }

    /// True for a single host (/32 or /128).
    public var isSingleHost: Bool { prefixLength == address.bytes.count * 8 }

    public func contains(_ candidate: IPAddress) -> Bool {
        guard candidate.bytes.count == address.bytes.count else { return false }
        var remaining = prefixLength
        for index in 0..<address.bytes.count {
            guard remaining > 0 else { return true }
            let bits = min(8, remaining)
            let mask: UInt8 = bits == 8 ? 0xFF : ~(0xFF >> UInt8(bits))
            if address.bytes[index] & mask != candidate.bytes[index] & mask { return false }
            remaining -= bits
        }
        return true
    }

    /// True when every address of `other` is inside this network.
    public func contains(_ other: IPNetwork) -> Bool {
        other.address.bytes.count == address.bytes.count && other.prefixLength >= prefixLength && contains(other.address)
    }

    public var description: String { isSingleHost ? address.description : "\(address)/\(prefixLength)" }
}
