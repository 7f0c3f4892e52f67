import Foundation

/// A file as the kernel knows it (device and inode): the same through every path that reaches it, whether a
/// symlink, a hard link or `x/../`, so two paths are compared by what they open rather than by how they are spelt.
struct FileIdentity: Hashable, Sendable {
    let device: UInt64
    let inode: UInt64

    /// The file at `path`, following symlinks; nil when there is none.
    init?(path: String) {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        self.init(status)
    }

    /// The file an open descriptor refers to; nil when `fstat` fails.
    init?(descriptor: Int32) {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return nil }
        self.init(status)
    }

    private init(_ status: stat) {
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
    }

    /// The device's major and minor numbers (glibc's encoding of `dev_t`), as `/proc/locks` prints them.
    var deviceNumbers: (major: UInt64, minor: UInt64) {
        ((device >> 8) & 0xfff | (device >> 32) & ~0xfff, device & 0xff | (device >> 12) & ~0xff)
    }

    /// The absolute path with every symlink and `..` resolved; for a file that does not exist yet, its folder's
    /// resolved path and its own name (two spellings of a file not made yet still compare equal).
    static func resolvedPath(_ path: String) -> String {
        if let resolved = realPath(path) { return resolved }
        let url = URL(fileURLWithPath: path).standardizedFileURL
        guard let folder = realPath(url.deletingLastPathComponent().path) else { return url.path }
        return URL(fileURLWithPath: folder).appendingPathComponent(url.lastPathComponent).path
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
