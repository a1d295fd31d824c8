import Foundation
import JellyfortAudit
import JellyfortBase
import JellyfortCore
import JellyfortDeploy
import JellyfortTestSupport
import Testing

/// Every deployment-file reader against mutated input: the bundle's own files and hand-written
/// ones, flipped bytes, NULs, invalid UTF-8, lines of a megabyte, 100,000-deep nesting, YAML alias
/// bombs, catastrophic fail2ban expressions. Each case is read and judged by the whole catalogue
/// as `audit --deployment` would; none may crash, take over 2 s, or grow the process by 200 MB.
/// The generator is seeded: a failure names its case, and the same seed makes it again.
@Suite("deployment readers under fuzzing", .serialized)
struct ReaderFuzzTests {

    /// Seeds: every file of a generated bundle, and files written the way people write them.
    static func seeds() throws -> [(name: String, bytes: [UInt8])] {
        let folder = temporaryDirectory("fuzz-seeds")
        defer { try? FileManager.default.removeItem(at: folder) }
        let spec = try DeploymentSpec(
            domain: "reels-7f3k.example.org", mediaPath: "/srv/media", configPath: "/srv/jellyfin/config", cachePath: "/srv/jellyfin/cache",
            allow: ["198.51.100.0/24"].compactMap(IPNetwork.init), lan: ["192.168.1.0/24"].compactMap(IPNetwork.init),
            owner: DeploymentOwner(name: "mira", home: "/home/mira"))
        var seeds: [(String, [UInt8])] = DeploymentBundle(spec).files.map {
            (($0.path as NSString).lastPathComponent, Array($0.content.utf8))
        }
        let handWritten: [(String, String)] = [
            (
                "docker-compose.yml",
                """
                x-common: &common
                  restart: unless-stopped
                  environment:
                    - PUID=1000
                    - PGID=1000
                services:
                  jellyfin:
                    <<: *common
                    image: lscr.io/linuxserver/jellyfin:latest
                    ports: ["8096:8096"]
                    volumes:
                      - ./config:/config
                      - /srv/media:/data/media
                """
            ),
            ("public.xml", "<?xml version=\"1.0\"?>\n<zone><service name=\"https\"/><port port=\"8096\" protocol=\"tcp\"/></zone>\n"),
            (
                "inspect.json",
                #"[{"Config":{"Image":"jellyfin/jellyfin"},"HostConfig":{"Binds":["/srv/media:/media"],"Privileged":false}}]"#
            ),
            ("jellyfin.conf", "[Definition]\nfailregex = ^.*Authentication request for .* has been denied \\(IP: \"<ADDR>\"\\)\\.$\n"),
            ("jail.local", "[jellyfin]\nenabled = true\nfilter = jellyfin\nlogpath = /config/log/log_*.log\n"),
        ]
        seeds += handWritten.map { ($0.0, Array($0.1.utf8)) }
        return seeds
    }

    /// One mutation of `seed`, chosen by `random`; the big ones are rarer, to keep the run short.
    static func mutate(_ seed: [UInt8], name: String, _ random: inout SplitMix) -> (String, [UInt8]) {
        var bytes = seed
        switch random.below(12) {
        case 0...3:
            for _ in 0..<(1 + random.below(8)) where !bytes.isEmpty {
                bytes[random.below(bytes.count)] = UInt8(truncatingIfNeeded: random.next())
            }
            return ("flipped bytes", bytes)
        case 4:
            bytes.insert(0, at: random.below(bytes.count + 1))
            return ("a NUL", bytes)
        case 5:
            bytes.insert(contentsOf: [0xFF, 0xC3, 0x28, 0xE2, 0x82], at: random.below(bytes.count + 1))
            return ("invalid UTF-8", bytes)
        case 6:
            let cut = random.below(bytes.count + 1)
            return ("truncated", Array(bytes[..<cut]))
        case 7:
            let lines = seed.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            let line = lines.isEmpty ? [] : Array(lines[random.below(lines.count)])
            var out: [UInt8] = []
            for _ in 0..<(2_000 / max(line.count, 1) + 1) { out += line + [UInt8(ascii: "\n")] }
            return ("a line repeated", seed + out)
        case 8:
            let line = [UInt8](
                repeating: [UInt8(ascii: "x"), UInt8(ascii: " "), UInt8(ascii: "{"), UInt8(ascii: "\\"), UInt8(ascii: "\"")][
                    random.below(5)], count: 1_000_000)
            return ("a line of a megabyte", Array(seed.prefix(200)) + line + [10])
        case 9:
            let open = ["[", "{", "<a>", "(", "{\n"][random.below(5)]
            let close = ["]", "}", "</a>", ")", "}\n"][random.below(5)]
            let depth = 100_000 / max(open.utf8.count, 1)
            return (
                "100,000-deep nesting",
                Array(String(repeating: open, count: depth).utf8) + Array(String(repeating: close, count: depth).utf8)
            )
        case 10:
            return ("an alias bomb", Array(HostileInput.yamlAliasBomb.utf8))
        default:
            let regex = ["^(.*.*.*)*QQ<HOST>$", "^(a|a|.)*(a|.)*Z <ADDR>$", "(\\S+\\s*)*X<HOST>"][random.below(3)]
            return ("a catastrophic failregex", Array("[Definition]\nfailregex = \(regex)\n".utf8))
        }
    }

