import ArgumentParser
import Foundation
import JellyfinAPI
import JellyfortBase
import JellyfortPassword

extension Jellyfort {
    struct Password: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate a strong password, or rate one you have.",
            discussion: """
                Examples:
                  jellyfort password generate                       24 characters (142 bits)
                  jellyfort password generate --words 6             six words, easy to type on a TV remote
                  jellyfort password generate --output admin.pw     into a new file only you can read
                  jellyfort password rate < admin.pw
                  jellyfort password rate --file admin.pw --user quill-keeper
                """,
            subcommands: [Generate.self, Rate.self])
    }
}

extension Jellyfort.Password {
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a password from the system's secure random source.",
            discussion: """
                It goes to standard output, or with --output into a new file readable only by you (never \
                over an existing one). Its strength goes to standard error.
                """)

        @Option(help: ArgumentHelp("Characters from A-Z, a-z and 0-9 (16 to 128).", valueName: "n"))
        var length: Int?

        @Option(help: ArgumentHelp("Words instead of characters (4 to 12), from /usr/share/dict/words.", valueName: "n"))
        var words: Int?

        @Option(help: ArgumentHelp("Write it into this new file (mode 0600) instead of standard output.", valueName: "file"))
        var output: String?

        func validate() throws {
            if length != nil, words != nil { throw ValidationError("give --length or --words, not both") }
            if let length, !(16...128).contains(length) {
                throw ValidationError("--length takes 16 to 128 characters, got \(length); fewer than 16 is too weak for an administrator")
            }
            if let words, !(4...12).contains(words) { throw ValidationError("--words takes 4 to 12 words, got \(words)") }
        }

        func run() throws {
            let password: Secret
            let bits: Double
            if let words {
                let list: [String]
                do { list = try WordList.load() } catch {
                    Terminal.error(error.description)
                    throw ExitCode(AuditExit.incomplete)
                }
                password = PasswordGenerator.generate(words: words, from: list)
                bits = PasswordGenerator.wordBits(count: words, listSize: list.count)
            } else {
                let count = length ?? 24
                password = PasswordGenerator.generate(length: count)
                bits = PasswordGenerator.bits(length: count)
            }
            let text = password.exposedValue + "\n"
            if let output {
                let descriptor = open(output, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
                guard descriptor >= 0 else {
                    let reason =
                        errno == EEXIST ? "it already exists (Jellyfort never writes over a password)" : String(cString: strerror(errno))
                    Terminal.error("cannot create \(output): \(reason); name a new file")
                    throw ExitCode(AuditExit.incomplete)
                }
                defer { close(descriptor) }
                do { try StandardStream(descriptor: descriptor).write(text) } catch {
                    unlink(output)
                    Terminal.error("cannot write \(output): \(error); nothing was kept")
                    throw ExitCode(AuditExit.incomplete)
                }
                try? StandardStream.error.write("Wrote a password of \(Int(bits)) bits to \(output) (readable only by you).\n")
            } else {
                do { try StandardStream.output.write(text) } catch {
                    Terminal.error("\(error): the password was not delivered; use --output FILE")
                    throw ExitCode(AuditExit.incomplete)
                }
                if Terminal.standardErrorIsTerminal { try? StandardStream.error.write("(\(Int(bits)) bits of entropy)\n") }
            }
        }
    }

    struct Rate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Estimate how long a password would hold, with zxcvbn.",
            discussion: """
                The password comes from standard input (typed without echo on a terminal, or piped) or from \
                --file, never from the command line, where it would stay in your shell's history and be \
                visible to every user in ps. zxcvbn finds dictionary words, names, keyboard patterns, dates and \
                repeats the way a guesser tries them.

                Exit codes: 0 strong (60 bits or more), 1 weak or moderate, 2 the password could not be read, \
                64 usage error.
                """)

        @Option(help: ArgumentHelp("Read the password from this file (its first line).", valueName: "path"))
        var file: String?

        @Option(
            help: ArgumentHelp("The account's name, which a guesser tries first. Repeatable: add the server's name too.", valueName: "name")
        )
        var user: [String] = []

        @Argument(help: .hidden)
        var refused: [String] = []

        func validate() throws {
            if !refused.isEmpty {
                throw ValidationError(
                    "a password on the command line stays in your shell's history and shows in ps; pipe it in (jellyfort password rate < FILE) "
                        + "or use --file PATH")
            }
        }

        func run() throws {
            let password: Secret
            do { password = try readPassword() } catch {
                Terminal.error("\(error)")
                throw ExitCode(AuditExit.incomplete)
            }
            let strength = PasswordStrength.rate(password, userInputs: user)
            var lines = ["\(strength.rating.rawValue.uppercased()): about \(Int(strength.bits.rounded())) bits (zxcvbn)."]
            for attack in PasswordStrength.Attack.allCases {
                lines.append("  \(attack.label): \(HumanDuration.describe(seconds: strength.seconds(attack)))")
            }
            let found = strength.patterns.filter { $0 != "characters without a pattern" }
            if !found.isEmpty, strength.rating != .strong {
                var unique: [String] = []
                for pattern in found where !unique.contains(pattern) { unique.append(pattern) }
                lines.append("  it contains " + unique.joined(separator: ", "))
            }
            switch strength.rating {
            case .strong: lines.append("Good for an administrator.")
            case .moderate: lines.append("Not enough for an administrator: jellyfort password generate makes one of 142 bits.")
            case .weak: lines.append("Guessable: change it (jellyfort password generate makes one of 142 bits).")
            }
            do { try StandardStream.output.write(lines.joined(separator: "\n") + "\n") } catch {
                Terminal.error("\(error)")
                throw ExitCode(AuditExit.incomplete)
            }
            if strength.rating != .strong { throw ExitCode(AuditExit.failures) }
        }

        struct ReadError: Error, CustomStringConvertible {
            let description: String
        }

        /// The first line of --file or standard input; on a terminal, typed without echo.
        func readPassword() throws -> Secret {
            if let file {
                do { return try Credential.readSecretFile(file, what: "password") } catch {
                    throw ReadError(description: error.description)
                }
            }
            if isatty(STDIN_FILENO) == 1 {
                try? StandardStream.error.write("Password (not shown): ")
                var settings = termios()
                let saved = tcgetattr(STDIN_FILENO, &settings) == 0 ? settings : nil
                settings.c_lflag &= ~tcflag_t(ECHO)
                if saved != nil { tcsetattr(STDIN_FILENO, TCSAFLUSH, &settings) }
                let line = readLine(strippingNewline: true)
                if var saved { tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved) }
                try? StandardStream.error.write("\n")
                guard let line, !line.isEmpty else { throw ReadError(description: "no password was typed") }
                return Secret(line)
            }
            let data = FileHandle.standardInput.readData(ofLength: 4096)
            guard let text = String(data: data, encoding: .utf8) else {
                throw ReadError(description: "standard input is not UTF-8 text; give the password as text")
            }
            let line =
                text.split(separator: "\n", omittingEmptySubsequences: false).first.map { String($0) }?
                .trimmingCharacters(in: CharacterSet(charactersIn: "\r")) ?? ""
            guard !line.isEmpty else {
                throw ReadError(
                    description: "standard input held no password; pipe one in (jellyfort password rate < FILE) or use --file PATH")
            }
            return Secret(line)
        }
    }
}
