import Foundation

/// One refused sign-in in Jellyfin's file format (quoted), written now or at `date`.
public func jellyfinDenyLine(_ ip: String, user: String = "bob", at date: Date = Date()) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(secondsFromGMT: 0)
    formatter.dateFormat = "yyyy-MM-dd HH:mm:ss.SSS xxx"
    return "[\(formatter.string(from: date))] [INF] [50] Jellyfin.Server.Implementations.Users.UserManager: "
        + "Authentication request for \"\(user)\" has been denied (IP: \"\(ip)\").\n"
}

/// Appends to a log file the way Jellyfin does (creating it first).
public func appendLog(_ text: String, to url: URL) throws {
    if !FileManager.default.fileExists(atPath: url.path) { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
    let handle = try FileHandle(forWritingTo: url)
    try handle.seekToEnd()
    try handle.write(contentsOf: Data(text.utf8))
    try handle.close()
}
