public import Foundation
import GRDB
import Synchronization

/// Checks and copies of the database that an admin runs beside, or instead of, the appliance.
extension StrikeStore {
    /// `PRAGMA integrity_check`: `["ok"]` for a healthy file, otherwise each problem SQLite found.
    public func integrityCheck() async throws -> [String] {
        try await writer.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
    }

    /// Replays the whole log into temporary tables, in one read transaction, and returns every difference
    /// from the stored projections (empty when they agree). `progress` gets the events replayed and the total.
    public func projectionDifferences(progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> [String] {
        try await writer.writeWithoutTransaction { db in
            var report: [String] = []
            try db.inTransaction(.deferred) {
                report = try Projections.differences(db, progress: progress)
                return .rollback
            }
            return report
        }
    }

    /// Drops every projection row and rebuilds them from the log, in one transaction. A maintenance run with
    /// the writer lock held and nothing else writing, so it goes to the pool directly: as one write among
    /// others it could end up in a savepoint, whose journal would keep a copy of every projection page.
    /// `progress` gets the events replayed and the total.
    @discardableResult
    public func rebuildProjections(progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> ReplaySummary {
        try await writer.write { db in try EcoSearch.rebuilding(db) { try Projections.rebuild(db, progress: progress) } }
    }

    /// A consistent copy while the appliance writes: `VACUUM INTO` a temporary file beside the destination
    /// (a snapshot taken in one read transaction), an integrity check of the copy, then a move into place.
    /// Refused before anything is written when the destination is one of the database's own files or its key
    /// file, or (unless `overwrite`) any file that exists.
    public func backup(
        to destination: URL, keyFile: String, overwrite: Bool = false, progress: @Sendable (String) -> Void = { _ in }
    ) async throws {
        try BackupDestination.check(destination.path, overwrite: overwrite, protecting: protectedFiles(keyFile: keyFile))
        let temporary = destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).partial-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.removeItem(at: temporary)
        progress("copying a snapshot of the database")
        // VACUUM INTO reads one consistent snapshot by itself, and refuses to run inside a transaction.
        try await writer.unsafeRead { db in try db.execute(sql: "VACUUM INTO ?", arguments: [temporary.path]) }
        do {
            progress("checking the copy's integrity")
            let copy = try DatabaseQueue(path: temporary.path)
            let result = try await copy.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
            try copy.close()
            guard result == ["ok"] else { throw StoreError.integrityCheckFailed(result.joined(separator: "; ")) }
            progress("moving it into place")
            try BackupDestination.move(temporary.path, to: destination.path, overwrite: overwrite)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    /// The files a backup must never replace: the database, its WAL and shared-memory index (beside the path
    /// given and beside the file it resolves to, where SQLite keeps them), and the key file.
    private func protectedFiles(keyFile: String) -> [BackupDestination.ProtectedFile] {
        let database = writer.path
        var files = [BackupDestination.ProtectedFile(path: database, role: "the database itself")]
        for base in Set([database, FileIdentity.resolvedPath(database)]) {
            files.append(.init(path: base + "-wal", role: "the database's write-ahead log"))
            files.append(.init(path: base + "-shm", role: "the database's shared-memory index"))
        }
        files.append(.init(path: keyFile, role: "the key file that opens the database's sealed secrets"))
        return files
    }
}

/// Where `strike backup` may write. A backup written over the live database (or its WAL, or its key file) destroys
/// what it was meant to save, so those are refused however the path is spelt: by inode when the destination
/// exists (symlinks, hard links, `x/../`), by resolved path when it does not exist yet.
enum BackupDestination {
    /// A file the backup must not replace, and what it is, for the admin.
    struct ProtectedFile: Sendable {
        let path: String
        let role: String
    }

    static func check(_ destination: String, overwrite: Bool, protecting files: [ProtectedFile]) throws(BackupRefused) {
        let identity = FileIdentity(path: destination)
        let resolved = FileIdentity.resolvedPath(destination)
        for file in files {
            let sameFile = identity != nil && identity == FileIdentity(path: file.path)
            guard !sameFile, resolved != FileIdentity.resolvedPath(file.path) else {
                throw BackupRefused(destination: destination, reason: "it is \(file.role) (\(file.path)); write the backup to another file")
            }
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: destination, isDirectory: &isDirectory), isDirectory.boolValue {
            throw BackupRefused(destination: destination, reason: "it is a directory; name the backup file inside it")
        }
        if !overwrite, exists(destination) {
            throw BackupRefused(destination: destination, reason: "the file already exists; give --force to replace it")
        }
    }

    /// Puts the checked copy in place: replacing the destination atomically when allowed, otherwise as a hard
    /// link that fails if a file appeared there since the check.
    static func move(_ temporary: String, to destination: String, overwrite: Bool) throws {
        if overwrite {
            guard rename(temporary, destination) == 0 else { throw cannotMove(to: destination) }
            return
        }
        guard link(temporary, destination) == 0 else {
            if errno == EEXIST {
                throw BackupRefused(destination: destination, reason: "the file appeared while the copy was made; give --force to replace it")
            }
            throw cannotMove(to: destination)
        }
        unlink(temporary)
    }

    /// Whether anything, even a dangling symlink, is at `path`.
    private static func exists(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0
    }

    private static func cannotMove(to destination: String) -> StoreError {
        StoreError.backupFailed("cannot move the copy to \(destination): \(String(cString: strerror(errno)))")
    }
}

/// A backup destination `strike backup` will not write to, and why.
public struct BackupRefused: Error, Sendable, CustomStringConvertible {
    public let destination: String
    public let reason: String
    public var description: String { "refusing to write the backup to \(destination): \(reason)" }
}

/// Held by the process that writes the database (`strike serve`), so that a second writer — another serve, or an
/// admin's `rebuild-projections` while it runs — is refused instead of racing it. It is a `flock` on the database
/// file itself, so a second path to the same file (a symlink, a hard link) is refused too; on Linux `flock` is
/// independent of the POSIX locks SQLite takes on the same file. Released when the lock is let go or the process ends.
public final class WriterLock: Sendable {
    public let path: String
    private let file: FileIdentity

    /// Takes the lock on the database file (creating it empty, which SQLite takes for a new database, when it
    /// does not exist yet), or throws naming the process that holds it.
    public init(databasePath: String) throws {
        path = databasePath
        file = try DatabaseFileLocks.lock(databasePath)
    }

    deinit { DatabaseFileLocks.unlock(file) }
}

/// The descriptors this process opened on database files to lock them, one per file, kept open until the
/// process ends: closing any descriptor of a file drops every POSIX lock the process holds on it, SQLite's own
/// included, so unlocking only releases the `flock`.
private enum DatabaseFileLocks {
    private struct LockableFile {
        let descriptor: Int32
        var locked = false
    }

    private static let files = Mutex<[FileIdentity: LockableFile]>([:])

    static func lock(_ path: String) throws(WriterLockError) -> FileIdentity {
        try files.withLock { files throws(WriterLockError) in
            let file = try descriptor(for: path, in: &files)
            guard files[file]?.locked != true else {
                throw WriterLockError(message: "this process is already writing \(path)")
            }
            guard flock(files[file]!.descriptor, LOCK_EX | LOCK_NB) == 0 else {
                guard errno == EWOULDBLOCK else {
                    throw WriterLockError(message: "cannot lock \(path): \(String(cString: strerror(errno)))")
                }
                let holder = FileLockHolders.pid(of: file).map { "another process (pid \($0))" } ?? "another process"
                throw WriterLockError(
                    message: "\(holder) is writing \(path); stop it first (for the service: systemctl stop strike)")
            }
            files[file]!.locked = true
            return file
        }
    }

    static func unlock(_ file: FileIdentity) {
        files.withLock { files in
            guard let open = files[file], open.locked else { return }
            flock(open.descriptor, LOCK_UN)
            files[file]!.locked = false
        }
    }

    /// The file at `path`, with a descriptor on it in `files`: the one already open, or a new one.
    private static func descriptor(for path: String, in files: inout [FileIdentity: LockableFile]) throws(WriterLockError) -> FileIdentity {
        if let file = FileIdentity(path: path), files[file] != nil { return file }
        let descriptor = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0, let file = FileIdentity(descriptor: descriptor) else {
            throw WriterLockError(message: "cannot open the database \(path) to lock it: \(String(cString: strerror(errno)))")
        }
        if files[file] == nil { files[file] = LockableFile(descriptor: descriptor) }
        return file
    }
}

/// Who holds a `flock` on a file, read from Linux's `/proc/locks`, whose lines read
/// `1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF` (pid, then device major:minor in hex, then inode).
enum FileLockHolders {
    /// Read up to three times: the kernel makes `/proc/locks` a page at a time, so while other processes take
    /// and drop locks a read can miss a line (seen under the parallel tests).
    static func pid(of file: FileIdentity) -> Int32? {
        for _ in 0..<3 {
            if let pid = pidInOneRead(of: file) { return pid }
        }
        return nil
    }

    private static func pidInOneRead(of file: FileIdentity) -> Int32? {
        guard let table = readProcFile("/proc/locks") else { return nil }
        var sameInode: Int32?
        for line in table.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 6, fields[1] == "FLOCK", fields[3] == "WRITE", let pid = Int32(fields[4]) else { continue }
            let place = fields[5].split(separator: ":")
            guard place.count == 3, let major = UInt64(place[0], radix: 16), let minor = UInt64(place[1], radix: 16),
                let inode = UInt64(place[2]), inode == file.inode
            else { continue }
            if (major, minor) == file.deviceNumbers { return pid }
            // Overlay file systems may show another device for the same file: the inode alone is the next best.
            sameInode = sameInode ?? pid
        }
        return sameInode
    }

    /// The whole of a `/proc` file, read until its end: such files report a size of 0, and a reader that trusts
    /// the size (or reads one page) misses the lines past the first 4 KiB when many files are locked.
    private static func readProcFile(_ path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.readToEnd() else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}

public struct WriterLockError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
