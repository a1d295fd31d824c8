import ArgumentParser
import Foundation
import JellyfinAPI

/// How to reach and sign in to a Jellyfin server; shared by every command that talks to one.
struct ServerOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp("The Jellyfin server's address, e.g. https://jellyfin.example.org or http://127.0.0.1:8096.", valueName: "url"))
    var server: String?

    @Option(help: ArgumentHelp("A file holding an API key (Dashboard → API Keys). Or set JELLYFORT_API_KEY.", valueName: "path"))
    var apiKeyFile: String?

    @Option(
        help: ArgumentHelp(
            "Sign in as this user instead of with an API key; the password comes from --password-file or JELLYFORT_PASSWORD.",
            valueName: "name"))
    var user: String?

    @Option(help: ArgumentHelp("A file holding the password for --user.", valueName: "path"))
    var passwordFile: String?

    @Option(help: ArgumentHelp("A PEM file of a private certificate authority to trust (e.g. Caddy's local CA).", valueName: "path"))
    var caFile: String?

    @Flag(help: "Do not verify the server's TLS certificate. Anyone on the path could read your credential; Jellyfort warns on every run.")
    var insecure = false

    @Flag(help: "Allow sending credentials over plain http:// to a host that is not this machine.")
    var allowInsecureHTTP = false

    @Option(
        help: ArgumentHelp(
            "A jellyfort.yml with the server, the key file, defaults, thresholds and accepted risks; flags win over it.", valueName: "file")
    )
    var config: String?

    func validate() throws {
        if passwordFile != nil, user == nil {
            throw ValidationError("--password-file needs --user NAME (the account the password belongs to)")
        }
        if user != nil, apiKeyFile != nil {
            throw ValidationError("give either --api-key-file or --user with --password-file, not both")
        }
    }

    /// Reads `--config` (if given) and resolves the settings with `flags`; the server options
    /// come back with the file's server and key filled in where no flag gave them. A bad file
    /// ends the command with its one-line error and exit 64.
    func resolve(_ flags: RunSettings.Flags) throws -> (settings: RunSettings, server: ServerOptions) {
        do {
            let file = try config.map { path throws(ConfigurationError) in try AuditConfiguration.load(path) } ?? AuditConfiguration()
            var flags = flags
            flags.server = server
            flags.apiKeyFile = apiKeyFile
            flags.user = user
            let settings = try RunSettings.resolve(flags, file: file, fileName: config ?? "jellyfort.yml")
            var resolved = self
            resolved.server = settings.server
            resolved.apiKeyFile = settings.apiKeyFile
            return (settings, resolved)
        } catch {
            Terminal.error(error.description)
            throw ExitCode(AuditExit.usage)
        }
    }

    /// The audit's client, ending at its deadline. A credential that cannot be read is a problem
    /// of the run (exit 2) but not its end: the anonymous view still tells something.
    func auditClient(deadlineSeconds: Int, dnsOverride: [String: String] = [:]) throws -> (JellyfinClient?, problems: [String]) {
        let deadline = OverallDeadline(seconds: deadlineSeconds)
        do {
            var configuration = try clientConfiguration()
            configuration.overallDeadline = deadline
            configuration.dnsOverride = dnsOverride
            if configuration.insecureSkipVerify {
                Terminal.warning("--insecure: the server's certificate is not checked; anyone on the path could read your credential")
            }
            return (try JellyfinClient(configuration: configuration), [])
        } catch let error as CredentialError {
            var anonymous = self
            anonymous.apiKeyFile = nil
            anonymous.user = nil
            anonymous.passwordFile = nil
            var configuration = try? anonymous.clientConfiguration(environment: [:])
            configuration?.overallDeadline = deadline
            configuration?.dnsOverride = dnsOverride
            return (
                try? configuration.map { configuration throws(JellyfinAPIError) in try JellyfinClient(configuration: configuration) },
                [error.description]
            )
        } catch let error as JellyfinAPIError {
            Terminal.error(error.description)
            throw ExitCode(error.isUsageProblem ? AuditExit.usage : AuditExit.incomplete)
        } catch {
            Terminal.error("\(error)")
            throw ExitCode(AuditExit.usage)
        }
    }

    /// The client configuration, or a one-line error that says what to fix.
    func clientConfiguration(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> JellyfinClientConfiguration {
        guard let server else { throw ValidationError("give the server's address with --server URL") }
        let address = try ServerAddress(server)
        let credential = try Credential.resolve(apiKeyFile: apiKeyFile, user: user, passwordFile: passwordFile, environment: environment)
        var configuration = JellyfinClientConfiguration(server: address, credential: credential)
        configuration.caFile = caFile
        configuration.insecureSkipVerify = insecure
        configuration.allowInsecureHTTP = allowInsecureHTTP
        return configuration
    }
}
