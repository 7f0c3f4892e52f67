import ArgumentParser
import Foundation
import Logging
import StrikeApp

@main
struct Strike: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "strike",
        abstract: "Osprey Strike: Emergency Callout Orders from the NOC to the field crew.",
        version: AppConfiguration.version,
        subcommands: [Serve.self, Demo.self, Users.self, Verify.self, RebuildProjections.self, Backup.self, DeadLetters.self, Bench.self])

    static func main() async {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardOutput(label: label)
            handler.logLevel = Logger.Level(rawValue: ProcessInfo.processInfo.environment["STRIKE_LOG_LEVEL"] ?? "info") ?? .info
            return handler
        }
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

/// `--db PATH`, or `STRIKE_DB`, or `./strike.db`.
struct DatabaseOption: ParsableArguments {
    @Option(name: .customLong("db"), help: "The database file (env STRIKE_DB, default ./strike.db).")
    var path: String?

    var resolved: String { path ?? ProcessInfo.processInfo.environment["STRIKE_DB"] ?? "./strike.db" }

    /// The path of a database that must already exist (for the commands that never create one).
    func existing() throws -> String {
        let path = resolved
        guard FileManager.default.fileExists(atPath: path) else {
            throw ValidationError("there is no database at \(path) (give --db PATH or set STRIKE_DB)")
        }
        return path
    }
}

/// Progress lines go to standard error, so standard output stays machine-readable.
func progress(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
