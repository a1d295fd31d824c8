import Foundation
import JellyfinAPI
import Testing

@Suite("JSON reading and writing")
struct JSONTests {
    @Test("parses every JSON type and writes it back with sorted keys")
    func roundTrip() throws {
        let text = #"{"b":[1,-2,3.5,true,false,null],"a":"x\"y\\z\n\u00e9\ud83d\ude00","c":{"d":{}}}"#
        let value = try JSONParser.parse(text)
        #expect(value.objectValue?["a"]?.stringValue == "x\"y\\z\né😀")
        #expect(value.objectValue?["b"]?.arrayValue?.count == 6)
        #expect(value.objectValue?["b"]?.arrayValue?[1].intValue == -2)
        #expect(value.objectValue?["b"]?.arrayValue?[2].doubleValue == 3.5)
        let written = JSONWriter.string(value)
        #expect(written.hasPrefix(#"{"a":"#))
        #expect(try JSONParser.parse(written) == value)
    }

    @Test("repeated and empty field names, and names with escapes, read back exactly")
    func fieldNames() throws {
        let value = try JSONParser.parse(#"[{"":1,"a":2,"a\u0062":3},{"":4,"a":5,"ab":6,"b\"":7}]"#)
        let objects = (value.arrayValue ?? []).compactMap(\.objectValue)
        try #require(objects.count == 2)
        #expect(objects[0][""] == 1 && objects[0]["a"] == 2 && objects[0]["ab"] == 3)
        #expect(objects[1][""] == 4 && objects[1]["ab"] == 6 && objects[1]["b\""] == 7)
    }

    @Test("objects that share their field names stay independent values")
    func sharedShapes() throws {
        let value = try JSONParser.parse(#"[{"a":1,"b":2},{"a":3,"b":4},{"b":2,"a":1}]"#)
        let objects = (value.arrayValue ?? []).compactMap(\.objectValue)
        try #require(objects.count == 3)
        var first = objects[0]
        var second = objects[1]
        first["a"] = 10
        second["c"] = true
        second["b"] = nil
        #expect(objects[0]["a"] == 1 && objects[1]["b"] == 4, "the originals are untouched")
        #expect(first["a"] == 10 && first["b"] == 2 && first.count == 2)
        #expect(second.keys == ["a", "c"] && second["b"] == nil)
        #expect(objects[0] == objects[2], "the same fields in another order are equal")
        #expect(objects[0].hashValue == objects[2].hashValue)
        #expect(objects[0] != objects[1])
        #expect(throws: JSONParseError.self, "a repeated name is refused, not read last-wins") {
            try JSONParser.parse(#"[{"a":1,"b":2},{"a":1,"a":9}]"#)
        }
        #expect(JSONWriter.string(.object(objects[2])) == #"{"a":1,"b":2}"#)
    }

    @Test(
        "rejects malformed documents with the offset of the problem",
        arguments: [
            "", "{", "[1,]", "{\"a\" 1}", "tru", "{\"a\":1} x", "\"unterminated", "01x", "{\"a\":\"\u{01}\"}", "-",
        ])
    func malformed(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test("refuses hostile nesting instead of overflowing the stack")
    func deepNesting() {
        let text = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test("parses Jellyfin's seven-digit dates and offsets")
    func dates() throws {
        let date = try #require(JellyfinDate.parse("2026-01-17T11:30:21.4960000Z"))
        #expect(abs(date.timeIntervalSince1970 - 1_768_649_421.496) < 0.001)
        let offset = try #require(JellyfinDate.parse("2026-01-17T11:30:21.496-06:00"))
        #expect(abs(offset.timeIntervalSince(date) - 6 * 3600) < 0.001)
        #expect(JellyfinDate.parse("2026-13-01T00:00:00Z") == nil)
        #expect(JellyfinDate.parse("yesterday") == nil)
        #expect(JellyfinDate.parse(JellyfinDate.format(date)).map { abs($0.timeIntervalSince(date)) < 0.001 } == true)
    }
}

@Suite("Models keep what they do not know")
struct ModelRoundTripTests {
    static let policyWithFutureFields = """
        {"IsAdministrator":false,"IsHidden":false,"IsDisabled":false,"EnableRemoteAccess":true,
         "EnableContentDeletion":false,"LoginAttemptsBeforeLockout":-1,"MaxActiveSessions":0,
         "AuthenticationProviderId":"p","PasswordResetProviderId":"r",
         "FutureSetting":{"Nested":[1,2,{"Deep":true}]},"EnableTelepathy":true}
        """

    @Test("a policy with unknown fields keeps them through a change and a write")
    func unknownPolicyFieldsSurvive() throws {
        var policy = try UserPolicy(value: try JSONParser.parse(Self.policyWithFutureFields))
        policy.isHidden = true
        policy.loginAttemptsBeforeLockout = 5
        let written = try JSONParser.parse(JSONWriter.bytes(.object(policy.json))).objectValue!
        #expect(written["FutureSetting"] == ["Nested": [1, 2, ["Deep": true]]])
        #expect(written["EnableTelepathy"] == true)
        #expect(written["IsHidden"] == true)
        #expect(written["LoginAttemptsBeforeLockout"] == 5)
        #expect(written.keys.count == policy.json.keys.count)
    }

    @Test("a policy missing a field the audit relies on is rejected, naming the field")
    func missingField() throws {
        var object = try JSONParser.parse(Self.policyWithFutureFields).objectValue!
        object["MaxActiveSessions"] = nil
        #expect(throws: JSONShapeError(field: "MaxActiveSessions", problem: "missing (expected a whole number)")) {
            try UserPolicy(json: object)
        }
        object["MaxActiveSessions"] = "unlimited"
        #expect(throws: JSONShapeError(field: "MaxActiveSessions", problem: "expected a whole number, found a string")) {
            try UserPolicy(json: object)
        }
    }

    @Test("server and network configuration keep unknown fields")
    func configurationRoundTrip() throws {
        var network = try NetworkConfiguration(
            json: JSONObject([
                "KnownProxies": [], "LocalNetworkSubnets": [], "RemoteIPFilter": [], "EnableRemoteAccess": true,
                "IsRemoteIPFilterBlacklist": false, "AutoDiscovery": true, "TomorrowOption": "keep me",
            ]))
        network.knownProxies = ["10.0.0.2"]
        #expect(network.json["TomorrowOption"] == "keep me")
        #expect(network.json["KnownProxies"] == ["10.0.0.2"])
    }
}

@Suite("Addresses and versions")
struct AddressTests {
    @Test(
        "IP addresses and networks",
        arguments: [
            ("192.168.1.0/24", "192.168.1.77", true), ("192.168.1.0/24", "192.168.2.1", false),
            ("10.0.0.0/8", "10.255.1.1", true), ("0.0.0.0/0", "203.0.113.5", true),
            ("2001:db8::/32", "2001:db8:1::5", true), ("2001:db8::/32", "2001:db9::1", false),
            ("127.0.0.1", "127.0.0.1", true), ("::ffff:192.168.1.0/120", "192.168.1.4", true),
            ("fe80::/10", "fe80::1", true), ("192.168.1.0/24", "::1", false),
        ])
    func networks(_ network: String, _ address: String, _ inside: Bool) throws {
        let parsedNetwork = try #require(IPNetwork(network))
        let parsedAddress = try #require(IPAddress(address))
        #expect(parsedNetwork.contains(parsedAddress) == inside)
    }

    @Test(
        "rejects what is not an address",
        arguments: ["256.1.1.1", "1.2.3", "01.2.3.4", "example.org", "1::2::3", "", "1.2.3.4/33", "::1/129"])
    func notAddresses(_ text: String) {
        #expect(IPNetwork(text) == nil)
    }

    @Test("formats addresses canonically")
    func formatting() {
        #expect(IPAddress("2001:0db8:0000:0000:0000:0000:0000:0001")?.description == "2001:db8::1")
        #expect(IPAddress("::ffff:10.1.2.3")?.description == "10.1.2.3")
        #expect(IPAddress("[::1]")?.isLoopback == true)
    }

    @Test("versions in every form Jellyfin uses")
    func versions() {
        #expect(JellyfinVersion("10.11.11") == JellyfinVersion(10, 11, 11))
        #expect(JellyfinVersion("v12.1") == JellyfinVersion(12, 1, 0))
        #expect(JellyfinVersion("12.0.0-rc5") == JellyfinVersion(12, 0, 0))
        #expect(JellyfinVersion("10.10.7")! < JellyfinVersion("10.11.0")!)
        #expect(JellyfinVersion("12") == nil)
        #expect(JellyfinVersion("ten.eleven") == nil)
    }

    @Test("server addresses")
    func serverAddresses() throws {
        let address = try ServerAddress("https://media.example.org/jellyfin/")
        #expect(address.port == 443)
        #expect(address.basePath == "/jellyfin")
        #expect(try ServerAddress("http://[::1]:8096").isLoopback)
        #expect(try ServerAddress("http://127.0.0.1:8096").isLoopback)
        #expect(try !ServerAddress("http://192.168.1.5:8096").isLoopback)
        #expect(throws: JellyfinAPIError.self) { try ServerAddress("ftp://x") }
        #expect(throws: JellyfinAPIError.self) { try ServerAddress("jellyfin.local") }
        #expect(throws: JellyfinAPIError.self) { try ServerAddress("https://user:pw@host") }
    }
}
