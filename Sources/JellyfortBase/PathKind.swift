#if canImport(Glibc)
    import Glibc
#endif

/// What a path names, from `stat(2)` without opening it: opening a FIFO or a device to read it
/// would block forever, so every reader checks first and reads regular files only. (The one
/// system call in this module: it reads metadata, never contents.)
public enum PathKind: Equatable, Sendable {
    case regularFile(size: Int)
    case folder
    /// A FIFO, socket or device.
    case special
    case missing

    public static func of(_ path: String) -> PathKind {
        var info = stat()
        guard stat(path, &info) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .regularFile(size: Int(info.st_size))
        case S_IFDIR: return .folder
        default: return .special
        }
    }
}
