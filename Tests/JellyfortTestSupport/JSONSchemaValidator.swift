import Foundation
import JellyfinAPI

/// Validates a document against the subset of JSON Schema 2020-12 that our schemas use:
/// type (one or several), const, enum, required, properties, additionalProperties: false,
/// items, minimum, maximum, pattern, format date-time, and local $ref.
public struct JSONSchemaValidator {
    let root: JSONObject

    public init(schema: JSONObject) { root = schema }

    public func validate(_ value: JSONValue) -> [String] { validate(value, .object(root), at: "$") }

    func resolve(_ schema: JSONObject) -> JSONObject {
        guard let reference = schema["$ref"]?.stringValue, reference.hasPrefix("#/") else { return schema }
        var node: JSONValue = .object(root)
        for part in reference.dropFirst(2).split(separator: "/") { node = node.objectValue?[String(part)] ?? .null }
        return node.objectValue ?? JSONObject()
    }

    static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object): true
        case ("integer", _): value.intValue != nil
        case ("number", .int), ("number", .double): true
        default: false
        }
    }

    func validate(_ value: JSONValue, _ schemaValue: JSONValue, at path: String) -> [String] {
        guard let raw = schemaValue.objectValue else { return [] }
        let schema = resolve(raw)
        var problems: [String] = []
        if let constant = schema["const"], constant != value { problems.append("\(path): must be \(constant)") }
        if let options = schema["enum"]?.arrayValue, !options.contains(value) {
            problems.append("\(path): \(value) is not one of \(options)")
        }
        if let type = schema["type"] {
            let types = type.arrayValue?.compactMap(\.stringValue) ?? [type.stringValue ?? ""]
            if !types.contains(where: { Self.matches(value, type: $0) }) {
                return problems + ["\(path): expected \(types.joined(separator: " or ")), found \(value.kindName)"]
            }
        }
        if let minimum = schema["minimum"]?.doubleValue, let number = value.doubleValue, number < minimum {
            problems.append("\(path): below \(minimum)")
        }
        if let maximum = schema["maximum"]?.doubleValue, let number = value.doubleValue, number > maximum {
            problems.append("\(path): above \(maximum)")
        }
        if let pattern = schema["pattern"]?.stringValue, let text = value.stringValue,
            text.range(of: pattern, options: .regularExpression) == nil
        {
            problems.append("\(path): '\(text)' does not match \(pattern)")
        }
        if schema["format"]?.stringValue == "date-time", let text = value.stringValue, JellyfinDate.parse(text) == nil {
            problems.append("\(path): '\(text)' is not a date-time")
        }
        if let object = value.objectValue {
            for key in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where object[key] == nil {
                problems.append("\(path): missing required '\(key)'")
            }
            let properties = schema["properties"]?.objectValue ?? JSONObject()
            for (key, field) in object.fields {
                if let fieldSchema = properties[key] {
                    problems += validate(field, fieldSchema, at: "\(path).\(key)")
                } else if schema["additionalProperties"]?.boolValue == false {
                    problems.append("\(path).\(key): not allowed")
                }
            }
        }
        if let elements = value.arrayValue, let items = schema["items"] {
            for (index, element) in elements.enumerated() { problems += validate(element, items, at: "\(path)[\(index)]") }
        }
        return problems
    }
}
