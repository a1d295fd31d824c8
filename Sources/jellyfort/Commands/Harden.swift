import ArgumentParser
import Foundation
import JellyfinAPI
import JellyfortAudit
import JellyfortControls
import JellyfortCore
import JellyfortHarden

extension Jellyfort {
    struct Harden: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fix what the Jellyfin API can fix: plan, show the changes, apply, check, roll back.",
            discussion: """
                Without --apply it only shows what it would change, field by field, and changes nothing. With \
                --apply it saves a backup of every object it touches, journals every step, applies the changes, and \
                audits the touched controls again. Any run can be undone with 'jellyfort harden rollback'. All \
                options: jellyfort harden plan --help.

                Examples:
                  jellyfort harden --server https://jf.example.org --api-key-file key
                  jellyfort harden --server https://jf.example.org --api-key-file key \\
                                     --lan-cidr 192.168.1.0/24 --proxy 10.0.0.2 --apply
                  jellyfort harden --server https://jf.example.org --api-key-file key \\
                                     --admin-name quill-keeper --create-media-user mira --apply
                  jellyfort harden runs
                  jellyfort harden rollback
                """,
            subcommands: [Plan.self, Runs.self, Rollback.self],
            defaultSubcommand: Plan.self
        )
    }
}

enum HardenFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

extension FixOptions.Risk: ExpressibleByArgument {}

/// `--yes`, or a question on a terminal; without a terminal the answer is no.
enum Confirmation {
    static func ask(_ question: String, yes: Bool) throws -> Bool {
        if yes { return true }
        guard isatty(STDIN_FILENO) == 1 else {
            Terminal.error("\(question) needs confirmation: run it on a terminal, or add --yes")
            throw ExitCode(AuditExit.incomplete)
        }
        try? StandardStream.error.write("\(Sanitized.terminal(question)) [y/N] ")
        let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        return answer == "y" || answer == "yes"
    }
}

