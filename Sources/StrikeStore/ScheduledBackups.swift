public import Foundation
import Logging
public import StrikeCore
import StrikeRuntime

/// The appliance's own backups: on the schedule in force, into its directory, rotated, each attempt's outcome
/// recorded for the owner, `/readyz` and `/metrics`. The schedule given on the command line wins; otherwise the
/// one the owner saved; otherwise the appliance's default.
public struct ScheduledBackups: Sendable {
    /// Where the schedule in force comes from.
    public enum Source: String, Sendable, Codable {
        case commandLine = "command line"
        case owner
        case `default`
    }

    /// What the owner sees: the schedule and where it comes from, when the next backup is due, the last outcomes
    /// and the backups in the directory, newest first.
    public struct Status: Sendable, Encodable {
        public let schedule: ScheduleInForce
        public let nextAt: String?
        public let lastSuccess: BackupOutcomes.Success?
        public let lastFailure: BackupOutcomes.Failure?
        public let failing: Bool
        public let files: [BackupFile]
    }

    public struct ScheduleInForce: Sendable, Encodable {
        public let enabled: Bool
        public let directory: String
        public let everyMinutes: Int
        public let keep: Int
        public let setBy: Source
    }

    public let store: StrikeStore
    let commandLine: BackupSchedule?
    let fallback: BackupSchedule
    let keyFile: String
    private let logger = Logger(label: "strike.backup")

    public init(store: StrikeStore, commandLine: BackupSchedule?, fallback: BackupSchedule, keyFile: String) {
        self.store = store
        self.commandLine = commandLine
        self.fallback = fallback
        self.keyFile = keyFile
    }

    /// The schedule in force and where it comes from.
    public func schedule() async throws -> (BackupSchedule, Source) {
        if let commandLine { return (commandLine, .commandLine) }
        if let saved = try await store.savedBackupSchedule() { return (saved, .owner) }
        return (fallback, .default)
    }

    public func status() async throws -> Status {
        let (schedule, source) = try await schedule()
        let outcomes = try await store.backupOutcomes()
        return Status(
            schedule: ScheduleInForce(
                enabled: schedule.enabled, directory: schedule.directory, everyMinutes: schedule.everyMinutes, keep: schedule.keep, setBy: source),
            nextAt: schedule.enabled ? ISO8601.string(from: nextAt(schedule, outcomes)) : nil,
            lastSuccess: outcomes.lastSuccess, lastFailure: outcomes.lastFailure, failing: outcomes.failing,
            files: BackupDirectory.files(in: schedule.directory))
    }

    /// Saves the owner's schedule once it is valid; refused while the command line sets it.
    public func save(_ schedule: BackupSchedule, actor: ActorID) async throws {
        guard commandLine == nil else { throw BackupScheduleFixed() }
        let problems = schedule.problems()
        guard problems.isEmpty else { throw DomainError.invalid(problems) }
        try await store.saveBackupSchedule(schedule, actor: actor)
    }

    /// A pass of the backup worker: one backup when the schedule says one is due. Its failure is recorded and
    /// logged, never thrown.
    public func runIfDue() async {
        do {
            let (schedule, _) = try await schedule()
            guard schedule.enabled, try await nextAt(schedule, store.backupOutcomes()) <= store.now() else { return }
            _ = try? await run(schedule)
        } catch {
            logger.error("could not read the backup schedule", metadata: ["error": "\(error)"])
        }
    }

    /// One backup into the schedule's directory now, whether or not the schedule is enabled ("Back up now");
    /// throws the failure after recording it.
    public func runNow() async throws {
        let (schedule, _) = try await schedule()
        try await run(schedule)
    }

    /// A checked copy at `destination` outside the schedule (the owner's download); nothing is recorded.
    public func copy(to destination: URL) async throws {
        try await store.backup(to: destination, keyFile: keyFile)
    }

