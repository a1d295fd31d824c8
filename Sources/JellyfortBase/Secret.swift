/// A token or password. It prints as a mask, so it cannot leak into output by accident.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The secret itself; use it only to send it to the server or to write it to a 0600 file.
    public let exposedValue: String

    public init(_ value: String) { exposedValue = value }

    public var description: String { "••••" }
    public var debugDescription: String { "Secret(••••)" }

    /// The first four characters and an ellipsis: enough to tell tokens apart in a report.
    public var redacted: String {
        exposedValue.count <= 4 ? "…" : String(exposedValue.prefix(4)) + "…"
    }

    public var isEmpty: Bool { exposedValue.isEmpty }
}
