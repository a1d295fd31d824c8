import Foundation
import JellyfortBase

/// Passwords from the system's secure random source (`getrandom(2)` behind
/// `SystemRandomNumberGenerator`): characters from 62 symbols, or words from a word list.
public enum PasswordGenerator {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

    /// `length` characters; the default 24 gives 142 bits.
    public static func generate(length: Int = 24) -> Secret {
        var generator = SystemRandomNumberGenerator()
        return Secret(String((0..<length).map { _ in alphabet[Int(generator.next(upperBound: UInt(alphabet.count)))] }))
    }

    /// Bits of entropy of a generated password.
    public static func bits(length: Int = 24) -> Double { Double(length) * log2(Double(alphabet.count)) }

    /// `count` words drawn uniformly from `words`, joined by `separator`: easy to type on a TV
    /// remote, and as strong as its `wordBits(count:listSize:)`.
    public static func generate(words count: Int, from words: [String], separator: String = "-") -> Secret {
        var generator = SystemRandomNumberGenerator()
        return Secret((0..<count).map { _ in words[Int(generator.next(upperBound: UInt(words.count)))] }.joined(separator: separator))
    }

    public static func wordBits(count: Int, listSize: Int) -> Double { Double(count) * log2(Double(max(listSize, 1))) }
}

/// A word list for passphrases: the system dictionary (Debian's `wamerican`), reduced to short
/// lowercase words without apostrophes, each once.
public enum WordList {
    public static let systemPath = "/usr/share/dict/words"
    /// Fewer distinct words than this make a passphrase too predictable to offer.
    public static let minimumSize = 2048

    public enum Failure: Error, CustomStringConvertible {
        case missing(String)
        case tooSmall(String, Int)

        public var description: String {
            switch self {
            case .missing(let path):
                "no word list at \(path); install one (apt-get install wamerican) or use --length for a password of characters"
            case .tooSmall(let path, let count):
                "\(path) has only \(count) usable words (3 to 8 lowercase letters); a passphrase needs \(WordList.minimumSize) or more"
            }
        }
    }

    public static func load(_ path: String = systemPath) throws(Failure) -> [String] {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size < 64 << 20,
            let data = FileManager.default.contents(atPath: path)
        else { throw .missing(path) }
        let words = usable(String(decoding: data, as: UTF8.self))
        guard words.count >= minimumSize else { throw .tooSmall(path, words.count) }
        return words
    }

    static func usable(_ text: String) -> [String] {
        var seen: Set<String> = []
        var words: [String] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let word = line.trimmingCharacters(in: .whitespaces)
            guard (3...8).contains(word.utf8.count), word.utf8.allSatisfy({ (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) }) else {
                continue
            }
            if seen.insert(word).inserted { words.append(word) }
        }
        return words
    }
}