extension Jellyfort.Harden {
    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "plan",
            abstract: "Show (and with --apply, make) the changes that harden the server. The default."
        )

        @OptionGroup(title: "Server")
        var server: ServerOptions

        @Option(help: ArgumentHelp("Fix only these controls (comma-separated ids).", valueName: "id,..."))
        var only: String?

        @Option(help: ArgumentHelp("Leave these controls alone (comma-separated ids).", valueName: "id,..."))
        var skip: String?

        @Option(
            name: .customLong("admin-name"),
            help: ArgumentHelp("Rename the administrator whose name is guessable to this.", valueName: "new"))
        var adminName: String?

        @Option(help: ArgumentHelp("Rename a user: OLD=NEW. Repeatable.", valueName: "old=new"))
        var rename: [String] = []

        @Option(
            name: .customLong("create-media-user"),
            help: ArgumentHelp(
                "Create a media user for watching (hidden, one session, no deletion); its password goes to a 0600 file.", valueName: "name")
        )
        var createMediaUser: String?

        @Flag(
            name: .customLong("rotate-admin-password"),
            help: "Give every administrator a generated password (142 bits), written to 0600 files.")
        var rotateAdminPassword = false

        @Flag(
            name: .customLong("set-missing-passwords"),
            help: "Give every account without a password a generated one (142 bits), written to 0600 files.")
        var setMissingPasswords = false

        // Unconditional, so that "--lockout -5" is read as a value and refused as one, not as a flag.
        @Option(parsing: .unconditional, help: ArgumentHelp("Wrong passwords before an account locks (1 to 10).", valueName: "n"))
        var lockout = 5

        @Option(name: .customLong("lan-cidr"), help: ArgumentHelp("Your real LAN, for LocalNetworkSubnets. Repeatable.", valueName: "cidr"))
        var lanCIDRs: [String] = []

        @Option(help: ArgumentHelp("Your reverse proxy's address, for KnownProxies. Repeatable.", valueName: "ip"))
        var proxy: [String] = []

        @Option(
            name: .customLong("revoke-keys-older-than"),
            help: ArgumentHelp("Revoke API keys older than this many days (never the one in use).", valueName: "days"))
        var revokeKeysOlderThan: Int?

        @Option(
            name: .customLong("accept-risk"),
            help: ArgumentHelp(
                "Do a change the safety rules refuse: self-remote-block (turn off remote access for the account "
                    + "you are signed in as, from outside) or admin-lockout (lockout on the only admin while it is "
                    + "reachable from outside).",
                valueName: "risk"))
        var acceptRisk: [FixOptions.Risk] = []

        @Flag(help: "Make the changes (without it, only show them).")
        var apply = false

        @Flag(help: "Do not ask for confirmation.")
        var yes = false

        @Option(help: "Output format.")
        var format: HardenFormat = .text

        func validate() throws {
            guard (1...10).contains(lockout) else {
                throw ValidationError("--lockout takes a number of wrong passwords from 1 to 10, got \(lockout)")
            }
            for cidr in lanCIDRs where IPNetwork(cidr) == nil {
                throw ValidationError("'\(cidr)' is not a CIDR range (e.g. 192.168.1.0/24)")
            }
            for address in proxy where IPNetwork(address) == nil { throw ValidationError("--proxy '\(address)' is not an IP address") }
            for pair in rename
            where pair.split(separator: "=", omittingEmptySubsequences: false).count != 2 || pair.hasPrefix("=") || pair.hasSuffix("=") {
                throw ValidationError("--rename takes OLD=NEW, got '\(pair)'")
            }
            _ = try ControlSelection.parse(only, flag: "--only")
            _ = try ControlSelection.parse(skip, flag: "--skip")
            if let days = revokeKeysOlderThan, days < 1 {
                throw ValidationError("--revoke-keys-older-than takes a number of days, 1 or more")
            }
        }

        /// The fix options, from the flags and the resolved settings (LAN, thresholds, accepted risks).
        func options(_ settings: RunSettings) -> HardenOptions {
            var options = HardenOptions()
            options.thresholds = settings.thresholds
            options.suppressions = settings.suppressions
            options.only = (try? ControlSelection.parse(only, flag: "--only")) ?? []
            options.skip = (try? ControlSelection.parse(skip, flag: "--skip")) ?? []
            options.adminName = adminName
            options.renames = rename.compactMap { pair in
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                return parts.count == 2 ? FixOptions.Rename(old: parts[0], new: parts[1]) : nil
            }
            options.createMediaUser = createMediaUser
            options.rotateAdminPassword = rotateAdminPassword
            options.setMissingPasswords = setMissingPasswords
            options.lockout = lockout
            options.lanCIDRs = settings.lanCIDRs
            options.proxies = proxy
            options.revokeKeysOlderThanDays = revokeKeysOlderThan
            options.acceptedRisks = Set(acceptRisk)
            return options
        }

        func run() async throws {
            let (settings, resolvedServer) = try server.resolve(RunSettings.Flags(lanCIDRs: lanCIDRs))
            try await withClient(resolvedServer) { client in try await run(client, options: options(settings)) }
        }

        func run(_ client: JellyfinClient, options: HardenOptions) async throws {
            let plan: HardenPlan
            do {
                Terminal.progress("Reading the server…")
                plan = try await HardenPlanner(client: client, options: options).plan()
                Terminal.clearProgress()
            } catch {
                Terminal.clearProgress()
                Terminal.error("\(error)")
                throw ExitCode(AuditExit.incomplete)
            }
            if !apply || plan.isEmpty {
                emit(plan, applied: false, outcome: nil)
                return
            }
            if format == .text { emit(plan, applied: false, outcome: nil) }
            guard try Confirmation.ask("Apply \(plan.changes.count) changes to \(plan.server)?", yes: yes) else {
                Terminal.error("nothing changed")
                return
            }
            let outcome: HardenExecutor.Outcome
            do {
                outcome = try await HardenExecutor(client: client, store: RunStore()).apply(plan) { Terminal.progress($0) }
                Terminal.clearProgress()
            } catch {
                Terminal.clearProgress()
                Terminal.error("could not start the run: \(error)")
                throw ExitCode(AuditExit.incomplete)
            }
            if format == .text {
                print("")
                let confirmed = outcome.verification.filter { $0.verified == true }.count
                print(
                    "Applied \(outcome.applied) of \(plan.operations.count) writes (run \(plan.runId)); read back: "
                        + "\(confirmed) of \(plan.changes.count) changes confirmed."
                )
                for failure in outcome.failures { print("  failed: \(Sanitized.terminal(failure))") }
                for file in outcome.passwordFiles { print("  new password for \(file.user): \(file.path) (readable only by you)") }
                await reaudit(client: client, controls: plan.touchedControls, options: options)
                print("Undo with: jellyfort harden rollback \(plan.runId)")
            } else {
                emit(plan, applied: true, outcome: outcome)
            }
            if let problem = outcome.stateProblem {
                Terminal.error(problem)
                throw ExitCode(AuditExit.incomplete)
            }
            if !outcome.failures.isEmpty { throw ExitCode(AuditExit.failures) }
        }

        /// Audits the controls the run touched and prints their new status.
        func reaudit(client: JellyfinClient, controls: Set<ControlID>, options: HardenOptions) async {
            guard !controls.isEmpty else { return }
            let settings = AuditSettings(lanCIDRs: options.lanCIDRs, thresholds: options.thresholds)
            let run = await AuditRunner().run(
                client: client, settings: settings, selection: Selection(only: controls, suppressions: options.suppressions))
            print("After the run:")
            for result in run.report.controls where result.controlID.map(controls.contains) == true {
                print(
                    "  \(result.status.rawValue.uppercased().padding(toLength: 8, withPad: " ", startingAt: 0)) "
                        + "\(result.id): \(result.summary)"
                )
            }
        }

        func emit(_ plan: HardenPlan, applied: Bool, outcome: HardenExecutor.Outcome?) {
            switch format {
            case .json:
                let output = HardenJSON(plan: plan, outcome: outcome)
                do {
                    try StandardStream.output.write(String(decoding: try output.jsonData(), as: UTF8.self) + "\n")
                } catch {
                    Terminal.error("\(error)")
                }
            case .text:
                print(Sanitized.terminal(HardenText.plan(plan), keepNewlines: true))
                if !apply, !plan.isEmpty { print("Nothing changed. Add --apply to make these \(plan.changes.count) changes.") }
            }
        }
    }

    struct Runs: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List past harden runs, newest last.")

        func run() throws {
            let store = RunStore()
            let ids = store.runIds()
            guard !ids.isEmpty else {
                print("No harden runs yet (they are kept in \(store.root.path)).")
                return
            }
            for id in ids {
                if let record = try? store.record(id) {
                    print(
                        "\(id)  \(record.state.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0))  "
                            + "\(record.changes.count) changes  \(record.server)"
                    )
                } else {
                    print("\(id)  (no record: the run was interrupted before it started)")
                }
            }
        }
    }

    struct Rollback: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Restore every object a run changed to exactly what it was (the latest run by default).")

        @Argument(help: "The run to undo (jellyfort harden runs lists them).")
        var runId: String?

        @OptionGroup(title: "Server")
        var server: ServerOptions

        @Flag(help: "Do not ask for confirmation.")
        var yes = false

        func run() async throws {
            let store = RunStore()
            guard let id = runId ?? store.runIds().last else {
                Terminal.error(HardenError.noRuns(store.root.path).description)
                throw ExitCode(AuditExit.incomplete)
            }
            let record: RunRecord
            do { record = try store.record(id) } catch {
                Terminal.error("\(error)")
                throw ExitCode(AuditExit.incomplete)
            }
            var (_, options) = try server.resolve(RunSettings.Flags())
            options.server = options.server ?? record.server
            guard
                try Confirmation.ask(
                    "Roll back run \(id) (\(record.changes.count) changes) on \(options.server ?? record.server)?", yes: yes)
            else {
                Terminal.error("nothing changed")
                return
            }
            try await withClient(options) { client in try await rollback(id, client: client, store: store) }
        }

        func rollback(_ id: String, client: JellyfinClient, store: RunStore) async throws {
            do {
                if case .password = client.configuration.credential { try await client.signIn() }
                let outcome = try await HardenRollback(client: client, store: store).rollback(id)
                print("Restored \(outcome.restored.count) objects of run \(id): \(outcome.restored.joined(separator: ", "))")
                for item in outcome.notRestorable { print("  not restorable: \(item)") }
                for failure in outcome.failures { print("  failed: \(failure)") }
                if !outcome.failures.isEmpty { throw ExitCode(AuditExit.failures) }
            } catch let exit as ExitCode {
                throw exit
            } catch {
                Terminal.error("\(error)")
                throw ExitCode(AuditExit.incomplete)
            }
        }
    }
}

