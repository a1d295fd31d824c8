import Foundation

/// Why a document is not JSON, with the byte offset where reading stopped.
public struct JSONParseError: Error, Sendable, CustomStringConvertible {
    public let offset: Int
    public let reason: String
    public var description: String { "\(reason) at byte \(offset)" }
}

/// A strict, allocation-light JSON reader.
///
/// Written for two reasons: a hostile server may send deeply nested or huge documents, so depth
/// is limited and every error names its offset; and `GET /Users` on a large server is tens of
/// megabytes, which this reads several times faster than a `Codable` round trip.
public struct JSONParser {
    public static let maximumDepth = 128

    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        try parse(Array(bytes))
    }

    public static func parse(_ array: [UInt8]) throws(JSONParseError) -> JSONValue {
        do {
            return try array.withUnsafeBufferPointer { buffer in try parse(buffer) }
        } catch let error as JSONParseError {
            throw error
        } catch {
            throw JSONParseError(offset: 0, reason: "\(error)")
        }
    }

    /// Parses bytes in place, without copying them.
    public static func parse(_ buffer: UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> JSONValue {
        var parser = Cursor(bytes: buffer)
        parser.skipWhitespace()
        let value = try parser.readValue(depth: 0)
        parser.skipWhitespace()
        guard parser.index == buffer.count else {
            throw JSONParseError(offset: parser.index, reason: "unexpected text after the JSON document")
        }
        return value
    }

    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    private struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0
        /// Field names seen so far: a list of 10,000 users repeats the same 80 names, and sharing
        /// one String for each saves an allocation per field.
        var names: [UInt64: (bytes: [UInt8], name: String, id: Int)] = [:]
        /// Shapes seen so far, by the ids of their names in order.
        var shapes: [[Int]: JSONShape] = [:]
        var nameCount = 0
        /// The id of the last name read (names without escapes only; -1 otherwise).
        var lastNameId = -1

        func fail(_ reason: String) -> JSONParseError { JSONParseError(offset: index, reason: reason) }

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x0A, 0x0D, 0x09: index += 1
                default: return
                }
            }
        }

        mutating func expect(_ literal: String, value: JSONValue) throws(JSONParseError) -> JSONValue {
            let expected = Array(literal.utf8)
            guard index + expected.count <= bytes.count else { throw fail("truncated literal") }
            for offset in 0..<expected.count where bytes[index + offset] != expected[offset] {
                throw fail("expected true, false or null")
            }
            index += expected.count
            return value
        }

        mutating func readValue(depth: Int) throws(JSONParseError) -> JSONValue {
            guard depth < JSONParser.maximumDepth else { throw fail("nesting deeper than \(JSONParser.maximumDepth) levels") }
            guard index < bytes.count else { throw fail("unexpected end of document") }
            switch bytes[index] {
            case UInt8(ascii: "{"): return .object(try readObject(depth: depth))
            case UInt8(ascii: "["): return .array(try readArray(depth: depth))
            case UInt8(ascii: "\""): return .string(try readString())
            case UInt8(ascii: "t"): return try expect("true", value: .bool(true))
            case UInt8(ascii: "f"): return try expect("false", value: .bool(false))
            case UInt8(ascii: "n"): return try expect("null", value: .null)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try readNumber()
            default:
                let byte = bytes[index]
                throw fail(
                    byte >= 0x21 && byte < 0x7F
                        ? "unexpected character '\(Character(Unicode.Scalar(byte)))'" : "unexpected byte 0x\(String(byte, radix: 16))")
            }
        }

        /// A field name, shared with earlier identical names when it has no escapes.
        mutating func readName() throws(JSONParseError) -> String {
            let start = index + 1
            var scan = start
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            while scan < bytes.count, bytes[scan] != UInt8(ascii: "\""), bytes[scan] != UInt8(ascii: "\\"), bytes[scan] >= 0x20 {
                hash = (hash ^ UInt64(bytes[scan])) &* 0x100_0000_01b3
                scan += 1
            }
            guard scan < bytes.count, bytes[scan] == UInt8(ascii: "\"") else {
                lastNameId = -1
                return try readString()
            }
            let slice = UnsafeBufferPointer(rebasing: bytes[start..<scan])
            if let known = names[hash], known.bytes.count == slice.count,
                slice.isEmpty || known.bytes.withUnsafeBufferPointer({ memcmp($0.baseAddress!, slice.baseAddress!, slice.count) == 0 })
            {
                index = scan + 1
                lastNameId = known.id
                return known.name
            }
            guard let name = String(validating: slice, as: UTF8.self) else { throw fail("invalid UTF-8 in a field name") }
            if names[hash] == nil {
                nameCount += 1
                names[hash] = (Array(slice), name, nameCount)
                lastNameId = nameCount
            } else {
                lastNameId = -1  // a hash collision: not shared
            }
            index = scan + 1
            return name
        }

        mutating func readObject(depth: Int) throws(JSONParseError) -> JSONObject {
            index += 1
            var names: [String] = []
            var ids: [Int] = []
            var values: [JSONValue] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return JSONObject()
            }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a field name") }
                let key = try readName()
                let id = lastNameId
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                index += 1
                skipWhitespace()
                let value = try readValue(depth: depth + 1)
                names.append(key)
                ids.append(id)
                values.append(value)
                skipWhitespace()
                guard index < bytes.count else { throw fail("unterminated object") }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                if bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return try makeObject(names: names, ids: ids, values: values)
                }
                throw fail("expected ',' or '}'")
            }
        }

        /// Objects with the same names in the same order share one shape.
        mutating func makeObject(names: [String], ids: [Int], values grown: [JSONValue]) throws(JSONParseError) -> JSONObject {
            // Appending doubled the storage as it went; keep only what the object uses.
            let values =
                grown.capacity > grown.count + 4
                ? Array(unsafeUninitializedCapacity: grown.count) { buffer, count in
                    for (index, value) in grown.enumerated() { (buffer.baseAddress! + index).initialize(to: value) }
                    count = grown.count
                } : grown
            let shareable = !ids.contains(-1)
            if shareable, let shape = shapes[ids] { return JSONObject(shape: shape, values: values) }
            // A repeated name could carry two values and let a reader pick the harmless one;
            // Jellyfin never sends one, so an object that has one is refused.
            var seen = Set<String>(minimumCapacity: names.count)
            for name in names where !seen.insert(name).inserted {
                throw fail("the field '\(Sanitized.terminal(String(name.prefix(60))))' appears twice in one object")
            }
            let shape = JSONShape(names: names)
            if shareable { shapes[ids] = shape }
            return JSONObject(shape: shape, values: values)
        }

        mutating func readArray(depth: Int) throws(JSONParseError) -> [JSONValue] {
            index += 1
            var elements: [JSONValue] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return elements
            }
            while true {
                skipWhitespace()
                elements.append(try readValue(depth: depth + 1))
                skipWhitespace()
                guard index < bytes.count else { throw fail("unterminated array") }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                if bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return elements
                }
                throw fail("expected ',' or ']'")
            }
        }

        mutating func readString() throws(JSONParseError) -> String {
            index += 1
            let start = index
            // Fast path: no escapes.
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    guard let text = String(validating: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self) else {
                        throw fail("invalid UTF-8 in a string")
                    }
                    index += 1
                    return text
                }
                if byte == UInt8(ascii: "\\") { break }
                if byte < 0x20 { throw fail("control character in string") }
                index += 1
            }
            var scratch = Array(bytes[start..<index])
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\""):
                    index += 1
                    guard let text = String(validating: scratch, as: UTF8.self) else { throw fail("invalid UTF-8 in a string") }
                    return text
                case UInt8(ascii: "\\"):
                    index += 1
                    guard index < bytes.count else { throw fail("unterminated escape") }
                    let escape = bytes[index]
                    index += 1
                    switch escape {
                    case UInt8(ascii: "\""): scratch.append(0x22)
                    case UInt8(ascii: "\\"): scratch.append(0x5C)
                    case UInt8(ascii: "/"): scratch.append(0x2F)
                    case UInt8(ascii: "b"): scratch.append(0x08)
                    case UInt8(ascii: "f"): scratch.append(0x0C)
                    case UInt8(ascii: "n"): scratch.append(0x0A)
                    case UInt8(ascii: "r"): scratch.append(0x0D)
                    case UInt8(ascii: "t"): scratch.append(0x09)
                    case UInt8(ascii: "u"):
                        var scalar = try readHex4()
                        if (0xD800...0xDBFF).contains(scalar) {
                            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                                throw fail("unpaired surrogate")
                            }
                            index += 2
                            let low = try readHex4()
                            guard (0xDC00...0xDFFF).contains(low) else { throw fail("invalid surrogate pair") }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        }
                        guard let unicode = Unicode.Scalar(scalar) else { throw fail("invalid unicode escape") }
                        scratch.append(contentsOf: Array(String(Character(unicode)).utf8))
                    default:
                        throw fail("invalid escape")
                    }
                default:
                    if byte < 0x20 { throw fail("control character in string") }
                    scratch.append(byte)
                    index += 1
                }
            }
            throw fail("unterminated string")
        }

        mutating func readHex4() throws(JSONParseError) -> UInt32 {
            guard index + 4 <= bytes.count else { throw fail("truncated unicode escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt32
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
                default: throw fail("invalid hex digit")
                }
                value = value << 4 | digit
                index += 1
            }
            return value
        }

        /// RFC 8259 exactly: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
        mutating func readNumber() throws(JSONParseError) -> JSONValue {
            let start = index
            func isDigit(_ at: Int) -> Bool { at < bytes.count && bytes[at] >= UInt8(ascii: "0") && bytes[at] <= UInt8(ascii: "9") }
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard isDigit(index) else { throw fail("invalid number: a digit must follow '-'") }
            if bytes[index] == UInt8(ascii: "0") {
                index += 1
                guard !isDigit(index) else { throw fail("invalid number: no leading zeros") }
            } else {
                while isDigit(index) { index += 1 }
            }
            var isInteger = true
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                isInteger = false
                index += 1
                guard isDigit(index) else { throw fail("invalid number: a digit must follow '.'") }
                while isDigit(index) { index += 1 }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                isInteger = false
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                guard isDigit(index) else { throw fail("invalid number: a digit must follow the exponent") }
                while isDigit(index) { index += 1 }
            }
            guard index - start <= 400 else { throw fail("a number of \(index - start) characters") }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            if isInteger, let value = Int64(text) { return .int(value) }
            guard let value = Double(text), value.isFinite else {
                index = start
                throw fail("number out of range '\(text.prefix(40))'")
            }
            return .double(value)
        }
    }
}
