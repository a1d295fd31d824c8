/// A Jellyfin server version. 10.x is `10.MAJOR.PATCH`; from 12.0 tags are `vMAJOR.MINOR` while
/// servers report three parts (`12.0.0`), so every form is padded to three numbers.
public struct JellyfinVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var patch: Int

    public init(_ major: Int, _ minor: Int, _ patch: Int = 0) {
        self.major = major
        self.minor = minor
        self.patch = patch
    }

    /// Accepts `10.11.11`, `12.0.0`, `v12.1`, `12.1`, and ignores a suffix such as `-rc5` or `+build`.
    public init?(_ text: String) {
        var core = Substring(text.trimmingPrefix("v"))
        if let cut = core.firstIndex(where: { $0 == "-" || $0 == "+" || $0 == " " }) { core = core[..<cut] }
        let parts = core.split(separator: ".", omittingEmptySubsequences: false)
        guard (2...4).contains(parts.count) else { return nil }
        var numbers: [Int] = []
        for part in parts.prefix(3) {
            guard !part.isEmpty, part.allSatisfy(\.isASCII), let value = Int(part), value >= 0 else { return nil }
            numbers.append(value)
        }
        self.init(numbers[0], numbers[1], numbers.count > 2 ? numbers[2] : 0)
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
    }

    public var description: String { "\(major).\(minor).\(patch)" }

    /// The release series: `10.11` or `12.0`.
    public var series: String { "\(major).\(minor)" }

    /// 12.0 and later: `HasPassword` is always true and legacy authorization is off by default.
    public var isTwelveOrLater: Bool { major >= 12 }
}
