public import Foundation
public import Logging
public import StrikeHTTP
public import StrikeWorkers
public import StrikeStore

/// Everything `strike serve` needs, validated once at start; every problem is reported together.
public struct AppConfiguration: Sendable {
    public var databasePath = "./strike.db"
    /// The master key file that seals stored secrets; by default beside the database, named after it.
    public var keyFilePath: String?
    public var host = "127.0.0.1"
    public var port = 8080
    public var logLevel = Logger.Level.info
    public var snapshotThreshold = 50
    /// Consumer lag (events) above which `/readyz` reports not ready.
    public var maxReadyLag: Int64 = 1000
    /// Seconds without progress after which a worker counts as stuck: `/readyz` says so and the systemd
    /// watchdog stops being fed. A busy worker beats on every event and retry attempt, so the longest healthy
    /// gap is one outbound call's timeout (15 s) or one retry wait (at most 30 s).
    public var workerStallLimit: TimeInterval = 90
    /// The address browsers and Twilio reach the appliance at, such as `https://strike.noc.example`.
    public var publicBaseURL: URL?
    /// bcrypt cost for new password hashes.
    public var passwordCost: UInt8 = 12
    /// Seconds a connection may go without a complete request part before the server closes it: idle between
    /// requests, or its request headers still arriving (a half-sent request holds a socket no longer than this).
    public var idleTimeout: TimeInterval = 60
    /// The most connections served at once; by default the process's open-file limit less a reserve for the
    /// database and outgoing calls (`ConnectionLimiter.capacity(forFileLimit:)`).
    public var maxConnections: Int?

    /// The backup schedule given on the command line (`--backup-dir`, `--backup-every`, `--backup-keep`): it wins
    /// over the owner's.
    public var backupSchedule: BackupSchedule?
    /// Whether backups run when neither the command line nor the owner set a schedule: `strike serve` backs up by
    /// default; tests and the demo keep it off until asked.
    public var backUpByDefault = false

    /// The schedule in force when neither the command line nor the owner set one: daily into `backups/` beside the
    /// database, the newest 14 kept (on only with `backUpByDefault`).
    public var defaultBackupSchedule: BackupSchedule {
        let folder = URL(fileURLWithPath: databasePath).deletingLastPathComponent().appendingPathComponent("backups")
        return BackupSchedule(enabled: backUpByDefault, directory: folder.path, everyMinutes: 1440, keep: 14)
    }

    /// The connection cap in force: the one given, or the one the open-file limit allows.
    public var resolvedMaxConnections: Int { maxConnections ?? ConnectionLimiter.capacity(forFileLimit: ConnectionLimiter.openFileLimit()) }

    /// The key file in use: the one given, or `<database>.key`.
    public var resolvedKeyFilePath: String { keyFilePath ?? databasePath + ".key" }

    /// Where this process answers on its own machine: the simulators' callbacks and clients use it.
    public var localBaseURL: URL {
        let local = ["0.0.0.0", "::", ""].contains(host) ? "127.0.0.1" : host
        return URL(string: "http://\(local.contains(":") ? "[\(local)]" : local):\(port)")!
    }

    /// Where outbound calls go and where Twilio calls back, for each service mode.
    public var endpoints: Endpoints { Endpoints(publicBaseURL: publicBaseURL, localBaseURL: localBaseURL) }

    /// What the API needs to know of this configuration.
    public var apiSettings: APISettings {
        var settings = APISettings()
        settings.passwordCost = passwordCost
        return settings
    }

    public init() {}

    public static let version = "0.1.0"

    /// Every problem with the configuration, in words an admin can act on.
    public func problems() -> [String] {
        var problems: [String] = []
        if databasePath.trimmingCharacters(in: .whitespaces).isEmpty { problems.append("the database path is empty") }
        if keyFilePath?.trimmingCharacters(in: .whitespaces).isEmpty == true { problems.append("the key file path is empty") }
        if !(1...65535).contains(port) { problems.append("port \(port) is outside 1…65535") }
        if host.isEmpty { problems.append("the listen address is empty") }
        if snapshotThreshold < 1 { problems.append("the snapshot threshold must be at least 1") }
        if let url = publicBaseURL, !["http", "https"].contains(url.scheme ?? "") || url.host == nil {
            problems.append("the public base URL \(url) must be an absolute http or https URL")
        }
        if !(4...31).contains(passwordCost) { problems.append("the bcrypt cost must be 4…31") }
        if !(idleTimeout > 0) { problems.append("the idle timeout must be more than 0 seconds") }
        if let maxConnections, maxConnections < 1 { problems.append("the connection limit must be at least 1") }
        if let backupSchedule {
            for problem in backupSchedule.problems() { problems.append("the backup schedule's \(problem.field) \(problem.message)") }
        }
        return problems
    }

    public func validated() throws -> AppConfiguration {
        let found = problems()
        guard found.isEmpty else { throw ConfigurationError(problems: found) }
        return self
    }
}

public struct ConfigurationError: Error, CustomStringConvertible {
    public let problems: [String]
    public var description: String { "invalid configuration:\n" + problems.map { "  - \($0)" }.joined(separator: "\n") }
}
