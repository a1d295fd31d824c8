import Foundation
import JellyfinAPI
import JellyfortTestSupport
import Testing

@Suite("Credentials")
struct CredentialTests {
    func write(_ text: String) throws -> String {
        let folder = temporaryDirectory("cred")
        let path = folder.appendingPathComponent("secret").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("a key file is read whole and trimmed")
    func keyFile() throws {
        let path = try write("  6a2f0e5b9c4d4e7f8a1b2c3d4e5f6a7b \n")
        let credential = try Credential.resolve(apiKeyFile: path, user: nil, passwordFile: nil, environment: [:])
        #expect(credential == .apiKey(Secret("6a2f0e5b9c4d4e7f8a1b2c3d4e5f6a7b")))
    }

    @Test("the environment is used when no file is given, files win over it")
    func environment() throws {
        #expect(
            try Credential.resolve(apiKeyFile: nil, user: nil, passwordFile: nil, environment: ["JELLYFORT_API_KEY": "abc\n"])
                == .apiKey(Secret("abc")))
        #expect(
            try Credential.resolve(apiKeyFile: nil, user: "bob", passwordFile: nil, environment: ["JELLYFORT_PASSWORD": "pw"])
                == .password(user: "bob", password: Secret("pw")))
        let path = try write("from-file")
        #expect(
            try Credential.resolve(apiKeyFile: path, user: nil, passwordFile: nil, environment: ["JELLYFORT_API_KEY": "env"])
                == .apiKey(Secret("from-file")))
        #expect(try Credential.resolve(apiKeyFile: nil, user: nil, passwordFile: nil, environment: [:]) == nil)
    }

    @Test("unusable files give a message that names the file but never the content")
    func unusableFiles() throws {
        let empty = try write("  \n")
        let twoLines = try write("secret-one\nsecret-two")
        let cases: [(String, String)] = [
            ("/nonexistent/key", "no such file"), (empty, "it is empty"), (twoLines, "more than one line"), ("/tmp", "it is a folder"),
        ]
        for (path, reason) in cases {
            do {
                _ = try Credential.resolve(apiKeyFile: path, user: nil, passwordFile: nil, environment: [:])
                Issue.record("expected an error for \(path)")
            } catch {
                #expect(error.description.contains(path))
                #expect(error.description.contains(reason))
                #expect(!error.description.contains("secret-one"))
            }
        }
        #expect(throws: CredentialError.missingPassword(user: "bob")) {
            try Credential.resolve(apiKeyFile: nil, user: "bob", passwordFile: nil, environment: [:])
        }
    }

    @Test("secrets print as a mask and redact to four characters")
    func secretsDoNotPrint() {
        let secret = Secret("6a2f0e5b9c4d4e7f8a1b2c3d4e5f6a7b")
        #expect("\(secret)" == "••••")
        #expect(String(reflecting: secret) == "Secret(••••)")
        #expect(secret.redacted == "6a2f…")
        #expect(!"\(Credential.apiKey(secret))".contains("6a2f0e"))
    }
}
