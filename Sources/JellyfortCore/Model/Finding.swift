import JellyfortBase

/// One concrete thing a control found: about whom, what, and the evidence that shows it.
public struct Finding: Sendable, Equatable, Codable {
    /// `user:NAME`, `config:server`, `config:network`, `apikey:APP`, `device:NAME`, `server`, `file:PATH`.
    public var subject: String
    public var message: String
    /// Plain values that support the message (never a secret).
    public var evidence: JSONObject
    /// Where in a deployment file, for host evidence.
    public var location: FileLocation?

    public init(subject: String, message: String, evidence: JSONObject = JSONObject(), location: FileLocation? = nil) {
        self.subject = subject
        self.message = message
        self.evidence = evidence
        self.location = location
    }

    enum CodingKeys: String, CodingKey { case subject, message, evidence, location }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        subject = try container.decode(String.self, forKey: .subject)
        message = try container.decode(String.self, forKey: .message)
        evidence = try container.decodeIfPresent(JSONValue.self, forKey: .evidence)?.objectValue ?? JSONObject()
        location = try container.decodeIfPresent(FileLocation.self, forKey: .location)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(subject, forKey: .subject)
        try container.encode(message, forKey: .message)
        try container.encode(JSONValue.object(evidence), forKey: .evidence)
        try container.encodeIfPresent(location, forKey: .location)
    }
}

/// A place in a file, for findings about deployment files.
public struct FileLocation: Sendable, Equatable, Codable {
    public var path: String
    public var line: Int?
    public init(path: String, line: Int?) {
        self.path = path
        self.line = line
    }
}

/// How to fix a control, and whether `jellyfort harden` can do it.
public struct Remediation: Sendable, Equatable, Codable {
    public var summary: String
    public var fixable: Bool
    public init(_ summary: String, fixable: Bool = false) {
        self.summary = summary
        self.fixable = fixable
    }
}
