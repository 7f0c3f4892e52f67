import ArgumentParser
import Foundation
import Hummingbird
import Logging
import StrikeApp
import StrikeStore

/// Listen address options shared by `serve` and `demo`.
struct ListenOptions: ParsableArguments {
    @Option(help: "Listen address (env STRIKE_HOST, default 127.0.0.1).")
    var host: String?

    @Option(help: "Listen port (env STRIKE_PORT, default 8080).")
    var port: Int?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (env STRIKE_LOG_LEVEL).")
    var logLevel: String?

    @Option(help: "The URL browsers and Twilio reach the appliance at (env STRIKE_PUBLIC_BASE_URL).")
    var publicBaseURL: String?

    @OptionGroup var key: KeyFileOption

    func configuration(databasePath: String) throws -> AppConfiguration {
        let environment = ProcessInfo.processInfo.environment
        var configuration = AppConfiguration()
        configuration.databasePath = databasePath
        configuration.host = host ?? environment["STRIKE_HOST"] ?? configuration.host
        configuration.keyFilePath = key.given
        if let port = port ?? environment["STRIKE_PORT"].flatMap(Int.init) { configuration.port = port }
        if let base = publicBaseURL ?? environment["STRIKE_PUBLIC_BASE_URL"] {
            guard let url = URL(string: base) else { throw ValidationError("the public base URL \(base) is not a URL") }
            configuration.publicBaseURL = url
        }
        if let level = logLevel ?? environment["STRIKE_LOG_LEVEL"] {
            guard let parsed = Logger.Level(rawValue: level) else { throw ValidationError("unknown log level \(level)") }
            configuration.logLevel = parsed
        }
        return try configuration.validated()
    }
}

/// The backup schedule set on the command line; without it, the owner's (or, until the owner saves one, a daily
/// backup kept for 14 days in `backups/` beside the database).
struct BackupOptions: ParsableArguments {
    @Option(help: "Back up into this directory on a schedule (env STRIKE_BACKUP_DIR); the owner cannot change it then.")
    var backupDir: String?

    @Option(help: "How often: 15m to 7d, such as 6h or 1d (env STRIKE_BACKUP_EVERY, default 1d).")
    var backupEvery: String?

    @Option(help: "How many backups to keep (env STRIKE_BACKUP_KEEP, default 14).")
    var backupKeep: Int?

    /// Sets the command line's schedule, if any part of it was given, and the default beside the database.
    func apply(to configuration: inout AppConfiguration) throws {
        let environment = ProcessInfo.processInfo.environment
        configuration.backUpByDefault = true
        let directory = backupDir ?? environment["STRIKE_BACKUP_DIR"]
        let every = backupEvery ?? environment["STRIKE_BACKUP_EVERY"]
        let keep = try backupKeep ?? environment["STRIKE_BACKUP_KEEP"].map { text in
            guard let count = Int(text) else { throw ValidationError("STRIKE_BACKUP_KEEP must be a whole number, not \(text)") }
            return count
        }
        guard directory != nil || every != nil || keep != nil else { return }
        guard let directory else { throw ValidationError("--backup-every and --backup-keep need --backup-dir") }
        let minutes = try every.map { text in
            guard let minutes = BackupSchedule.minutes(parsing: text) else {
                throw ValidationError("--backup-every must be a count with m, h or d, such as 30m, 6h or 1d; not \(text)")
            }
            return minutes
        }
        let fallback = configuration.defaultBackupSchedule
        configuration.backupSchedule = BackupSchedule(
            enabled: true, directory: URL(fileURLWithPath: directory).path, everyMinutes: minutes ?? fallback.everyMinutes,
            keep: keep ?? fallback.keep)
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the appliance: database, workers and HTTP server.")

    @OptionGroup var database: DatabaseOption
    @OptionGroup var listen: ListenOptions
    @OptionGroup var backups: BackupOptions

    func run() async throws {
        var configuration = try listen.configuration(databasePath: database.resolved)
        try backups.apply(to: &configuration)
        try await serve(try configuration.validated())
    }
}

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the appliance on a fresh demo database: tenants, links, regions, contacts, simulated Render and Twilio, demo users.")

    @Option(name: .customLong("db"), help: "The demo database file (default ./demo.db).")
    var path = "./demo.db"

    @Flag(help: "Keep an existing demo database instead of starting afresh.")
    var keep = false

    @OptionGroup var listen: ListenOptions

    func run() async throws {
        if !keep {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let configuration = try listen.configuration(databasePath: path)
        try await DemoHistory.record(configuration, passwordCost: configuration.passwordCost)
        let (path, port) = (path, configuration.port)
        try await serve(configuration) {
            print("Osprey Strike demo on http://localhost:\(port) (database \(path))")
            print("Demo sign-ins (demo databases only):")
            for credential in DemoSeed.credentials {
                print("  \(credential.username.padding(toLength: 11, withPad: " ", startingAt: 0)) \(credential.password.padding(toLength: 21, withPad: " ", startingAt: 0)) \(credential.who)")
            }
            fflush(nil)
        }
    }
}

/// Takes the writer lock, opens the appliance, runs until SIGTERM or SIGINT; `listening` runs once the server
/// accepts connections.
private func serve(_ configuration: AppConfiguration, listening: @escaping @Sendable () async -> Void = {}) async throws {
    let lock = try WriterLock(databasePath: configuration.databasePath)
    let appliance = try await Appliance(configuration: configuration)
    let app = await buildApplication(appliance, systemd: .fromEnvironment(), listening: listening)
    try await app.runService()
    withExtendedLifetime(lock) {}
}
