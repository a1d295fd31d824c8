import ArgumentParser
import Foundation
import JellyfinAPI
import JellyfortAudit
import JellyfortBase
import JellyfortControls
import JellyfortCore
import JellyfortProbe
import JellyfortReport
import NIOSSL

extension Severity: ExpressibleByArgument {}
extension ReportFormat: ExpressibleByArgument {}

/// `--fail-on`: the lowest severity whose failure makes the exit code 1.
enum FailThreshold: String, ExpressibleByArgument, CaseIterable {
    case critical, high, medium, low, info, none

    var severity: Severity? { Severity(rawValue: rawValue) }
}

/// The exit codes of the contract.
enum AuditExit {
    static let clean: Int32 = 0
    static let failures: Int32 = 1
    static let incomplete: Int32 = 2
    static let usage: Int32 = 64
}

extension Jellyfort {
    struct Audit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a Jellyfin server against the hardening guide and score it.",
            discussion: """
                Reads the server (as anyone on the internet sees it, and as an administrator when given a \
                credential), evaluates every control of the catalogue, and prints a scored report grouped by guide \
                item, with the evidence and the fix for each failure. The audit only reads: it never changes the \
                server.

                Examples:
                  jellyfort audit --server https://jf.example.org --api-key-file key
                  jellyfort audit --server https://jf.example.org --api-key-file key \\
                                    --format html --output report.html
                  jellyfort audit --deployment ~/.config/containers/systemd --format sarif
                  jellyfort audit --server https://jf.example.org --api-key-file key --probe
                                    (from outside your network: a phone hotspot or a VPS)

                Exit codes: 0 no control at or above --fail-on failed; 1 at least one did; 2 the audit could not \
                read a source it was asked to use (report still written); 64 usage error.
                """
        )

        @OptionGroup(title: "Server")
        var server: ServerOptions

        @Option(
            name: .customLong("deployment"),
            help: ArgumentHelp(
                "Deployment files or folders (Quadlet, run script, compose, Caddyfile, firewall rules). Repeatable.", valueName: "path"))
        var deployment: [String] = []

        @Flag(
            help: ArgumentHelp(
                "Check from outside, as a stranger: TLS, redirects, headers, names, Jellyfin's own ports, remote vs LAN, "
                    + "forged X-Forwarded-For. Run it from outside your network (a phone hotspot or a VPS). At most 60 "
                    + "requests; never a password guess."))
        var probe = false

        @Option(
            name: .customLong("resolve"),
            help: ArgumentHelp("Connect to IP for NAME, like curl's --resolve (SNI and Host stay NAME). Repeatable.", valueName: "name:ip"))
        var resolve: [String] = []

        @Option(
            name: .customLong("origin"),
            help: ArgumentHelp(
                "The origin server's own address when a CDN is in front: --probe tries it directly. Repeatable.", valueName: "ip"))
        var origins: [String] = []

        @Option(
            name: .customLong("probe-names"),
            help: ArgumentHelp(
                "Without a credential, account names whose sign-in answer --probe may compare with an unknown name's "
                    + "(one attempt each, with a random password: name only accounts you own).",
                valueName: "name,..."))
        var probeNames: String?

        @Option(name: .customLong("lan-cidr"), help: ArgumentHelp("Your real LAN, e.g. 192.168.1.0/24. Repeatable.", valueName: "cidr"))
        var lanCIDRs: [String] = []

        @Option(help: ArgumentHelp("The CDN in front of the server (only cloudflare for now).", valueName: "name"))
        var cdn: String?

        @Option(
            name: .customLong("allow"),
            help: ArgumentHelp("An address or range that should be able to reach the server. Repeatable.", valueName: "ip/cidr"))
        var allow: [String] = []

        @Option(help: "Report format.")
        var format: ReportFormat = .text

        @Option(help: ArgumentHelp("Write the report to this file instead of standard output.", valueName: "file"))
        var output: String?

        @Option(name: .customLong("fail-on"), help: "Exit with 1 when a control of this severity or higher fails.")
        var failOn: FailThreshold?

        @Option(help: ArgumentHelp("Evaluate only these controls (comma-separated ids); the others are muted.", valueName: "id,..."))
        var only: String?

        @Option(help: ArgumentHelp("Mute these controls (comma-separated ids).", valueName: "id,..."))
        var skip: String?

        @Option(
            help: ArgumentHelp(
                "Stop reading the server after this many seconds (default "
                    + "\(RunSettings.defaultDeadlineSeconds)); what was not read by then is unknown, and the report is "
                    + "still written.",
                valueName: "seconds"))
        var deadline: Int?

        func validate() throws {
            for cidr in lanCIDRs + allow where IPNetwork(cidr) == nil {
                throw ValidationError("'\(cidr)' is not an IP address or CIDR range (e.g. 192.168.1.0/24)")
            }
            if let cdn, cdn != "cloudflare" { throw ValidationError("--cdn knows only 'cloudflare'") }
            _ = try ControlSelection.parse(only, flag: "--only")
            _ = try ControlSelection.parse(skip, flag: "--skip")
            for entry in resolve {
                do { _ = try ProbeTarget.parseResolve(entry) } catch { throw ValidationError(error.description) }
            }
            for origin in origins where IPAddress(origin) == nil {
                throw ValidationError("--origin '\(origin)' is not an IP address (the origin server's own address, e.g. 192.0.2.50)")
            }
            if !probe, !origins.isEmpty || probeNames != nil {
                throw ValidationError("--origin and --probe-names are used by --probe: add --probe")
            }
            if let deadline, !(1...3600).contains(deadline) {
                throw ValidationError("--deadline takes a number of seconds from 1 to 3600, got \(deadline)")
            }
        }

        func run() async throws {
            let (resolved, serverOptions) = try server.resolve(
                RunSettings.Flags(
                    lanCIDRs: lanCIDRs, allow: allow, cdn: cdn, failOn: failOn, deployment: deployment, deadlineSeconds: deadline))
            guard serverOptions.server != nil || !resolved.deployment.isEmpty else {
                Terminal.error("nothing to audit: give --server URL (and a credential), --deployment PATH, or both")
                throw ExitCode(AuditExit.usage)
            }

            let target = try probeTarget(server: serverOptions, lanCIDRs: resolved.lanCIDRs)
            let (client, credentialProblems) =
                try serverOptions.server == nil
                ? (nil, [])
                : serverOptions.auditClient(deadlineSeconds: resolved.deadlineSeconds, dnsOverride: target.dnsOverride)
            let selection = Selection(
                only: (try? ControlSelection.parse(only, flag: "--only")) ?? [],
                skip: (try? ControlSelection.parse(skip, flag: "--skip")) ?? [],
                suppressions: resolved.suppressions)
            let run = await AuditRunner().run(
                client: client, settings: resolved.auditSettings(now: Date(), probe: probe), selection: selection, probe: target.probe,
                announce: { message in
                    Terminal.clearProgress()
                    try? StandardStream.error.write("jellyfort: \(Sanitized.terminal(message))\n")
                }
            ) {
                Terminal.progress($0)
            }
            Terminal.clearProgress()
            await client?.shutdown()
            var report = run.report
            report.notices += credentialProblems.map { "could not read: \($0)" }
            let problems = credentialProblems + run.problems
            try ReportDelivery.deliver(report, format: format, output: output)

            if let first = problems.first {
                let more = problems.count > 1 ? " (and \(problems.count - 1) more; see the report's notes)" : ""
                Terminal.error(first + more)
                throw ExitCode(AuditExit.incomplete)
            }
            if let severity = resolved.failOn.severity, report.controls.contains(where: { $0.status == .fail && $0.severity >= severity }) {
                throw ExitCode(AuditExit.failures)
            }
        }
    }
}

