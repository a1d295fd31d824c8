import Foundation
import JellyfortBase

#if canImport(Glibc)
    import Glibc
#endif

/// Where human-facing messages go: progress and errors on standard error, so standard output
/// carries only the report.
enum Terminal {
    static var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }
    static var standardOutputIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    /// Columns of the terminal on standard output (COLUMNS, then the tty), 100 when unknown.
    static var width: Int {
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 0 { return columns }
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 100
    }

    /// One line on standard error; whatever the server or a file put in the message is made
    /// harmless for the terminal first.
    static func error(_ message: String) {
        try? StandardStream.error.write("jellyfort: \(Sanitized.terminal(message))\n")
    }

    static func warning(_ message: String) {
        try? StandardStream.error.write("jellyfort: warning: \(Sanitized.terminal(message))\n")
    }

    /// A progress line, shown only when a person is watching standard error.
    static func progress(_ message: String) {
        guard standardErrorIsTerminal else { return }
        try? StandardStream.error.write("\r\u{1B}[2K\(Sanitized.terminal(message))")
    }

    static func clearProgress() {
        guard standardErrorIsTerminal else { return }
        try? StandardStream.error.write("\r\u{1B}[2K")
    }
}

/// Standard output and error written with `write(2)`, so a closed pipe or a full disk is an
/// error to report, never a trap (Foundation's `FileHandle.write(_:)` traps on both).
struct StandardStream {
    let descriptor: Int32

    static let output = StandardStream(descriptor: STDOUT_FILENO)
    static let error = StandardStream(descriptor: STDERR_FILENO)

    struct WriteError: Error, CustomStringConvertible {
        let description: String
    }

    func write(_ text: String) throws(WriteError) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { buffer in Glibc.write(descriptor, buffer.baseAddress, buffer.count) }
            if written < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                throw WriteError(description: descriptor == STDOUT_FILENO ? "cannot write to standard output: \(reason)" : reason)
            }
            bytes = bytes.dropFirst(written)
        }
    }
}
