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
        subcommands: [
            Serve.self, Demo.self, Users.self, Regions.self, Tiles.self, Verify.self, RebuildProjections.self, Backup.self, Restore.self,
            DeadLetters.self, Bench.self,
        ])

    static func main() async {
        // glibc gives each thread that allocates under contention an arena of its own, up to eight per core,
        // and keeps what each arena once held: two arenas cost the appliance nothing measurable in time and
        // keep its idle heap about 4 MiB smaller (docs/benchmarks.md).
        limitMallocArenas(to: 2)
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

/// The key file option shared by `serve`, `demo` and `backup` (which must never write over it).
struct KeyFileOption: ParsableArguments {
    @Option(help: "The master key file sealing stored secrets (env STRIKE_KEY_FILE, default <db>.key; serve makes it on first start).")
    var keyFile: String?

    /// The key file given by flag or environment; nil for the default beside the database.
    var given: String? { keyFile ?? ProcessInfo.processInfo.environment["STRIKE_KEY_FILE"] }
}

/// Progress lines go to standard error, so standard output stays machine-readable.
func progress(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// glibc's `mallopt(M_ARENA_MAX, count)`, found at run time: Swift's Glibc module does not import `malloc.h`.
private func limitMallocArenas(to count: Int32) {
    let mArenaMax: Int32 = -8
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
    let mallopt = unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
    _ = mallopt(mArenaMax, count)
}
