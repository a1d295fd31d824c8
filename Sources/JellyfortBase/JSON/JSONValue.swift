/// A JSON document as it came from the server, kept whole.
///
/// Jellyfin replaces policies and configurations whole on every write, so an object that is read,
/// changed and written back must carry every field the server sent, including fields this version
/// of Jellyfort has never heard of. Typed models are views over a `JSONObject` for that reason.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The JSON type name, for error messages ("expected a string, found a number").
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .int, .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    public var boolValue: Bool? { if case .bool(let value) = self { value } else { nil } }
    public var stringValue: String? { if case .string(let value) = self { value } else { nil } }
    public var objectValue: JSONObject? { if case .object(let value) = self { value } else { nil } }
    public var arrayValue: [JSONValue]? { if case .array(let value) = self { value } else { nil } }
    public var isNull: Bool { if case .null = self { true } else { false } }

    /// A field of an object; nil for a missing field or a value that is not an object.
    public subscript(key: String) -> JSONValue? { objectValue?[key] }

    /// Whole numbers only; a fractional number is not an integer.
    public var intValue: Int? {
        switch self {
        case .int(let value): Int(exactly: value)
        case .double(let value): Int(exactly: value)
        default: nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral, ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(Dictionary(elements, uniquingKeysWith: { _, last in last })))
    }
}

extension JSONValue {
    /// `[String]` to a JSON array of strings.
    public init(_ strings: [String]) { self = .array(strings.map(JSONValue.string)) }
}

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(JSONObject(try container.decode([String: JSONValue].self)))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value.fields)
        }
    }
}

/// The field names of an object, shared by every object with the same names.
///
/// A list of 10,000 users holds three shapes (user, policy, configuration), not 30,000
/// dictionaries: each object keeps only its values, which is most of the memory saved.
public final class JSONShape: Sendable {
    public let names: [String]
    let positions: [String: Int]

    init(names: [String]) {
        self.names = names
        var positions: [String: Int] = Dictionary(minimumCapacity: names.count)
        for (index, name) in names.enumerated() { positions[name] = index }
        self.positions = positions
    }

    static let empty = JSONShape(names: [])

    func appending(_ name: String) -> JSONShape { JSONShape(names: names + [name]) }

    func removing(at index: Int) -> JSONShape {
        var remaining = names
        remaining.remove(at: index)
        return JSONShape(names: remaining)
    }
}

/// A JSON object: named fields in no meaningful order, written back with sorted keys so that
/// output is repeatable.
public struct JSONObject: Sendable, Hashable {
    var shape: JSONShape
    var values: [JSONValue]

    public init(_ fields: [String: JSONValue] = [:]) {
        let names = Array(fields.keys)
        shape = names.isEmpty ? .empty : JSONShape(names: names)
        values = names.map { fields[$0]! }
    }

    /// Values in the order of a shape's names (the parser's fast path).
    init(shape: JSONShape, values: [JSONValue]) {
        self.shape = shape
        self.values = values
    }

    /// The fields as a dictionary (a copy: prefer the subscript for single fields).
    public var fields: [String: JSONValue] {
        get { Dictionary(uniqueKeysWithValues: zip(shape.names, values)) }
        set { self = JSONObject(newValue) }
    }

    public subscript(key: String) -> JSONValue? {
        get { shape.positions[key].map { values[$0] } }
        set {
            if let position = shape.positions[key] {
                if let newValue {
                    values[position] = newValue
                } else {
                    shape = shape.removing(at: position)
                    values.remove(at: position)
                }
            } else if let newValue {
                shape = shape.appending(key)
                values.append(newValue)
            }
        }
    }

    public var keys: [String] { shape.names }

    public var count: Int { values.count }

    /// Name and value of every field.
    public var pairs: Zip2Sequence<[String], [JSONValue]> { zip(shape.names, values) }

    /// Fields of `other` replace this object's fields of the same name; the rest stay.
    public func merging(_ other: JSONObject) -> JSONObject {
        var result = self
        for (name, value) in other.pairs { result[name] = value }
        return result
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.values.count == rhs.values.count else { return false }
        if lhs.shape === rhs.shape { return lhs.values == rhs.values }
        return lhs.pairs.allSatisfy { name, value in rhs[name] == value }
    }

    public func hash(into hasher: inout Hasher) {
        // Order-independent, like a dictionary's.
        var combined = 0
        for (name, value) in pairs {
            var field = Hasher()
            field.combine(name)
            field.combine(value)
            combined ^= field.finalize()
        }
        hasher.combine(values.count)
        hasher.combine(combined)
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
