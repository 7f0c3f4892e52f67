import ArgumentParser
import Foundation
import StrikeApp
import StrikeStore
import Synchronization

struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the database: integrity, every projection against a replay of the log, consumer lag.")

    @OptionGroup var database: DatabaseOption

    func run() async throws {
        let store = try StrikeStore(path: try database.existing(), options: DatabaseOptions(readOnly: true))
        // The integrity check reads every page on a reader connection while the replay runs on the writer's:
        // two cores, each on its own half of the work.
        async let checked = store.integrityCheck()
        let line = ReplayProgress("replayed")
        let started = ContinuousClock.now
        let differences = try await store.projectionDifferences { done, total in line.report(done, total) }
        line.finish(since: started)
        let integrity = try await checked
        print("integrity: \(integrity.joined(separator: "; "))")
        if differences.isEmpty {
            print("projections: match a replay of the log")
        } else {
            print("projections: \(differences.count) difference(s) from a replay of the log:")
            for line in differences { print("  \(line)") }
            print("run `strike rebuild-projections` (with the appliance stopped) to rebuild them from the log")
        }
        for lag in try await store.consumerLag() {
            print("consumer \(lag.consumer): at position \(lag.position), \(lag.lag) behind")
        }
        let parked = try await store.deadLetters().count
        if parked > 0 { print("dead letters: \(parked) parked (see `strike dlq list`)") }
        guard integrity == ["ok"], differences.isEmpty else { throw ExitCode(1) }
    }
}

struct RebuildProjections: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild-projections", abstract: "Drop every projection and rebuild it from the log.")

    @OptionGroup var database: DatabaseOption

    func run() async throws {
        let path = try database.existing()
        let lock = try WriterLock(databasePath: path)
        let store = try StrikeStore(path: path)
        let line = ReplayProgress("rebuilt")
        let started = ContinuousClock.now
        let summary = try await store.rebuildProjections { done, total in line.report(done, total) }
        line.finish(since: started, streams: summary.streams)
        print("projections rebuilt from the log")
        withExtendedLifetime(lock) {}
    }
}

/// A replay's progress on standard error: a line at every tenth of the log, then what it did and how fast.
final class ReplayProgress: Sendable {
    private let verb: String
    private let state = Mutex<(tenths: Int, done: Int)>((-1, 0))

    init(_ verb: String) { self.verb = verb }

    func report(_ done: Int, _ total: Int) {
        let tenths = total == 0 ? 10 : min(10, done * 10 / total)
        let due = state.withLock { state in
            state.done = done
            guard tenths > state.tenths else { return false }
            state.tenths = tenths
            return true
        }
        if due { progress("\(verb) \(done)/\(total) events (\(tenths * 10)%)") }
    }

    func finish(since start: ContinuousClock.Instant, streams: Int? = nil) {
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let events = state.withLock { $0.done }
        let rate = seconds > 0 ? Int((Double(events) / seconds).rounded()) : events
        let what = streams.map { "\($0)/\($0) streams, \(events) events" } ?? "\(events) events"
        progress("\(verb) \(what) in \(String(format: "%.2f", seconds)) s (\(rate) events/s)")
    }
}

struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a consistent copy of the database, safe while the appliance runs.",
        discussion: """
            Never writes over the database, its -wal or -shm file, or its key file, however the path is spelt; \
            an existing file is replaced only with --force.
            """)

    @OptionGroup var database: DatabaseOption

    @OptionGroup var key: KeyFileOption

    @Flag(help: "Replace the destination if it exists (never the database's own files or its key file).")
    var force = false

    @Argument(help: "Where to write the backup.")
    var file: String

    func run() async throws {
        var configuration = AppConfiguration()
        configuration.databasePath = try database.existing()
        configuration.keyFilePath = key.given
        let store = try StrikeStore(path: configuration.databasePath, options: DatabaseOptions(readOnly: true))
        let destination = URL(fileURLWithPath: file)
        try await store.backup(to: destination, keyFile: configuration.resolvedKeyFilePath, overwrite: force) { progress($0) }
        let size = (try? FileManager.default.attributesOfItem(atPath: destination.path)[.size] as? NSNumber)?.intValue ?? 0
        print("backup written to \(destination.path) (\(size) bytes, integrity ok)")
    }
}

struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Put a backup in place of the database, with the appliance stopped.",
        discussion: """
            The backup is copied beside the database and checked there first (not written by a newer build, \
            integrity, its log against its projections, its secrets opened by the key file); nothing changes if a \
            check fails. The database it replaces is kept beside it as <db>.replaced-<time>, with its write-ahead log.
            """)

    @OptionGroup var database: DatabaseOption
    @OptionGroup var key: KeyFileOption

    @Argument(help: "The backup file (from `strike backup`, a scheduled backup or the owner's download).")
    var backup: String

    func run() async throws {
        var configuration = AppConfiguration()
        configuration.databasePath = database.resolved
        configuration.keyFilePath = key.given
        let lock = try WriterLock(databasePath: configuration.databasePath)
        let kept = try await DatabaseRestore.restore(
            backup: backup, database: configuration.databasePath, keyFile: configuration.resolvedKeyFilePath, at: Date()
        ) { progress($0) }
        print("restored \(backup) to \(configuration.databasePath)")
        if let kept { print("the replaced database is kept as \(kept)") }
        withExtendedLifetime(lock) {}
    }
}

struct DeadLetters: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq", abstract: "Events a consumer could not handle.", subcommands: [List.self, Retry.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List parked events.")
        @OptionGroup var database: DatabaseOption

        func run() async throws {
            let store = try StrikeStore(path: try database.existing(), options: DatabaseOptions(readOnly: true))
            let letters = try await store.deadLetters()
            guard !letters.isEmpty else { print("no dead letters"); return }
            for letter in letters {
                let state = letter.retryRequestedAt == nil ? "parked" : "retry requested"
                print("\(letter.consumer)\tposition \(letter.position)\t\(letter.eventType)\t\(letter.attempts) attempts\t\(state)\t\(letter.error)")
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mark parked events for redelivery; the appliance redelivers them when it runs.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "Only this consumer's dead letters.") var consumer: String?
        @Option(help: "Only the event at this log position.") var position: Int64?

        func run() async throws {
            let path = try database.existing()
            let lock = try WriterLock(databasePath: path)
            let store = try StrikeStore(path: path)
            let count = try await store.requestDeadLetterRetry(consumer: consumer, position: position)
            print("\(count) dead letter(s) marked for redelivery")
            withExtendedLifetime(lock) {}
        }
    }
}

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the named benchmark scenarios (all by default) and print one JSON document of their figures.",
        discussion: "Scenarios: " + StrikeApp.Bench.scenarios.map { "\($0.name) (\($0.summary))" }.joined(separator: "; ") + ".")

    @Option(name: .customLong("scenario"), help: "A scenario to run (repeat for several; default: every one).")
    var scenarios: [String] = []

    @Option(help: "full (the figures of docs/benchmarks.md) or tiny (seconds; what make test runs).")
    var size: String = "full"

    @Option(help: "libpq connection string of a PostgreSQL server for the peer run of the same ECO transaction.")
    var postgres: String?

    @Option(help: "Directory for the scenarios' databases (default: the system's temporary directory).")
    var directory: String?

    @Flag(help: "Keep each scenario's databases and server logs to look into afterwards.")
    var keep = false

    func run() async throws {
        guard let size = BenchSize(rawValue: size) else { throw ValidationError("--size is tiny or full, not \(size)") }
        var options = StrikeApp.Bench.Options(executable: try Self.executable())
        options.scenarioNames = scenarios
        options.size = size
        options.postgres = postgres
        options.keep = keep
        if let directory { options.directory = URL(fileURLWithPath: directory) }
        let document = try await StrikeApp.Bench.run(options) { progress($0) }
        print(document)
    }

    /// This very binary, for the child servers the scenarios start.
    private static func executable() throws -> String {
        try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    }
}
