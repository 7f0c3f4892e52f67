public import Foundation
import GRDB
import GRDBSQLite
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
    /// The GRDB configuration: SpatiaLite in every connection, foreign keys, `synchronous=FULL`, busy timeout.
    static func configuration(_ options: DatabaseOptions) -> Configuration {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.readonly = options.readOnly
        configuration.busyMode = .timeout(options.busyTimeout)
        configuration.label = "strike"
        configuration.prepareDatabase { db in
            try loadSpatiaLite(db, module: options.spatialiteModule)
            if !options.readOnly {
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
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