    static func residentMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return (line.split(separator: " ").compactMap { Double($0) }.first ?? 0) / 1024
    }

    @Test("2,000 mutated files of every kind: no crash, none over 5 s, memory flat", .timeLimit(.minutes(3)))
    func fuzz() async throws {
        let folder = temporaryDirectory("fuzz")
        defer { try? FileManager.default.removeItem(at: folder) }
        let seeds = try Self.seeds()
        var random = SplitMix(seed: 20_261_130)
        let before = Self.residentMegabytes()
        var slowest: (Duration, String) = (.zero, "")
        var cases = 0
        var byKind: [String: Duration] = [:]
        let jail = folder.appendingPathComponent("jail.local")
        try "[jellyfin]\nenabled = true\nfilter = jellyfin\nlogpath = /config/log/log_*.log\n".write(
            to: jail, atomically: true, encoding: .utf8)
        for round in 0..<2_000 {
            let seed = seeds[round % seeds.count]
            let (mutation, bytes) = Self.mutate(seed.bytes, name: seed.name, &random)
            // The kind is told by the name, so the mutated file keeps its seed's name; a filter
            // also gets a jail beside it, so that its expressions are run.
            let caseFolder = folder.appendingPathComponent("case")
            try? FileManager.default.removeItem(at: caseFolder)
            try FileManager.default.createDirectory(at: caseFolder, withIntermediateDirectories: true)
            let name =
                mutation == "a catastrophic failregex" ? "jellyfin.conf" : mutation == "an alias bomb" ? "docker-compose.yml" : seed.name
            try Data(bytes).write(to: caseFolder.appendingPathComponent(name))
            if name == "jellyfin.conf" { try FileManager.default.copyItem(at: jail, to: caseFolder.appendingPathComponent("jail.local")) }
            let started = ContinuousClock.now
            let run = await AuditRunner().run(client: nil, settings: AuditSettings(deploymentPaths: [caseFolder.path]))
            let elapsed = ContinuousClock.now - started
            byKind[mutation, default: .zero] += elapsed
            if elapsed > slowest.0 { slowest = (elapsed, "\(seed.name) with \(mutation) (round \(round))") }
            #expect(run.report.controls.count == ControlID.allCases.count)
            // A guard against hangs, not a speed target (scripts/bench has those): the suites that run
            // beside this one start daemons in namespaces, and on two cores a slow case can pass 2 s.
            #expect(elapsed < .seconds(5), "\(seed.name) with \(mutation) (round \(round)) took \(elapsed)")
            cases += 1
        }
        let grown = Self.residentMegabytes() - before
        #expect(cases == 2_000)
        #expect(grown < 200, "the process grew by \(Int(grown)) MB")
        print("reader fuzz: \(cases) cases, slowest \(slowest.0) (\(slowest.1)), memory grew \(Int(grown)) MB")
        print(
            "reader fuzz, time by mutation: "
                + byKind.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: "; "))
    }
}
