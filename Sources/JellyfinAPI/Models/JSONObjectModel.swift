/// A typed view over a whole server object.
///
/// Everything the server sent stays in `json` and is written back as it was; the typed
/// properties read and change single fields. `init(json:)` checks the fields the model relies on,
/// so the property getters never have to guess.
public protocol JSONObjectModel: JSONReadableModel, Equatable {
    var json: JSONObject { get set }
}

/// A model read from one JSON object, checking the fields it relies on.
public protocol JSONReadableModel: Sendable {
    /// The object's name in Jellyfin's OpenAPI document, for messages.
    static var schemaName: String { get }
    init(json: JSONObject) throws(JSONShapeError)
}

extension JSONReadableModel {
    public init(value: JSONValue) throws(JSONShapeError) {
        guard let object = value.objectValue else {
            throw JSONShapeError(field: Self.schemaName, problem: "expected an object, found \(value.kindName)")
        }
        try self.init(json: object)
    }
}
