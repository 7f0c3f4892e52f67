public import Foundation
import StrikeCore

/// Puts a backup in place of the database, with the appliance stopped: the backup is copied beside the
/// database and checked there (schema not newer than this build, integrity, a replay of its log against its
/// projections, its secrets opened by the key file), the database it replaces is kept beside it under a
/// timestamped name with its write-ahead log, and only then does the checked copy take the database's name.
public enum DatabaseRestore {
    /// Restores `backup` to `database`; returns where the replaced database was kept (nil when there was none).
    /// The caller holds the database's `WriterLock`.
    public static func restore(
        backup: String, database: String, keyFile: String, at date: Date, progress: @Sendable (String) -> Void
    ) async throws -> String? {
        guard FileManager.default.fileExists(atPath: backup) else { throw RestoreRefused("there is no backup at \(backup)") }
        if let identity = FileIdentity(path: backup), identity == FileIdentity(path: database) {
            throw RestoreRefused("\(backup) is the database itself")
        }
        let copy = database + ".restoring-\(ProcessInfo.processInfo.processIdentifier)"
        removeDatabaseFiles(copy)
        do {
            progress("copying \(backup) beside the database")
            try FileManager.default.copyItem(atPath: backup, toPath: copy)
            try await check(copy, backup: backup, keyFile: keyFile, progress: progress)
            try sync(copy)
            let kept = try keepReplaced(database, at: date)
            guard rename(copy, database) == 0 else {
                throw RestoreRefused("cannot move the checked copy to \(database): \(String(cString: strerror(errno)))")
            }
            syncDirectory(of: database)
            return kept
        } catch {
            removeDatabaseFiles(copy)
            throw error
        }
    }

    /// Opens the copy as the appliance would (refusing a newer schema, migrating an older one), then checks it.
    private static func check(_ copy: String, backup: String, keyFile: String, progress: @Sendable (String) -> Void) async throws {
        progress("checking the backup: schema, integrity, its log against its projections")
        let store: StrikeStore
        do {
            store = try StrikeStore(path: copy)
        } catch let newer as NewerDatabaseError {
            throw RestoreRefused("the backup was written by a newer build of Osprey Strike: \(newer.finding)")
        } catch {
            throw RestoreRefused("\(backup) cannot be opened as an Osprey Strike database: \(error)")
        }
        let integrity = try await store.integrityCheck()
        guard integrity == ["ok"] else { throw RestoreRefused("the backup fails its integrity check: \(integrity.joined(separator: "; "))") }
        let differences = try await store.projectionDifferences()
        guard differences.isEmpty else {
            throw RestoreRefused(
                "the backup's projections differ from a replay of its log in \(differences.count) place(s), first: \(differences[0])")
        }
        try await store.checkpointLog()
        let sealed = try StrikeStore.sealedSecrets(inDatabaseAt: copy)
        if !sealed.isEmpty {
            do {
                _ = try KeyFile.loadOrCreate(at: keyFile, opening: sealed, database: backup)
            } catch {
                throw RestoreRefused("\(error)")
            }
        }
    }

    /// Moves the database and its write-ahead log aside as `<database>.replaced-<time>` (SQLite finds the log by
    /// the database's name, so the pair opens as it was); drops the shared-memory index, which SQLite rebuilds.
    /// An empty file (made by the writer lock where there was no database) is not worth keeping.
    private static func keepReplaced(_ database: String, at date: Date) throws -> String? {
        let size = (try? FileManager.default.attributesOfItem(atPath: database)[.size] as? NSNumber)?.intValue
        let hasLog = FileManager.default.fileExists(atPath: database + "-wal")
        guard let size, size > 0 || hasLog else {
            removeDatabaseFiles(database)
            return nil
        }
        let kept = "\(database).replaced-\(FileStamp.of(date))"
        for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: database + suffix) {
            guard rename(database + suffix, kept + suffix) == 0 else {
                throw RestoreRefused("cannot keep the replaced database as \(kept)\(suffix): \(String(cString: strerror(errno)))")
            }
        }
        unlink(database + "-shm")
        return kept
    }

    private static func removeDatabaseFiles(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) }
    }

    /// The checked copy on disk before it takes the database's name (the copy itself was not synced).
    private static func sync(_ path: String) throws {
        let descriptor = open(path, O_RDONLY)
        defer { if descriptor >= 0 { close(descriptor) } }
        guard descriptor >= 0, fsync(descriptor) == 0 else {
            throw RestoreRefused("cannot sync the checked copy \(path) to disk: \(String(cString: strerror(errno)))")
        }
    }

    /// Makes the renames durable: the directory's entries are synced.
    private static func syncDirectory(of path: String) {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let descriptor = open(folder, O_RDONLY | O_DIRECTORY)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }
}

/// Why `strike restore` left the database as it was.
public struct RestoreRefused: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
