import Foundation
import JellyfortBase
import JellyfortTestSupport
import Testing

/// The JSON reader against RFC 8259, with documents of our own: what it must accept, what it
/// must refuse, and random and mutated input that must never crash or hang it.
@Suite("JSON grammar")
struct JSONGrammarTests {
    static let accepted: [(String, JSONValue)] = [
        ("0", .int(0)), ("-0", .int(0)), ("12", .int(12)), ("-12", .int(-12)), ("1.5", .double(1.5)), ("-0.25", .double(-0.25)),
        ("1e3", .double(1000)), ("1E+3", .double(1000)), ("2.5e-1", .double(0.25)), ("9223372036854775807", .int(Int64.max)),
        (#""é \u00e9 \ud83d\ude00""#, .string("é é 😀")), (" [ 1 , 2 ] ", [1, 2]), (#"{"a":{"b":[]}}"#, ["a": ["b": []]]),
        ("true", true), ("null", nil),
    ]

    static let refused = [
        "01", "-01", "1.", ".5", "1.e3", "-", "+1", "1e", "1e+", "0x10", "NaN", "Infinity", "1_000", "--1",
        #"{"a":1,"a":2}"#, #"{"a":1,}"#, "[1,]", #"{'a':1}"#, #""\x""#, #""\ud800""#, #""\udc00x""#, "tru", "nul", "[", "{", #""abc"#,
        "1 2",
    ]

    @Test("must accept", arguments: accepted.indices)
    func accepts(_ index: Int) throws {
        let (text, expected) = Self.accepted[index]
        #expect(try JSONParser.parse(text) == expected, "\(text)")
    }

    @Test("must refuse", arguments: refused)
    func refuses(_ text: String) {
        #expect(throws: JSONParseError.self, "\(text)") { try JSONParser.parse(text) }
    }

    @Test("invalid UTF-8 in a string or a name is an error, not replaced")
    func invalidUTF8() {
        for bytes: [UInt8] in [
            [0x22, 0xC3, 0x28, 0x22], [0x22, 0xFF, 0x22], [0x7B, 0x22, 0xED, 0xA0, 0x80, 0x22, 0x3A, 0x31, 0x7D],
            [0x22, 0x5C, 0x6E, 0xE2, 0x82, 0x22],
        ] {
            #expect(throws: JSONParseError.self) { try JSONParser.parse(bytes) }
        }
    }

    @Test("the writer keeps 1.0 a double and 1 an integer")
    func writerKeepsTypes() throws {
        #expect(JSONWriter.string(.double(1)) == "1.0")
        #expect(JSONWriter.string(.int(1)) == "1")
        #expect(try JSONParser.parse(JSONWriter.string(["a": .double(2), "b": .double(0.1)])) == ["a": .double(2), "b": .double(0.1)])
    }

    @Test("nesting is bounded: 100,000 brackets are an error, quickly")
    func deepNesting() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let started = ContinuousClock.now
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
        #expect(ContinuousClock.now - started < .seconds(2))
    }

    @Test("fuzz: random and mutated documents never crash, and every answer is a value or an error")
    func fuzz() {
        var generator = SplitMix(seed: 0x6a65_6c6c_7966_6f72)
        let seeds =
            Self.accepted.map(\.0) + Self.refused + [
                #"{"Name":"a","Policy":{"IsAdministrator":true,"MaxActiveSessions":0,"BlockedTags":["x"]}}"#
            ]
        var parsed = 0
        for round in 0..<4_000 {
            var bytes: [UInt8]
            if round % 4 == 0 {
                bytes = (0..<Int(generator.next() % 64)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            } else {
                bytes = Array(seeds[Int(generator.next() % UInt64(seeds.count))].utf8)
                for _ in 0..<(1 + Int(generator.next() % 4)) where !bytes.isEmpty {
                    let position = Int(generator.next() % UInt64(bytes.count))
                    switch generator.next() % 3 {
                    case 0: bytes[position] = UInt8(truncatingIfNeeded: generator.next())
                    case 1: bytes.remove(at: position)
                    default:
                        let pieces = Array("{}[]\",:-.e0\\u".utf8)
                        bytes.insert(pieces[Int(generator.next() % UInt64(pieces.count))], at: position)
                    }
                }
            }
            if let value = try? JSONParser.parse(bytes) {
                parsed += 1
                // Whatever was accepted writes back to a document that reads the same.
                #expect((try? JSONParser.parse(JSONWriter.string(value))) == value)
            }
        }
        #expect(parsed > 0)
    }
}

@Suite("Sanitising for each sink")
struct SanitizedTests {
    @Test("terminal: escape sequences, controls and bidi overrides are gone; text stays")
    func terminal() {
        #expect(Sanitized.terminal("den\u{1B}[2J\u{1B}[H") == "den")
        #expect(Sanitized.terminal("a\u{1B}]0;pwned\u{07}b") == "ab")
        #expect(Sanitized.terminal("\u{1B}[32mPASS\u{1B}[0m ok") == "PASS ok")
        #expect(Sanitized.terminal("x\u{0}y\u{7F}z\u{9B}31mw") == "xyzw")
        #expect(Sanitized.terminal("line\nbreak\rhere") == "line break here")
        #expect(Sanitized.terminal("keep\nlines", keepNewlines: true) == "keep\nlines")
        #expect(Sanitized.terminal("evil\u{202E}txt.exe") == "eviltxt.exe")
        #expect(Sanitized.terminal("Ünïcödé tv 📺") == "Ünïcödé tv 📺")
    }

    @Test("markdown: HTML and Markdown punctuation escaped, controls dropped")
    func markdown() {
        #expect(Sanitized.markdown("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;")
        #expect(Sanitized.markdown("a|b [x](javascript:y) `c`") == #"a\|b \[x\](javascript:y) \`c\`"#)
        #expect(Sanitized.markdown("nul\u{0}esc\u{1B}[2J") == "nulesc")
    }
}

@Suite("Jellyfin's user-name rule")
struct UserNameTests {
    @Test("accepts what Jellyfin accepts", arguments: ["quill-keeper", "Mira O'Neil", "tv_room.2", "ana@home", "Zoë", "a+b"])
    func accepts(_ name: String) { #expect(JellyfinUserName.problem(name) == nil, "\(name)") }

    @Test(
        "refuses what Jellyfin refuses",
        arguments: [" lead", "trail ", "", ".", "..", "semi;colon", "slash/x", "tab\tx", "new\nline", "<b>"])
    func refuses(_ name: String) { #expect(JellyfinUserName.problem(name) != nil, "\(name)") }
}
