import ArgumentParser
import Foundation
import StrikeApp
import StrikeStore

struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the database: integrity, every projection against a replay of the log, consumer lag.")

    @OptionGroup var database: DatabaseOption

    func run() async throws {
        let store = try StrikeStore(path: try database.existing(), options: DatabaseOptions(readOnly: true))
        let integrity = try await store.integrityCheck()
        print("integrity: \(integrity.joined(separator: "; "))")
        let differences = try await store.projectionDifferences { done, total in
            if done == total || done % 500 == 0 { progress("replayed \(done)/\(total) streams") }
        }
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
        try await store.rebuildProjections { done, total in
            if done == total || done % 500 == 0 { progress("rebuilt \(done)/\(total) streams") }
        }
        print("projections rebuilt from the log")
        withExtendedLifetime(lock) {}
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
        abstract: "Measure appends on a fresh database file with the production settings; prints one JSON object.")

    @Option(help: "Single-event transactions to append.") var singles = 2000
    @Option(help: "Batched transactions to append.") var batches = 100
    @Option(help: "Events per batched transaction.") var batchSize = 100
    @Option(help: "Directory for the temporary database (default: the system's temporary directory).") var directory: String?

    func run() async throws {
        let folder = directory.map { URL(fileURLWithPath: $0) } ?? FileManager.default.temporaryDirectory
        let result = try await Benchmark.run(
            directory: folder, singleCount: singles, batchCount: batches, batchSize: batchSize) { progress($0) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(result), as: UTF8.self))
    }
}