extension Jellyfort {
    struct Unlock: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-enable a locked-out user and reset its failed-sign-in counter.",
            discussion: "Use an API key (lockout does not affect API keys): jellyfort unlock NAME --server URL --api-key-file PATH")

        @Argument(help: "The user to unlock.")
        var user: String

        @OptionGroup(title: "Server")
        var server: ServerOptions

        func run() async throws {
            let (_, resolved) = try server.resolve(RunSettings.Flags())
            try await withClient(resolved) { client in try await unlock(client) }
        }

        func unlock(_ client: JellyfinClient) async throws {
            do {
                if case .password = client.configuration.credential { try await client.signIn() }
                guard try await unlockUser(named: user, client: client) else {
                    Terminal.error("no user named \(user) on \(client.configuration.server)")
                    throw ExitCode(AuditExit.incomplete)
                }
                print("\(user) is enabled again and its failed sign-in counter is 0.")
            } catch let exit as ExitCode {
                throw exit
            } catch {
                Terminal.error("\(error)")
                throw ExitCode(AuditExit.incomplete)
            }
        }
    }
}

/// Runs `body` with a client and always closes it afterwards.
func withClient(_ server: ServerOptions, _ body: (JellyfinClient) async throws -> Void) async throws {
    let client = try makeClient(server)
    do {
        try await body(client)
    } catch {
        await client.shutdown()
        throw error
    }
    await client.shutdown()
}

