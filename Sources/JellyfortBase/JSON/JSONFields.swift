import Foundation

/// A field of a server object that is absent, null where it may not be, or of the wrong type.
public struct JSONShapeError: Error, Sendable, Equatable, CustomStringConvertible {
    public let field: String
    public let problem: String
    public init(field: String, problem: String) {
        self.field = field
        self.problem = problem
    }
    public var description: String { "field \(field): \(problem)" }
}

/// A Swift type that can be read from one JSON value.
public protocol JSONFieldValue: Sendable {
    static var expectation: String { get }
    init?(json: JSONValue)
    var json: JSONValue { get }
}

extension Bool: JSONFieldValue {
    public static var expectation: String { "a boolean" }
    public init?(json: JSONValue) {
        guard let value = json.boolValue else { return nil }
        self = value
    }
    public var json: JSONValue { .bool(self) }
}

extension Int: JSONFieldValue {
    public static var expectation: String { "a whole number" }
    public init?(json: JSONValue) {
        guard let value = json.intValue else { return nil }
        self = value
    }
    public var json: JSONValue { .int(Int64(self)) }
}

extension Double: JSONFieldValue {
    public static var expectation: String { "a number" }
    public init?(json: JSONValue) {
        guard let value = json.doubleValue else { return nil }
        self = value
    }
    public var json: JSONValue { .double(self) }
}

extension String: JSONFieldValue {
    public static var expectation: String { "a string" }
    public init?(json: JSONValue) {
        guard let value = json.stringValue else { return nil }
        self = value
    }
    public var json: JSONValue { .string(self) }
}

extension JSONObject: JSONFieldValue {
    public static var expectation: String { "an object" }
    public init?(json: JSONValue) {
        guard let value = json.objectValue else { return nil }
        self = value
    }
    public var json: JSONValue { .object(self) }
}

extension Array: JSONFieldValue where Element: JSONFieldValue {
    public static var expectation: String { "an array of \(Element.expectation)" }
    public init?(json: JSONValue) {
        guard let elements = json.arrayValue else { return nil }
        var result: [Element] = []
        result.reserveCapacity(elements.count)
        for element in elements {
            guard let value = Element(json: element) else { return nil }
            result.append(value)
        }
        self = result
    }
    public var json: JSONValue { .array(map(\.json)) }
}

extension Date: JSONFieldValue {
    public static var expectation: String { "an ISO 8601 date" }
    public init?(json: JSONValue) {
        guard let text = json.stringValue, let date = JellyfinDate.parse(text) else { return nil }
        self = date
    }
    public var json: JSONValue { .string(JellyfinDate.format(self)) }
}

extension JSONObject {
    /// The field's value, or nil when it is absent or null; a value of the wrong type is an error.
    public func value<Value: JSONFieldValue>(_ key: String, as type: Value.Type = Value.self) throws(JSONShapeError) -> Value? {
        guard let raw = self[key], !raw.isNull else { return nil }
        guard let value = Value(json: raw) else {
            throw JSONShapeError(field: key, problem: "expected \(Value.expectation), found \(raw.kindName)")
        }
        return value
    }

    /// The field's value; absent, null or of the wrong type is an error.
    public func require<Value: JSONFieldValue>(_ key: String, as type: Value.Type = Value.self) throws(JSONShapeError) -> Value {
        guard let value = try value(key, as: type) else {
            throw JSONShapeError(field: key, problem: "missing (expected \(Value.expectation))")
        }
        return value
    }

    /// Reads a field that validation has already checked; falls back when it is absent.
    package func checked<Value: JSONFieldValue>(_ key: String, default fallback: Value) -> Value {
        self[key].flatMap(Value.init(json:)) ?? fallback
    }

    package func checked<Value: JSONFieldValue>(_ key: String) -> Value? {
        self[key].flatMap(Value.init(json:))
    }

    package mutating func set<Value: JSONFieldValue>(_ key: String, _ value: Value?) {
        self[key] = value.map(\.json) ?? .null
    }
}

/// Jellyfin's dates: ISO 8601 in UTC with up to seven fractional digits (`2026-01-17T11:30:21.4960000Z`).
public enum JellyfinDate {
    public static func parse(_ text: String) -> Date? {
        let scalars = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= scalars.count else { return nil }
            var value = 0
            for index in range {
                let byte = scalars[index]
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard scalars.count >= 19,
            let year = number(0..<4), scalars[4] == UInt8(ascii: "-"),
            let month = number(5..<7), scalars[7] == UInt8(ascii: "-"),
            let day = number(8..<10), scalars[10] == UInt8(ascii: "T") || scalars[10] == UInt8(ascii: " "),
            let hour = number(11..<13), scalars[13] == UInt8(ascii: ":"),
            let minute = number(14..<16), scalars[16] == UInt8(ascii: ":"),
            let second = number(17..<19)
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < scalars.count, scalars[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            while index < scalars.count, scalars[index] >= 0x30, scalars[index] <= 0x39 {
                fraction += Double(scalars[index] - 0x30) * scale
                scale /= 10
                index += 1
            }
        }
        var offsetSeconds = 0
        if index < scalars.count {
            switch scalars[index] {
            case UInt8(ascii: "Z"), UInt8(ascii: "z"):
                index += 1
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                let sign = scalars[index] == UInt8(ascii: "-") ? -1 : 1
                guard let hours = number(index + 1..<index + 3) else { return nil }
                var minutesStart = index + 3
                if minutesStart < scalars.count, scalars[minutesStart] == UInt8(ascii: ":") { minutesStart += 1 }
                guard let minutes = number(minutesStart..<minutesStart + 2) else { return nil }
                offsetSeconds = sign * (hours * 3600 + minutes * 60)
                index = minutesStart + 2
            default:
                return nil
            }
        }
        guard index == scalars.count, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else {
            return nil
        }
        var components = DateComponents()
        components.calendar = Calendar(identifier: .gregorian)
        components.timeZone = TimeZone(secondsFromGMT: 0)
        components.year = year
        components.month = month
        components.day = day
        components.hour = hour
        components.minute = minute
        components.second = second
        guard let base = components.date else { return nil }
        return base.addingTimeInterval(fraction - Double(offsetSeconds))
    }

    /// `2026-01-17T11:30:21.4960000Z`, the form Jellyfin writes.
    public static func format(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        let whole = seconds.rounded(.down)
        let ticks = Int(((seconds - whole) * 10_000_000).rounded(.down))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: whole))
        func pad(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return
            "\(pad(parts.year, 4))-\(pad(parts.month, 2))-\(pad(parts.day, 2))T\(pad(parts.hour, 2)):\(pad(parts.minute, 2)):\(pad(parts.second, 2)).\(pad(ticks, 7))Z"
    }
}
