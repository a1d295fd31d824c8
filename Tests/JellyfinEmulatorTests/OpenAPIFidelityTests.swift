import Foundation
import JellyfinAPI
import JellyfinEmulator
import JellyfortTestSupport
import Testing

/// Holds the emulator to Jellyfin's own OpenAPI document: every route it serves is there, and
/// what it returns has the property names and types the document's schemas give.
@Suite("Fidelity to Jellyfin's OpenAPI document")
struct OpenAPIFidelityTests {
    static let documentPath = fixturesFolder.appendingPathComponent("reference/jellyfin-openapi-10.11.0.json")

    static func document() throws -> JSONObject {
        guard let data = FileManager.default.contents(atPath: documentPath.path) else {
            throw FixtureError("Jellyfin's OpenAPI document is missing at \(documentPath.path)")
        }
        return try #require(try JSONParser.parse(Array(data)).objectValue)
    }

    @Test("every route the emulator serves exists in the document with its method")
    func routesExist() throws {
        let paths = try #require(try Self.document()["paths"]?.objectValue)
        let byLowercase = Dictionary(paths.fields.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        let routes = EmulatorRoute.all.filter { !$0.isOutsideControllers }
        #expect(routes.count >= 40)
        for route in routes {
            let operations = byLowercase[route.template.lowercased()]?.objectValue
            #expect(
                operations?[route.method.lowercased()] != nil, "\(route.method) \(route.template) is not in Jellyfin's OpenAPI document")
        }
    }

    /// (method, path to call, schema of the answer in the document, or a named one for binary answers)
    static let samples: [(String, String, String?)] = [
        ("GET", "/System/Info/Public", nil), ("GET", "/System/Info", nil), ("GET", "/System/Configuration", nil),
        ("GET", "/System/Configuration/network", "NetworkConfiguration"), ("GET", "/System/Configuration/branding", "BrandingOptionsDto"),
        ("GET", "/Users", nil), ("GET", "/Users/Public", nil), ("GET", "/Users/{userId}", nil), ("GET", "/Sessions", nil),
        ("GET", "/Devices", nil), ("GET", "/Auth/Keys", nil), ("GET", "/System/ActivityLog/Entries", nil), ("GET", "/Plugins", nil),
        ("GET", "/Repositories", nil), ("GET", "/Branding/Configuration", nil), ("GET", "/QuickConnect/Enabled", nil),
        ("GET", "/System/Logs", nil), ("POST", "/Users/AuthenticateByName", nil), ("POST", "/Users/New", nil),
    ]

    @Test("answers validate against the document's schemas", arguments: ["insecure", "hardened"])
    func answersValidate(scenario: String) async throws {
        let document = try Self.document()
        let validator = SchemaValidator(document: document)
        let folder = temporaryDirectory("openapi")
        defer { try? FileManager.default.removeItem(at: folder) }
        try await withEmulator(scenario, logDirectory: folder) { fixture in
            let client = try fixture.client()
            _ = try? await client.authenticate(user: "nobody", password: Secret("x"))
            let someUser = try #require(try await client.users().last)
            for (method, template, named) in Self.samples {
                let path = template.replacingOccurrences(of: "{userId}", with: someUser.id)
                var body: JSONValue?
                if template == "/Users/AuthenticateByName" {
                    let user = fixture.scenario.users.first!
                    body = ["Username": .string(user.name), "Pw": .string(user.password)]
                } else if template == "/Users/New" {
                    body = ["Name": "schema-check", "Password": "p"]
                }
                let response = try await client.send(
                    method == "GET" ? .get : .post, path, body: body, authenticated: template != "/Users/AuthenticateByName")
                #expect(response.status == 200, "\(method) \(path) answered \(response.status)")
                let value = try JSONParser.parse(response.body)
                let schema: JSONValue
                if let named {
                    schema = ["$ref": .string("#/components/schemas/\(named)")]
                } else {
                    schema = try #require(
                        validator.responseSchema(method: method, path: template), "no 200 JSON schema for \(method) \(template)")
                }
                let problems = validator.validate(value, against: schema, at: "\(method) \(template)")
                #expect(problems.isEmpty, "\(problems.prefix(10).joined(separator: "\n"))")
            }
            await client.shutdown()
        }
    }

    @Test("the validator itself catches wrong names and types")
    func validatorCatchesMistakes() throws {
        let validator = SchemaValidator(document: try Self.document())
        let schema: JSONValue = ["$ref": "#/components/schemas/UserPolicy"]
        let bad: JSONValue = [
            "IsAdministrator": "yes", "MadeUpField": true, "LoginAttemptsBeforeLockout": 1.5, "SyncPlayAccess": "Sometimes",
        ]
        let problems = validator.validate(bad, against: schema, at: "policy")
        #expect(problems.contains { $0.contains("IsAdministrator") })
        #expect(problems.contains { $0.contains("MadeUpField") })
        #expect(problems.contains { $0.contains("LoginAttemptsBeforeLockout") })
        #expect(problems.contains { $0.contains("SyncPlayAccess") })
    }
}

