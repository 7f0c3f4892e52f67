public import Foundation
import GRDB
import GRDBSQLite
import CSQLiteSyncCounter
public import Logging

/// How the appliance opens its one SQLite file.
public struct DatabaseOptions: Sendable {
    /// How long a connection waits for a lock before giving up.
    public var busyTimeout: TimeInterval = 5
    /// Open read-only (verify and backup run beside a live appliance and must never write).
    public var readOnly = false
    /// The SpatiaLite module to load: a name on the library path, or a file (env `STRIKE_SPATIALITE`).
    public var spatialiteModule = ProcessInfo.processInfo.environment["STRIKE_SPATIALITE"] ?? "mod_spatialite"

    public init(busyTimeout: TimeInterval = 5, readOnly: Bool = false) {
        self.busyTimeout = busyTimeout
        self.readOnly = readOnly
    }
}

enum DatabaseSetup {
    /// Opens the pool: SpatiaLite in every connection, foreign keys, busy timeout, and a writer that syncs the
    /// WAL on every commit. GRDB sets `synchronous = NORMAL` on the writer when it turns WAL on, after
    /// `prepareDatabase`; so FULL is set again on the writer once the pool is open, and read back from it.
    static func open(path: String, options: DatabaseOptions) throws -> DatabasePool {
        let installed = strike_sync_counter_install()
        guard installed == SQLITE_OK else { throw StoreError.syncCounterUnavailable(code: installed) }
        let pool = try DatabasePool(path: path, configuration: configuration(options))
        if !options.readOnly {
            let synchronous = try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
                return try Int.fetchOne(db, sql: "PRAGMA synchronous")
            }
            guard synchronous == fullSynchronous else { throw StoreError.notDurable(synchronous: synchronous) }
        }
        return pool
    }

    /// `PRAGMA synchronous` reads 2 for FULL: every commit waits for its WAL fsync.
    static let fullSynchronous = 2

    private static func configuration(_ options: DatabaseOptions) -> Configuration {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.readonly = options.readOnly
        configuration.busyMode = .timeout(options.busyTimeout)
        configuration.label = "strike"
        // A reader connection per core: more cannot run at once, and each holds its own page cache and
        // SpatiaLite state (GRDB's default is five).
        configuration.maximumReaderCount = max(2, ProcessInfo.processInfo.activeProcessorCount)
        configuration.prepareDatabase { db in
            try loadSpatiaLite(db, module: options.spatialiteModule)
            // Savepoints (every write of a group commit has one) keep their undo copies in memory instead of
            // a temporary file SQLite would open, write, read and close under /var/tmp for each of them.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
        }
        return configuration
    }

    static func loadSpatiaLite(_ db: Database, module: String) throws {
        let connection = db.sqliteConnection
        sqlite3_enable_load_extension(connection, 1)
        defer { sqlite3_enable_load_extension(connection, 0) }
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_load_extension(connection, module, nil, &message)
        guard code == SQLITE_OK else {
            let detail = message.map { String(cString: $0) } ?? "error \(code)"
            sqlite3_free(message)
            throw StoreError.spatialiteMissing(detail)
        }
    }
}

extension Logger {
    /// A logger for a component of the appliance.
    public static func strike(_ component: String) -> Logger {
        var logger = Logger(label: "strike.\(component)")
        logger.logLevel = .info
        return logger
    }
}

/// The WAL and database-file syncs this process has made, counted under SQLite by the sync-counting VFS.
public enum StorageSyncs {
    /// WAL syncs: with `synchronous = FULL`, at least one per committed write transaction (which, with group
    /// commit, may carry several writes).
    public static var wal: Int { Int(strike_sync_counter_wal()) }
    /// Main database file syncs (checkpoints).
    public static var database: Int { Int(strike_sync_counter_database()) }
}
