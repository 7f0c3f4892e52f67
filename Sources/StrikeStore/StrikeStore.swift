public import Foundation
import GRDB
import Logging
import StrikeCore
public import StrikeRuntime
import Synchronization

/// The one owner of the database: opens and migrates it, and offers writes named after what they do,
/// one transaction each. Every commit that appends events wakes the consumers.
///
/// Its fixed SQL goes through `db.cachedStatement(sql:)`, prepared once per connection: parsing every query on
/// every use was 15 % of the appliance's CPU under load. SQL assembled per call (list filters, table names in
/// maintenance) and what runs once (migrations) is prepared where it runs.
public struct StrikeStore: Sendable {
    let writer: any DatabaseWriter
    /// The appliance's one clock: every instant the store writes is read from it.
    public let clock: ApplianceClock
    /// A snapshot is written when a stream has grown this many events past its last one.
    public let snapshotThreshold: Int
    public let commits: CommitSignal
    /// Seals and opens stored secrets; nil when opened without a key file (maintenance tools).
    public let secrets: SecretBox?
    private let groupCommit: GroupCommit
    let twilioAccounts: TwilioAccounts
    /// The OSPs' regions held in memory for the pager list lookup; nil unless this process holds the database's
    /// `WriterLock` (as `serve`, `demo` and every writing command do before opening it), since otherwise another
    /// process may change the lists unseen, and the lookup asks SQLite every time.
    let regions: RegionCache?

    /// Opens (creating if needed) and migrates the database at `path`.
    public init(
        path: String, options: DatabaseOptions = DatabaseOptions(), snapshotThreshold: Int = 50, secrets: SecretBox? = nil,
        clock: ApplianceClock = .system
    ) throws {
        let pool = try DatabaseSetup.open(path: path, options: options)
        try Migrations.prepare(pool, readOnly: options.readOnly)
        let commits = CommitSignal()
        let regions = !options.readOnly && RegionCache.isOnlyWriter(of: path) ? RegionCache() : nil
        if !options.readOnly {
            pool.add(transactionObserver: EventCommitObserver(signal: commits), extent: .databaseLifetime)
        }
        if let regions { pool.add(transactionObserver: regions.observer(), extent: .databaseLifetime) }
        self.regions = regions
        self.writer = pool
        self.groupCommit = GroupCommit(pool: pool)
        self.twilioAccounts = TwilioAccounts()
        self.clock = clock
        self.snapshotThreshold = snapshotThreshold
        self.commits = commits
        self.secrets = secrets
    }

    /// Runs `body` as one write, all of it or none of it, answered once it is committed and synced to disk.
    /// Writes that arrive while another commits share the next transaction and its sync (`GroupCommit`), each
    /// in a savepoint of its own, so each still succeeds or fails alone. Every write of the running appliance
    /// goes through here.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await groupCommit.write(body)
    }

    public func now() -> Date { clock.now() }

    /// The writes waiting for the commit under way to end, to go together in the next one.
    public var writesWaiting: Int { groupCommit.waiting }

    /// The write transactions that changed the database since the store opened (each synced to disk), and the
    /// writes committed in them.
    public var committed: (transactions: Int, writes: Int) { groupCommit.committed }

    /// Proves the database takes a write now: one empty write through the same queue and commit as every other.
    public func checkWritable() async throws {
        try await write { db in try db.execute(sql: "SELECT 1") }
    }

    /// Moves every committed page from the write-ahead log into the database file and empties the log.
    public func checkpointLog() async throws {
        try await writer.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
    }

    /// The SQLite and SpatiaLite versions this process runs with.
    public func versions() async throws -> (sqlite: String, spatialite: String) {
        try await writer.read { db in
            let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT sqlite_version() AS s, spatialite_version() AS g"))!
            return (row["s"], row["g"])
        }
    }

    /// Appends events to one stream at an expected version, outside any aggregate (used by tools and tests).
    @discardableResult
    public func append(
        streamID: String, streamType: String, expectedVersion: Int, events: [NewEvent]
    ) async throws -> [RecordedEvent] {
        let recordedAt = now()
        return try await write { db in
            try EventLog.append(
                db, streamID: streamID, streamType: streamType, expectedVersion: expectedVersion, events: events,
                recordedAt: recordedAt)
        }
    }

    public func stream(_ streamID: String) async throws -> [RecordedEvent] {
        try await writer.read { db in try EventLog.stream(db, streamID: streamID) }
    }

    public func events(afterPosition: Int64, limit: Int = 500) async throws -> [RecordedEvent] {
        try await writer.read { db in try EventLog.all(db, afterPosition: afterPosition, limit: limit) }
    }

    public func lastPosition() async throws -> Int64 {
        try await writer.read { db in try EventLog.lastPosition(db) }
    }
}

/// Tells every subscriber that events were committed.
public final class CommitSignal: Sendable {
    private struct Subscriber { weak var wakeUp: WakeUp? }
    private let subscribers = Mutex<[ObjectIdentifier: Subscriber]>([:])

    public init() {}

    /// A wake-up that this signal sets until the subscriber lets it go.
    public func subscribe() -> WakeUp {
        let wakeUp = WakeUp()
        subscribers.withLock { $0[ObjectIdentifier(wakeUp)] = Subscriber(wakeUp: wakeUp) }
        return wakeUp
    }

    public func signal() {
        let live = subscribers.withLock { subscribers in
            subscribers = subscribers.filter { $0.value.wakeUp != nil }
            return subscribers.values.compactMap(\.wakeUp)
        }
        for wakeUp in live { wakeUp.set() }
    }
}

/// A flag one waiter sleeps on. Setting it while nobody waits is remembered once; cancelling a wait
/// leaves the flag usable for the next one (unlike an `AsyncStream`, which a cancelled `next()` ends).
public final class WakeUp: Sendable {
    private struct State {
        var isSet = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    public func set() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.isSet = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Waits for the flag or for `timeout` on `clock`, whichever comes first; true when the flag was set.
    public func wait(upTo timeout: Duration, on clock: ApplianceClock) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await self.wait()
                return !Task.isCancelled
            }
            group.addTask {
                try? await clock.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    /// Returns once the flag is set (clearing it), or at once when the task is cancelled.
    public func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.isSet || Task.isCancelled {
                        state.isSet = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}

/// Signals after each committed transaction that inserted into `event`.
private final class EventCommitObserver: TransactionObserver, @unchecked Sendable {
    private let signal: CommitSignal
    private var appended = false

    init(signal: CommitSignal) { self.signal = signal }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        if case .insert(let table) = eventKind { return table == "event" }
        return false
    }

    func databaseDidChange(with event: DatabaseEvent) { appended = true }

    func databaseDidCommit(_ db: Database) {
        if appended { signal.signal() }
        appended = false
    }

    func databaseDidRollback(_ db: Database) { appended = false }
}
