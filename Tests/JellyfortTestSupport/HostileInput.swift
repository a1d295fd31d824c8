/// Input built to hurt a reader, shared by the fuzz tests of every target.
public enum HostileInput {
    /// A YAML "billion laughs": nine levels of nine aliases each, 400 bytes that expand to
    /// 387 million values, used as a compose service's environment.
    public static var yamlAliasBomb: String {
        var yaml = "a: &a [x, x, x, x, x, x, x, x, x]\n"
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i"] {
            yaml += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ", ") + "]\n"
            previous = name
        }
        return yaml + "services:\n  jellyfin:\n    image: jellyfin/jellyfin\n    environment: *\(previous)\n"
    }
}

/// SplitMix64: a small deterministic generator, so a failing fuzz case can be replayed from its seed.
public struct SplitMix: Sendable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in 0..<bound (0 for an empty range).
    public mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(max(bound, 1))) }
}
