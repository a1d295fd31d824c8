import Foundation

/// How Jellyfort signs in. A secret never comes from a command-line value: only from a file or the
/// environment, so it stays out of shell history and `ps`.
public enum Credential: Sendable, Equatable {
    /// An API key: full admin, not subject to remote-access or lockout rules.
    case apiKey(Secret)
    /// A user name and password, exchanged for a session token with `POST /Users/AuthenticateByName`.
    case password(user: String, password: Secret)

    public static let apiKeyVariable = "JELLYFORT_API_KEY"
    public static let passwordVariable = "JELLYFORT_PASSWORD"

    /// Picks the credential from the options and environment, in the documented order:
    /// `--api-key-file`, then `JELLYFORT_API_KEY`, then `--user` with `--password-file` or
    /// `JELLYFORT_PASSWORD`. Returns nil when none is given.
    public static func resolve(
        apiKeyFile: String?,
        user: String?,
        passwordFile: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(CredentialError) -> Credential? {
        if let apiKeyFile {
            return .apiKey(try readSecretFile(apiKeyFile, what: "API key"))
        }
        if let user {
            if let passwordFile {
                return .password(user: user, password: try readSecretFile(passwordFile, what: "password"))
            }
            if let password = environment[passwordVariable], !password.isEmpty {
                return .password(user: user, password: Secret(password.trimmingCharacters(in: .whitespacesAndNewlines)))
            }
            throw .missingPassword(user: user)
        }
        if let key = environment[apiKeyVariable]?.trimmingCharacters(in: .whitespacesAndNewlines), !key.isEmpty {
            return .apiKey(Secret(key))
        }
        if passwordFile != nil { throw .passwordWithoutUser }
        return nil
    }

    /// A key or password file is read whole and trimmed of surrounding white space.
    public static func readSecretFile(_ path: String, what: String) throws(CredentialError) -> Secret {
        switch PathKind.of(path) {
        case .missing: throw .unreadableFile(path: path, what: what, reason: "no such file")
        case .folder: throw .unreadableFile(path: path, what: what, reason: "it is a folder")
        case .special: throw .unreadableFile(path: path, what: what, reason: "it is not a regular file (a FIFO, socket or device)")
        case .regularFile: break
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .unreadableFile(path: path, what: what, reason: "permission denied")
        }
        defer { try? handle.close() }
        // A secret is short; refuse to slurp a huge file given by mistake.
        let data = (try? handle.read(upToCount: 64 * 1024 + 1)) ?? Data()
        guard data.count <= 64 * 1024 else { throw .unreadableFile(path: path, what: what, reason: "larger than 64 KiB, not a \(what)") }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .unreadableFile(path: path, what: what, reason: "not UTF-8 text")
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .unreadableFile(path: path, what: what, reason: "it is empty") }
        guard !trimmed.contains(where: \.isNewline) else {
            throw .unreadableFile(path: path, what: what, reason: "it holds more than one line")
        }
        return Secret(trimmed)
    }
}

/// A credential that could not be loaded. Messages name the file, never its content.
public enum CredentialError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadableFile(path: String, what: String, reason: String)
    case missingPassword(user: String)
    case passwordWithoutUser

    public var description: String {
        switch self {
        case .unreadableFile(let path, let what, let reason):
            "cannot read the \(what) file \(path): \(reason); put the \(what) alone in a file readable by you (chmod 600)"
        case .missingPassword(let user):
            "no password for --user \(user): give --password-file PATH or set \(Credential.passwordVariable)"
        case .passwordWithoutUser:
            "--password-file needs --user NAME"
        }
    }
}