extension Jellyfort.Audit {
    /// `--resolve` for every request, and what `--probe` is to check; errors name the flag to fix.
    func probeTarget(server options: ServerOptions, lanCIDRs: [String]) throws -> (probe: ProbeTarget?, dnsOverride: [String: String]) {
        var overrides: [(name: String, address: String)] = []
        for entry in resolve {
            do { overrides.append(try ProbeTarget.parseResolve(entry)) } catch {
                Terminal.error(error.description)
                throw ExitCode(AuditExit.usage)
            }
        }
        guard let server = options.server, let address = try? ServerAddress(server) else {
            if probe || !resolve.isEmpty {
                Terminal.error("--probe and --resolve need the server's name: give --server https://NAME")
                throw ExitCode(AuditExit.usage)
            }
            return (nil, [:])
        }
        let name = address.host.lowercased()
        if let other = overrides.first(where: { $0.name != name }) {
            Terminal.error("--resolve names \(other.name), but --server is \(name): give --resolve \(name):IP")
            throw ExitCode(AuditExit.usage)
        }
        let dnsOverride = overrides.first.map { [name: $0.address] } ?? [:]
        guard probe else { return (nil, dnsOverride) }
        guard address.scheme == "https" else {
            Terminal.error("--probe checks what the internet sees over HTTPS: give --server https://NAME")
            throw ExitCode(AuditExit.usage)
        }
        var roots: [NIOSSLCertificate] = []
        if let caFile = options.caFile {
            guard let certificates = try? NIOSSLCertificate.fromPEMFile(caFile), !certificates.isEmpty else {
                Terminal.error("--ca-file \(caFile) is not a readable PEM certificate")
                throw ExitCode(AuditExit.usage)
            }
            roots = certificates
        }
        let names = (probeNames ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let target = ProbeTarget(
            name: name, port: address.port, resolved: overrides.map(\.address), origins: origins, extraRoots: roots,
            probeNames: Array(names.prefix(3)), lanCIDRs: lanCIDRs)
        return (target, dnsOverride)
    }
}

extension JellyfinAPIError {
    /// Errors about what the user typed rather than about the server.
    var isUsageProblem: Bool {
        if case .invalidServerURL = self { return true }
        if case .insecureTransport = self { return true }
        return false
    }
}

/// Writes a file whole or not at all, so a failed run never leaves half a report.
enum OutputFile {
    static func write(_ text: String, to path: String) throws {
        switch PathKind.of(path) {
        case .folder:
            throw CocoaError(.fileWriteInvalidFileName)
        case .special:
            // /dev/stdout, a FIFO, a terminal: written in place (renaming over a device would
            // replace it), and a full device is an error like any other.
            let descriptor = open(path, O_WRONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            defer { close(descriptor) }
            do { try StandardStream(descriptor: descriptor).write(text) } catch {
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            }
        case .regularFile, .missing:
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        }
    }

    /// Why a write failed, in words (never Foundation's raw error text).
    static func reason(_ error: any Error, path: String) -> String {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue { return "it is a folder" }
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if !FileManager.default.fileExists(atPath: parent) { return "the folder \(parent) does not exist" }
        if let cocoa = error as? CocoaError {
            switch cocoa.code {
            case .fileWriteNoPermission: return "permission denied"
            case .fileWriteOutOfSpace: return "the disk is full"
            case .fileWriteVolumeReadOnly: return "the file system is read-only"
            default: break
            }
        }
        if let posix = error as? POSIXError { return String(cString: strerror(posix.code.rawValue)) }
        if let posix = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError, posix.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(posix.code)))
        }
        return "the file could not be written"
    }
}