    /// Writes a checked backup named after its instant, removes the oldest beyond `keep`, records the outcome.
    private func run(_ schedule: BackupSchedule) async throws {
        let started = store.now()
        do {
            if let problem = BackupSchedule.directoryProblem(schedule.directory, making: true) {
                throw ScheduledBackupError("the backup directory \(schedule.directory) \(problem)")
            }
            let name = BackupDirectory.name(at: started)
            let file = URL(fileURLWithPath: schedule.directory).appendingPathComponent(name)
            try await reportingProgress { [store, keyFile] in try await store.backup(to: file, keyFile: keyFile) }
            let bytes = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? NSNumber)?.intValue ?? 0
            try BackupDirectory.removeBeyond(schedule.keep, in: schedule.directory)
            try await store.recordBackupSuccess(file: name, bytes: bytes, at: started)
            logger.info("backup written", metadata: ["file": "\(file.path)", "bytes": "\(bytes)"])
        } catch {
            logger.error("backup failed", metadata: ["directory": "\(schedule.directory)", "error": "\(error)"])
            try? await store.recordBackupFailure("\(error)", at: started)
            throw error
        }
    }

    /// Runs `body`, reporting the worker's progress every 10 s meanwhile: copying a large database takes longer
    /// than the stall limit, and is progress all the same.
    private func reportingProgress(_ body: @escaping @Sendable () async throws -> Void) async throws {
        let clock = store.clock
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await body() }
            group.addTask {
                while true {
                    try await clock.sleep(for: .seconds(10))
                    WorkerProgress.report()
                }
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    /// Due one period after the last attempt, or at once when none was ever made.
    private func nextAt(_ schedule: BackupSchedule, _ outcomes: BackupOutcomes) -> Date {
        outcomes.lastAttempt?.addingTimeInterval(Double(schedule.everyMinutes) * 60) ?? store.now()
    }
}

/// The owner tried to change a schedule the command line sets.
public struct BackupScheduleFixed: Error, CustomStringConvertible {
    public var description: String {
        "the backup schedule is set on the service's command line (--backup-dir, --backup-every, --backup-keep); change it there"
    }
}

/// Why a scheduled backup failed, beyond what `StrikeStore.backup` says.
struct ScheduledBackupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// An instant as file names carry it: ISO 8601 in UTC without `-` and `:`, such as `20261204T153000Z`, or
/// `20261204T153000.123Z` with milliseconds; names so stamped sort by time.
public enum FileStamp {
    public static func of(_ date: Date, milliseconds: Bool = false) -> String {
        let text = ISO8601.string(from: date).filter { $0 != "-" && $0 != ":" }
        return milliseconds ? text : text.prefix(15) + "Z"
    }
}

/// The appliance's backups in a directory: `strike-20261204T153000.123Z.db`, so names sort by time.
enum BackupDirectory {
    static func name(at date: Date) -> String {
        "strike-\(FileStamp.of(date, milliseconds: true)).db"
    }

    static func isBackup(_ name: String) -> Bool {
        name.wholeMatch(of: /strike-\d{8}T\d{6}\.\d{3}Z\.db/) != nil
    }

    /// The appliance's backups in `directory`, newest first (none when it cannot be read).
    static func files(in directory: String) -> [BackupFile] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter(isBackup).sorted(by: >)
        return names.compactMap { name in
            let attributes = try? FileManager.default.attributesOfItem(atPath: directory + "/" + name)
            guard let bytes = (attributes?[.size] as? NSNumber)?.intValue, let modified = attributes?[.modificationDate] as? Date else {
                return nil
            }
            return BackupFile(name: name, bytes: bytes, createdAt: ISO8601.string(from: modified))
        }
    }

    /// Removes the oldest of the appliance's backups until `keep` remain; other files are never touched.
    static func removeBeyond(_ keep: Int, in directory: String) throws {
        for old in files(in: directory).dropFirst(keep) {
            do {
                try FileManager.default.removeItem(atPath: directory + "/" + old.name)
            } catch {
                throw ScheduledBackupError("the backup was written, but the old backup \(old.name) could not be removed: \(error.localizedDescription)")
            }
        }
    }
}
