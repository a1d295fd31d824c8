import ArgumentParser
import Foundation
import JellyfortCore
import JellyfortReport

extension Jellyfort {
    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Work with saved reports.",
            subcommands: [Render.self])
    }
}

extension Jellyfort.Report {
    struct Render: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Render a saved JSON report in another format, without the server.",
            discussion: """
                A JSON report carries everything the other formats print (titles, rationale, fixes, guide items), \
                so it can be rendered later or elsewhere.

                Examples:
                  jellyfort audit --server https://jf.example.org --api-key-file key --format json --output report.json
                  jellyfort report render report.json --format html --output report.html
                  jellyfort report render report.json --format sarif
                """)

        @Argument(help: ArgumentHelp("A report written by jellyfort audit --format json.", valueName: "report.json"))
        var path: String

        @Option(help: "Output format.")
        var format: ReportFormat = .text

        @Option(help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
        var output: String?

        func run() throws {
            let report: AuditReport
            do {
                let data = try InputFile.read(path, limit: 64 << 20)
                report = try AuditReport.decode(data)
            } catch let error as InputFile.ReadError {
                Terminal.error(error.description)
                throw ExitCode(AuditExit.incomplete)
            } catch {
                Terminal.error(
                    "\(path) is not a Jellyfort JSON report (schema version \(AuditReport.schemaVersion)); write one "
                        + "with jellyfort audit --format json --output FILE"
                )
                throw ExitCode(AuditExit.incomplete)
            }
            try ReportDelivery.deliver(report, format: format, output: output)
        }
    }
}

/// A file given on the command line, read only when it is a regular file of a sane size: a FIFO,
/// a device or a folder would block or mislead, so they are refused with the reason.
enum InputFile {
    struct ReadError: Error, CustomStringConvertible {
        let description: String
    }

    static func read(_ path: String, limit: Int) throws(ReadError) -> Data {
        var info = stat()
        guard stat(path, &info) == 0 else { throw ReadError(description: "cannot read \(path): \(String(cString: strerror(errno)))") }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw ReadError(description: "\(path) is not a regular file (a folder, FIFO or device); give a file")
        }
        guard info.st_size <= limit else {
            throw ReadError(description: "\(path) is \(info.st_size) bytes, more than the \(limit >> 20) MiB Jellyfort reads")
        }
        // An empty file reads as nil: that is no data, not an error.
        guard let handle = FileHandle(forReadingAtPath: path), let data = try? (handle.readToEnd() ?? Data()) else {
            throw ReadError(description: "cannot read \(path): permission denied or read error")
        }
        try? handle.close()
        return data
    }
}

/// Renders a report and writes it whole to `--output` or standard output; any failure is one
/// line on stderr and exit 2 (a report that was not delivered must not look like success).
enum ReportDelivery {
    static func deliver(_ report: AuditReport, format: ReportFormat, output: String?) throws {
        let style = TerminalStyle(
            color: output == nil && Terminal.standardOutputIsTerminal && ProcessInfo.processInfo.environment["NO_COLOR"] == nil,
            width: Terminal.width)
        let rendered: String
        do { rendered = try format.render(report, terminal: style) } catch {
            Terminal.error("could not render the report: \(error)")
            throw ExitCode(AuditExit.incomplete)
        }
        if let output {
            do { try OutputFile.write(rendered, to: output) } catch {
                Terminal.error("cannot write the report to \(output): \(OutputFile.reason(error, path: output)); pick a writable file path")
                throw ExitCode(AuditExit.incomplete)
            }
        } else {
            do { try StandardStream.output.write(rendered) } catch {
                Terminal.error("\(error): the report was not delivered; write it to a file with --output FILE")
                throw ExitCode(AuditExit.incomplete)
            }
        }
    }
}
