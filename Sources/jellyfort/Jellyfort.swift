import ArgumentParser
import Foundation
import JellyfinAPI

@main
struct Jellyfort: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jellyfort",
        abstract: "Make a self-hosted Jellyfin server safe to put on the internet, and keep it safe.",
        discussion: """
            Start with the demo, which needs nothing but this tool: it runs a built-in Jellyfin emulator set up \
            the way most servers are left, and shows what Jellyfort finds.

              jellyfort demo

            Then audit your own server:

              jellyfort audit --server https://jf.example.org --api-key-file key

            Secrets never go on the command line: give an API key with --api-key-file PATH or the \
            JELLYFORT_API_KEY environment variable (Dashboard → API Keys creates one).
            """,
        version: JellyfortVersion.current,
        subcommands: [Audit.self, Harden.self, Unlock.self, Deploy.self, Controls.self, Report.self, Password.self, Watch.self, Demo.self]
    )

    /// A closed pipe on standard output is an error to report (exit 2), not a signal that kills.
    static func main() async {
        signal(SIGPIPE, SIG_IGN)
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
