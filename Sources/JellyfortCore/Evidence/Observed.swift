/// A piece of evidence that was read, or the reason it could not be.
public enum Observed<Value: Sendable & Codable & Equatable>: Sendable, Codable, Equatable {
    case observed(Value)
    case unavailable(String)

    public var value: Value? { if case .observed(let value) = self { value } else { nil } }
    public var reason: String? { if case .unavailable(let reason) = self { reason } else { nil } }
}
