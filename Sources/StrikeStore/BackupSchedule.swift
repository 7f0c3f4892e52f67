public import Foundation
import GRDB
public import StrikeCore

/// When and where the appliance backs itself up, and how many backups it keeps.
public struct BackupSchedule: Sendable, Codable, Equatable {
    public var enabled: Bool
    /// An absolute directory; the appliance makes it when missing.
    public var directory: String
    public var everyMinutes: Int
    /// How many of the appliance's backups stay in the directory; older ones are removed after a success.
    public var keep: Int

    public init(enabled: Bool, directory: String, everyMinutes: Int, keep: Int) {
        self.enabled = enabled
        self.directory = directory
        self.everyMinutes = everyMinutes
        self.keep = keep
    }

    public static let minutes = 15...10080
    public static let keeps = 1...1000

    /// Every rule the schedule breaks, by field; the directory is checked on disk (an existing writable directory,
    /// or one that can be made under the nearest existing folder), and nothing is made or changed.
    public func problems() -> [FieldProblem] {
        var problems: [FieldProblem] = []
        if !Self.minutes.contains(everyMinutes) {
            problems.append(FieldProblem(field: "everyMinutes", message: "must be 15 to 10080 (15 minutes to 7 days)"))
        }
        if !Self.keeps.contains(keep) { problems.append(FieldProblem(field: "keep", message: "must be 1 to 1000")) }
        if let problem = Self.directoryProblem(directory, making: false) { problems.append(FieldProblem(field: "directory", message: problem)) }
        return problems
    }

    /// Why backups cannot be written in `directory`, or nil. With `making`, a missing directory is made (mode
    /// 0700); without, it is enough that the nearest existing folder above it is a writable directory.
    static func directoryProblem(_ directory: String, making: Bool) -> String? {
        guard directory.hasPrefix("/") else { return "must be an absolute path" }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { return "is a file, not a directory" }
        } else if !making {
            var folder = URL(fileURLWithPath: directory).deletingLastPathComponent()
            while !FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) { folder.deleteLastPathComponent() }
            guard isDirectory.boolValue else { return "cannot be made: \(folder.path) is a file, not a directory" }
            guard access(folder.path, W_OK | X_OK) == 0 else { return "cannot be made: \(folder.path) is not writable by the appliance" }
            return nil
        } else {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                return "cannot be made: \(String(describing: (error as NSError).userInfo[NSUnderlyingErrorKey] ?? error.localizedDescription))"
            }
        }
        guard access(directory, W_OK | X_OK) == 0 else { return "is not writable by the appliance" }
        return nil
    }

    /// `90m`, `6h`, `1d` as minutes; nil for anything else.
    public static func minutes(parsing text: String) -> Int? {
        guard let unit = text.last, let count = Int(text.dropLast()), count > 0 else { return nil }
        switch unit {
        case "m": return count
        case "h": return count * 60
        case "d": return count * 1440
        default: return nil
        }
    }
}

/// A backup file the appliance wrote, as listed.
public struct BackupFile: Sendable, Codable, Equatable {
    public let name: String
    public let bytes: Int
    public let createdAt: String
}

/// The last scheduled backup that succeeded, and the last that failed.
public struct BackupOutcomes: Sendable {
    public struct Success: Sendable, Codable, Equatable {
        public let at: String
        public let file: String
        public let bytes: Int
    }

    public struct Failure: Sendable, Codable, Equatable {
        public let at: String
        public let error: String
    }

    public var lastSuccess: Success?
    public var lastFailure: Failure?

    /// The last attempt failed.
    public var failing: Bool {
        guard let failure = lastFailure else { return false }
        return lastSuccess.map { failure.at > $0.at } ?? true
    }

    /// When the last attempt, successful or not, was made.
    public var lastAttempt: Date? {
        [lastSuccess?.at, lastFailure?.at].compactMap { $0.flatMap(ISO8601.date(from:)) }.max()
    }
}

private struct StoredBackupSchedule: StoredRecord {
    static let databaseTableName = "backup_schedule"
    let enabled: Bool
    let directory: String
    let everyMinutes: Int
    let keep: Int
}

private struct StoredBackupOutcome: StoredRecord {
    static let databaseTableName = "backup_outcome"
    let outcome: String
    let at: String
    let file: String?
    let bytes: Int?
    let error: String?
}

extension StrikeStore {
    /// The schedule the owner saved, if they saved one.
    public func savedBackupSchedule() async throws -> BackupSchedule? {
        try await writer.read { db in
            try StoredBackupSchedule.fetchOne(db.cachedStatement(sql: "SELECT * FROM backup_schedule WHERE id = 1")).map {
                BackupSchedule(enabled: $0.enabled, directory: $0.directory, everyMinutes: $0.everyMinutes, keep: $0.keep)
            }
        }
    }

    public func saveBackupSchedule(_ schedule: BackupSchedule, actor: ActorID) async throws {
        let at = now()
        try await write { db in
            let before = try StoredBackupSchedule.fetchOne(db.cachedStatement(sql: "SELECT * FROM backup_schedule WHERE id = 1")).map {
                BackupSchedule(enabled: $0.enabled, directory: $0.directory, everyMinutes: $0.everyMinutes, keep: $0.keep)
            }
            try db.cachedStatement(
                sql: """
                    INSERT INTO backup_schedule (id, enabled, directory, every_minutes, keep, updated_by, updated_at) VALUES (1, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET enabled = excluded.enabled, directory = excluded.directory,
                        every_minutes = excluded.every_minutes, keep = excluded.keep, updated_by = excluded.updated_by, updated_at = excluded.updated_at
                    """
            ).execute(
                arguments: [schedule.enabled, schedule.directory, schedule.everyMinutes, schedule.keep, actor.rawValue, ISO8601.string(from: at)])
            try AuditLog.record(
                db, at: at, actor: actor, tenant: nil, entity: "backup_schedule", entityID: "appliance", action: before == nil ? "create" : "update",
                before: before, after: schedule)
        }
    }

    public func backupOutcomes() async throws -> BackupOutcomes {
        try await writer.read { db in
            var outcomes = BackupOutcomes()
            for row in try StoredBackupOutcome.fetchAll(db.cachedStatement(sql: "SELECT * FROM backup_outcome")) {
                if row.outcome == "success", let file = row.file, let bytes = row.bytes {
                    outcomes.lastSuccess = .init(at: row.at, file: file, bytes: bytes)
                } else if row.outcome == "failure" {
                    outcomes.lastFailure = .init(at: row.at, error: row.error ?? "unknown")
                }
            }
            return outcomes
        }
    }

    func recordBackupSuccess(file: String, bytes: Int, at: Date) async throws {
        try await recordBackupOutcome("success", at: at, file: file, bytes: bytes, error: nil)
    }

    func recordBackupFailure(_ error: String, at: Date) async throws {
        try await recordBackupOutcome("failure", at: at, file: nil, bytes: nil, error: error)
    }

    private func recordBackupOutcome(_ outcome: String, at: Date, file: String?, bytes: Int?, error: String?) async throws {
        try await write { db in
            try db.cachedStatement(
                sql: """
                    INSERT INTO backup_outcome (outcome, at, file, bytes, error) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(outcome) DO UPDATE SET at = excluded.at, file = excluded.file, bytes = excluded.bytes, error = excluded.error
                    """
            ).execute(
                arguments: [outcome, ISO8601.string(from: at), file, bytes, error])
        }
    }
}
