import Foundation
import JellyfortTestSupport
import Testing

/// `jellyfort password generate|rate`: the secure generator, and zxcvbn's estimate (the real
/// libzxcvbn), never a password taken from the command line.
@Suite("jellyfort password")
struct PasswordCLITests {
    @Test("generate: 24 characters from A-Z a-z 0-9 by default, different every time; --length and --words")
    func generate() async throws {
        let first = try await CLI.run(["password", "generate"])
        let second = try await CLI.run(["password", "generate"])
        #expect(first.status == 0 && second.status == 0, "\(first.stderr)")
        let password = first.stdout.trimmingCharacters(in: .newlines)
        #expect(password.count == 24)
        #expect(password.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
        #expect(password != second.stdout.trimmingCharacters(in: .newlines))

        let long = try await CLI.run(["password", "generate", "--length", "40"])
        #expect(long.stdout.trimmingCharacters(in: .newlines).count == 40)

        let words = try await CLI.run(["password", "generate", "--words", "6"])
        #expect(words.status == 0, "\(words.stderr)")
        let parts = words.stdout.trimmingCharacters(in: .newlines).split(separator: "-")
        #expect(parts.count == 6)
        let dictionary = Set(try String(contentsOfFile: "/usr/share/dict/words", encoding: .utf8).split(separator: "\n"))
        #expect(parts.allSatisfy { dictionary.contains($0) && $0.allSatisfy(\.isLowercase) }, "\(parts)")
    }

    @Test("generate --output: a new 0600 file, never over an existing one", .timeLimit(.minutes(1)))
    func generateToFile() async throws {
        let folder = temporaryDirectory("password")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("admin.pw").path
        let made = try await CLI.run(["password", "generate", "--output", path])
        #expect(made.status == 0, "\(made.stderr)")
        #expect(made.stdout.isEmpty, "the password goes to the file only")
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) == 0o600)
        let kept = try String(contentsOfFile: path, encoding: .utf8)
        let again = try await CLI.run(["password", "generate", "--output", path])
        #expect(again.status == 2)
        #expect(again.stderr.contains("already exists"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == kept, "nothing lost")

        let rated = try await CLI.run(["password", "rate", "--file", path])
        #expect(rated.status == 0, "\(rated.stdout)\(rated.stderr)")
        #expect(rated.stdout.hasPrefix("STRONG"))
        #expect(!rated.stdout.contains(kept.trimmingCharacters(in: .newlines)), "the password is never printed")
    }

    @Test(
        "rate: zxcvbn sees dictionary words, keyboard patterns and the user's own name",
        arguments: [
            ("password1", "WEAK"), ("qwertyuiop", "WEAK"), ("quill-keeper2024", "WEAK"), ("Tr0ub4dor&3", "MODERATE"),
        ])
    func rate(_ password: String, _ rating: String) async throws {
        let result = try await CLI.runShell("printf '%s\\n' '\(password)' | \"$JELLYFORT\" password rate --user quill-keeper")
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.hasPrefix(rating), "\(result.stdout)")
        #expect(result.stdout.contains("offline, from a stolen database"))
        #expect(!result.stdout.contains(password))
    }

    @Test("a password on the command line is refused, and not repeated")
    func commandLine() async throws {
        let result = try await CLI.run(["password", "rate", "hunter2-secret"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("shell's history"))
        #expect(!result.stderr.contains("hunter2-secret"))
        let empty = try await CLI.run(["password", "rate"])
        #expect(empty.status == 2, "standard input is empty: \(empty.stderr)")
        #expect(empty.stderr.contains("no password"))
        for bad in [["--length", "8"], ["--words", "2"], ["--length", "20", "--words", "5"]] {
            let refused = try await CLI.run(["password", "generate"] + bad)
            #expect(refused.status == 64, "\(bad)")
        }
    }
}
