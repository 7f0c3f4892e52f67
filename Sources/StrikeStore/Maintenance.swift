public import Foundation
import GRDB

/// Checks and copies of the database that an admin runs beside, or instead of, the appliance.
extension StrikeStore {
    /// `PRAGMA integrity_check`: `["ok"]` for a healthy file, otherwise each problem SQLite found.
    public func integrityCheck() async throws -> [String] {
        try await writer.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
    }

    /// Replays the whole log into temporary tables, in one read transaction, and returns every difference
    /// from the stored projections (empty when they agree).
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

    /// Drops every projection row and rebuilds them from the log, in one transaction.
    public func rebuildProjections(progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async throws {
        try await writer.write { db in try Projections.rebuild(db, schema: "main", progress: progress) }
    }

    /// A consistent copy while the appliance writes: `VACUUM INTO` a temporary file beside the destination
    /// (a snapshot taken in one read transaction), an integrity check of the copy, then an atomic rename.
    public func backup(to destination: URL, progress: @Sendable (String) -> Void = { _ in }) async throws {
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
            guard rename(temporary.path, destination.path) == 0 else {
                throw StoreError.backupFailed("cannot move the copy to \(destination.path): \(String(cString: strerror(errno)))")
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }
}

/// Held by the process that writes the database (`strike serve`), so that a second writer — another serve, or an
/// admin's `rebuild-projections` while it runs — is refused instead of racing it. Released when the process ends.
public final class WriterLock: Sendable {
    private let descriptor: Int32
    public let path: String

    /// Takes the lock beside the database, or throws naming who holds it.
    public init(databasePath: String) throws {
        path = databasePath + ".writer-lock"
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw WriterLockError(message: "cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
            close(descriptor)
            throw WriterLockError(
                message: "another process (pid \(holder)) is writing \(databasePath); stop it first (for the service: systemctl stop strike)")
        }
        ftruncate(descriptor, 0)
        let pid = "\(getpid())\n"
        _ = pid.withCString { write(descriptor, $0, strlen($0)) }
    }

    deinit { close(descriptor) }
}

public struct WriterLockError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