/// A client for commands that need an administrator credential; errors end the command.
func makeClient(_ server: ServerOptions) throws -> JellyfinClient {
    do {
        let configuration = try server.clientConfiguration()
        guard configuration.credential != nil else {
            Terminal.error(
                "this needs an administrator credential: --api-key-file PATH, JELLYFORT_API_KEY, or --user NAME --password-file PATH")
            throw ExitCode(AuditExit.incomplete)
        }
        if configuration.insecureSkipVerify { Terminal.warning("--insecure: the server's certificate is not checked") }
        return try JellyfinClient(configuration: configuration)
    } catch let exit as ExitCode {
        throw exit
    } catch let error as JellyfinAPIError {
        Terminal.error(error.description)
        throw ExitCode(error.isUsageProblem ? AuditExit.usage : AuditExit.incomplete)
    } catch let error as CredentialError {
        Terminal.error(error.description)
        throw ExitCode(AuditExit.incomplete)
    } catch {
        Terminal.error("\(error)")
        throw ExitCode(AuditExit.usage)
    }
}

/// The plan as text: grouped by subject, `field: old → new`, then what is skipped.
enum HardenText {
    static func show(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): text
        case .null: "(none)"
        default: value.description
        }
    }

    static func plan(_ plan: HardenPlan) -> String {
        var lines: [String] = []
        if plan.changes.isEmpty {
            lines.append("Nothing to change on \(plan.server): every fixable control already passes (or was skipped below).")
        } else {
            lines.append("Changes for \(plan.server) (run \(plan.runId)):")
            var subjects: [String] = []
            var bySubject: [String: [PlannedChange]] = [:]
            for change in plan.changes {
                if bySubject[change.subject] == nil { subjects.append(change.subject) }
                bySubject[change.subject, default: []].append(change)
            }
            for subject in subjects {
                lines.append("  \(subject)")
                for change in bySubject[subject] ?? [] {
                    lines.append("    \(change.field): \(show(change.from)) → \(show(change.to))   [\(change.control)]")
                }
            }
        }
        if !plan.skipped.isEmpty {
            lines.append("Left alone:")
            for skipped in plan.skipped { lines.append("  \(skipped.control): \(skipped.reason)") }
        }
        for note in plan.notes { lines.append("note: \(note)") }
        return lines.joined(separator: "\n")
    }
}

/// `harden --format json`, built from Codable types: `{runId, changes[{control, subject, field,
/// from, to, verified?}], applied, skipped[{control, reason}], notes, failures?, passwordFiles?}`.
struct HardenJSON: Encodable {
    struct Change: Encodable {
        var control, subject, field: String
        var from, to: JSONValue
        /// After --apply: true read back as planned, false did not take, null cannot be read back.
        var verified: Bool??
        var verification: String?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(control, forKey: .control)
            try container.encode(subject, forKey: .subject)
            try container.encode(field, forKey: .field)
            try container.encode(from, forKey: .from)
            try container.encode(to, forKey: .to)
            if let verified {
                if let verified { try container.encode(verified, forKey: .verified) } else { try container.encodeNil(forKey: .verified) }
            }
            try container.encodeIfPresent(verification, forKey: .verification)
        }

        enum CodingKeys: String, CodingKey { case control, subject, field, from, to, verified, verification }
    }

    struct PasswordFile: Encodable {
        var user, path: String
    }

    var runId: String
    var changes: [Change]
    /// True only when the run was applied and nothing failed or failed to take.
    var applied: Bool
    var skipped: [SkippedControl]
    var notes: [String]
    var failures: [String]?
    var passwordFiles: [PasswordFile]?
    /// The run's own journal or record could not be written (exit 2).
    var stateProblem: String?

    init(plan: HardenPlan, outcome: HardenExecutor.Outcome?) {
        runId = plan.runId
        let checks = Dictionary(
            (outcome?.verification ?? []).map { ("\($0.change.subject)|\($0.change.field)", $0) }, uniquingKeysWith: { first, _ in first })
        changes = plan.changes.map { change in
            let check = checks["\(change.subject)|\(change.field)"]
            return Change(
                control: change.control, subject: change.subject, field: change.field, from: change.from, to: change.to,
                verified: check.map { $0.verified }, verification: check?.detail)
        }
        applied = outcome.map { $0.failures.isEmpty && $0.stateProblem == nil && $0.applied > 0 } ?? false
        skipped = plan.skipped
        notes = plan.notes
        failures = outcome?.failures
        passwordFiles = outcome?.passwordFiles.map { PasswordFile(user: $0.user, path: $0.path) }
        stateProblem = outcome?.stateProblem
    }

    func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