/// A small validator for the parts of OpenAPI 3.0 that Jellyfin's document uses.
struct SchemaValidator {
    let document: JSONObject

    var schemas: JSONObject { document["components"]?.objectValue?["schemas"]?.objectValue ?? JSONObject() }

    func responseSchema(method: String, path: String) -> JSONValue? {
        let operation = document["paths"]?.objectValue?[path]?.objectValue?[method.lowercased()]?.objectValue
        let content = operation?["responses"]?.objectValue?["200"]?.objectValue?["content"]?.objectValue
        return content?["application/json"]?.objectValue?["schema"]
    }

    func resolve(_ schema: JSONObject) -> JSONObject {
        var current = schema
        for _ in 0..<10 {
            if let reference = current["$ref"]?.stringValue {
                current = schemas[String(reference.split(separator: "/").last ?? "")]?.objectValue ?? JSONObject()
            } else if let parts = current["allOf"]?.arrayValue, parts.count == 1, let inner = parts[0].objectValue {
                var merged = resolve(inner)
                for (key, value) in current.fields where key != "allOf" { merged[key] = value }
                current = merged
            } else {
                break
            }
        }
        return current
    }

    func validate(_ value: JSONValue, against schemaValue: JSONValue, at location: String) -> [String] {
        guard let raw = schemaValue.objectValue else { return [] }
        let schema = resolve(raw)
        if value.isNull {
            return schema["nullable"]?.boolValue == true || schema.keys.isEmpty
                ? [] : ["\(location): null where the schema does not allow it"]
        }
        var problems: [String] = []
        if let allowed = schema["enum"]?.arrayValue, !allowed.contains(value) {
            problems.append("\(location): \(value) is not one of \(allowed.map(\.description).joined(separator: ", "))")
        }
        switch schema["type"]?.stringValue {
        case "string":
            guard let text = value.stringValue else { return problems + ["\(location): expected a string, found \(value.kindName)"] }
            if schema["format"]?.stringValue == "date-time", JellyfinDate.parse(text) == nil {
                problems.append("\(location): '\(text)' is not a date-time")
            }
            if schema["format"]?.stringValue == "uuid", !JellyfinID.isValid(text), UUID(uuidString: text) == nil {
                problems.append("\(location): '\(text)' is not a uuid")
            }
        case "boolean":
            if value.boolValue == nil { problems.append("\(location): expected a boolean, found \(value.kindName)") }
        case "integer":
            if value.intValue == nil { problems.append("\(location): expected an integer, found \(value)") }
        case "number":
            if value.doubleValue == nil { problems.append("\(location): expected a number, found \(value.kindName)") }
        case "array":
            guard let elements = value.arrayValue else { return problems + ["\(location): expected an array, found \(value.kindName)"] }
            for (index, element) in elements.enumerated() {
                problems += validate(element, against: schema["items"] ?? [:], at: "\(location)[\(index)]")
            }
        case "object", nil:
            guard let properties = schema["properties"]?.objectValue else { break }
            guard let object = value.objectValue else { return problems + ["\(location): expected an object, found \(value.kindName)"] }
            for (key, field) in object.fields {
                guard let fieldSchema = properties[key] else {
                    if schema["additionalProperties"]?.boolValue == false {
                        problems.append("\(location).\(key): not a property of this schema")
                    }
                    continue
                }
                problems += validate(field, against: fieldSchema, at: "\(location).\(key)")
            }
        default:
            break
        }
        return problems
    }
}
