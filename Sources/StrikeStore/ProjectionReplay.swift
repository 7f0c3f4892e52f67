import Dispatch
import Foundation
import GRDB
import StrikeCore

/// The replay behind `rebuild-projections` and `verify`: the whole log read once in position order, a batch at
/// a time, each batch's payloads decoded on every core, each stream's state and rows held in memory, and each
/// row written once at the end. A per-event projection writes an ECO's row again for every event; the rows a
/// replay writes are the same as those writes leave, so `verify` can compare them with the live ones.
///
/// Memory is bounded: past `streamLimit` streams held, the least recently seen ones have their rows written and
/// are let go; a stream seen again after that is picked up from its earlier events and the rows already written.
struct ProjectionReplay {
    static let batchSize = 8192
    static let defaultStreamLimit = 100_000

    private let db: Database
    private let streamLimit: Int
    private var ecos: [String: EcoStream] = [:]
    private var runs: [String: RunStream] = [:]
    /// Streams let go to stay under `streamLimit`, and how many streams the log has had: the summary counts both.
    private var released: Set<String> = []
    private var events = 0
    private var inserter = RowInserter()

    init(_ db: Database, streamLimit: Int = defaultStreamLimit) {
        self.db = db
        self.streamLimit = max(1, streamLimit)
    }

    /// Replays every event into the (emptied) projection tables.
    mutating func run(progress: (_ done: Int, _ total: Int) -> Void) throws -> ReplaySummary {
        let total = try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM event")) ?? 0
        var after: Int64 = 0
        while true {
            let batch = try Self.batch(after: after, db)
            guard let last = batch.last else { break }
            let decoded = try Self.decode(batch)
            for (logged, event) in zip(batch, decoded) {
                try apply(event, logged)
                if ecos.count + runs.count > streamLimit { try release(keeping: streamLimit * 3 / 4) }
            }
            events += batch.count
            after = last.position
            progress(events, total)
        }
        try release(keeping: 0)
        if events == 0 { progress(0, total) }
        return ReplaySummary(events: events, streams: released.count)
    }

    // MARK: reading and decoding

    /// One batch of the log after `position`, with only the columns a projection needs.
    private static func batch(after position: Int64, _ db: Database) throws -> [LoggedEvent] {
        let statement = try db.cachedStatement(
            sql: """
                SELECT position, stream_id, stream_type, version, type, schema_version, payload, actor, occurred_at
                FROM event WHERE position > ? ORDER BY position LIMIT ?
                """)
        let rows = try Row.fetchCursor(statement, arguments: [position, batchSize])
        var batch: [LoggedEvent] = []
        batch.reserveCapacity(batchSize)
        while let row = try rows.next() {
            batch.append(
                LoggedEvent(
                    position: row[0], streamID: row[1], streamType: row[2], version: row[3], type: row[4], schemaVersion: row[5],
                    payload: row[6], actor: row[7], occurredAt: try canonicalTime(row[8])))
        }
        return batch
    }

    /// The stored text when it is already what `ISO8601.string` writes (every time the store writes is), so the
    /// replay skips a parse and a format per event; otherwise the text made the way the live projection makes it.
    static func canonicalTime(_ text: String) throws -> String {
        var text = text
        if text.withUTF8({ isCanonicalTime($0) }) { return text }
        return ISO8601.string(from: try RecordedEvent.date(text))
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` naming a real day and time.
    private static func isCanonicalTime(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count == 24, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"),
            bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"), bytes[19] == UInt8(ascii: "."), bytes[23] == UInt8(ascii: "Z")
        else { return false }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let digit = Int(bytes[index]) - 48
                guard (0...9).contains(digit) else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
            let minute = number(14..<16), let second = number(17..<19), number(20..<23) != nil,
            (1...12).contains(month), hour < 24, minute < 60, second < 60
        else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return (1...days).contains(day)
    }

    /// The batch's events decoded (upcast as needed) on every core: decoding is most of a replay's work, and
    /// each payload decodes on its own.
    private static func decode(_ batch: [LoggedEvent]) throws -> [ReplayedEvent] {
        try parallelMap(batch, placeholder: .unprojected, decode)
    }

    private static func decode(_ logged: LoggedEvent) throws -> ReplayedEvent {
        switch logged.streamType {
        case Eco.streamType: .eco(try .decode(type: logged.type, schemaVersion: logged.schemaVersion, storedPayload: logged.payload))
        case PagerRun.streamType: .run(try .decode(type: logged.type, schemaVersion: logged.schemaVersion, storedPayload: logged.payload))
        default: .unprojected
        }
    }

    // MARK: applying

    private mutating func apply(_ event: ReplayedEvent, _ logged: LoggedEvent) throws {
        switch event {
        case .eco(let event):
            let stream = try ecos[logged.streamID] ?? resumeEco(logged)
            try stream.apply(event, logged)
        case .run(let event):
            let stream = try runs[logged.streamID] ?? resumeRun(logged)
            try stream.apply(event, logged)
        case .unprojected:
            released.insert(logged.streamID)
        }
    }

    /// The stream's holder: new for its first event, or picked up again after it was let go.
    private mutating func resumeEco(_ logged: LoggedEvent) throws -> EcoStream {
        let stream = EcoStream(id: logged.streamID, firstPosition: logged.position)
        if released.contains(logged.streamID) {
            stream.state = try Self.state(Eco.self, logged, db)
            try stream.reload(db)
        }
        ecos[logged.streamID] = stream
        return stream
    }

    private mutating func resumeRun(_ logged: LoggedEvent) throws -> RunStream {
        let stream = RunStream(id: logged.streamID, firstPosition: logged.position)
        if released.contains(logged.streamID) {
            stream.state = try Self.state(PagerRun.self, logged, db)
            try stream.reload(db)
        }
        runs[logged.streamID] = stream
        return stream
    }

    /// A stream's state before `logged`, from its earlier events.
    private static func state<A: Aggregate>(_: A.Type, _ logged: LoggedEvent, _ db: Database) throws -> A {
        let earlier = try EventLog.stream(db, streamID: logged.streamID).prefix { $0.version < logged.version }
        return A.replay(try earlier.map { try $0.decode(as: A.Event.self) })
    }

    /// Writes the rows of the least recently seen streams (all of them with `keeping: 0`) in the order the log
    /// began them, and lets them go.
    private mutating func release(keeping kept: Int) throws {
        var held: [(position: Int64, first: Int64, stream: any ReplayedStream)] =
            ecos.values.map { ($0.lastPosition, $0.firstPosition, $0) } + runs.values.map { ($0.lastPosition, $0.firstPosition, $0) }
        guard held.count > kept else { return }
        held.sort { $0.position < $1.position }
        let leaving = held.prefix(held.count - kept).sorted { $0.first < $1.first }.map(\.stream)
        // Encoding rows (Codable, JSON columns) is most of writing them: done on every core, inserted in order.
        let fresh = try parallelMap(leaving, placeholder: nil) { try $0.freshRows() }
        for (stream, rows) in zip(leaving, fresh) {
            if let rows {
                for row in rows { try inserter.insert(row, db) }
            } else {
                try stream.update(db)
            }
            released.insert(stream.id)
            ecos[stream.id] = nil
            runs[stream.id] = nil
        }
    }
}

/// What `rebuild-projections` replayed.
public struct ReplaySummary: Sendable, Equatable {
    public let events: Int
    public let streams: Int
}

/// One event of the log with the columns a projection reads, its time already in the projection's text.
struct LoggedEvent: Sendable {
    let position: Int64
    let streamID: String
    let streamType: String
    let version: Int
    let type: String
    let schemaVersion: Int
    let payload: Data
    let actor: String
    let occurredAt: String
}

enum ReplayedEvent: Sendable {
    case eco(EcoEvent)
    case run(PagerRunEvent)
    /// A stream no read model follows.
    case unprojected
}

/// `transform` applied to every element, on every core (in slices of at least 256), results in order; the
/// first slice's error is thrown after all have run.
func parallelMap<T: Sendable, R>(_ elements: [T], placeholder: R, _ transform: (T) throws -> R) throws -> [R] {
    let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, elements.count / 256))
    guard workers > 1 else { return try elements.map(transform) }
    let slice = (elements.count + workers - 1) / workers
    let results = ParallelSlots(count: elements.count, placeholder: placeholder, workers: workers)
    withoutActuallyEscaping(transform) { transform in
        nonisolated(unsafe) let transform = transform
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            do {
                for index in worker * slice..<min(elements.count, (worker + 1) * slice) { results.store(try transform(elements[index]), at: index) }
            } catch {
                results.fail(error, worker: worker)
            }
        }
    }
    return try results.values()
}

/// The results of a `parallelMap`, each worker filling its own slice of storage allocated up front: no two
/// threads ever touch one slot, and nothing is read before every worker is done.
private final class ParallelSlots<R>: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<R>
    private let errors: UnsafeMutableBufferPointer<(any Error)?>

    init(count: Int, placeholder: R, workers: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: placeholder)
        errors = .allocate(capacity: workers)
        errors.initialize(repeating: nil)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
        errors.deinitialize()
        errors.deallocate()
    }

    func store(_ value: R, at index: Int) { slots[index] = value }

    func fail(_ error: any Error, worker: Int) { errors[worker] = error }

    func values() throws -> [R] {
        if let error = errors.lazy.compactMap({ $0 }).first { throw error }
        return Array(slots)
    }
}

/// A stream a replay holds until it writes its rows. Read by the encoding workers, never changed meanwhile.
protocol ReplayedStream: AnyObject, Sendable {
    var id: String { get }
    /// The stream's rows to insert, when none was written before; nil otherwise.
    func freshRows() throws -> [EncodedRow]?
    /// Brings rows written when the stream was let go before up to date.
    func update(_ db: Database) throws
}

/// A row to insert, as column values: encoded on any thread, inserted on the database's.
struct EncodedRow: Sendable {
    let table: String
    let values: [String: DatabaseValue]
}

/// Inserts rows through one prepared statement per table, its columns those of the table's first row (a
/// record encodes every column, NULL included, so every row of a table has the same ones).
struct RowInserter {
    private var statements: [String: (columns: [String], statement: Statement)] = [:]

    mutating func insert(_ row: EncodedRow, _ db: Database) throws {
        let prepared = try statements[row.table] ?? {
            let columns = row.values.keys.sorted()
            let statement = try db.makeStatement(
                sql: "INSERT INTO \(row.table) (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))")
            statements[row.table] = (columns, statement)
            return (columns, statement)
        }()
        let values = try prepared.columns.map { column in
            guard let value = row.values[column], row.values.count == prepared.columns.count else {
                throw ReplayRefused(streamID: "", version: 0, reason: "a \(row.table) row without the columns of the others")
            }
            return value
        }
        try prepared.statement.execute(arguments: StatementArguments(values))
    }
}

/// A stream's events do not make a row the way the projection would: the log itself is wrong.
struct ReplayRefused: Error, CustomStringConvertible {
    let streamID: String
    let version: Int
    let reason: String
    var description: String { "cannot replay stream \(streamID) at version \(version): \(reason)" }
}

/// One ECO's state and the rows its events have made so far, kept as the per-event projection leaves them.
final class EcoStream: ReplayedStream, @unchecked Sendable {
    struct AttentionRow {
        var since: String
        var detail: String?
        var acknowledgedBy: String?
        var acknowledgedAt: String?
    }

    let id: String
    let firstPosition: Int64
    var lastPosition: Int64
    var state = Eco.initial
    private var version = 0
    private var updatedAt = ""
    private var created: (at: String, by: String)?
    private var integrationChangedAt = ""
    private var attention: [AttentionCause: AttentionRow] = [:]
    /// Tasks changed since the rows were last written.
    private var tasks: [String: TaskRecord] = [:]
    /// The rows were written before (the stream was let go and picked up again): they are updated, not inserted.
    private var written = false

    init(id: String, firstPosition: Int64) {
        self.id = id
        self.firstPosition = firstPosition
        lastPosition = firstPosition
    }

    /// What `Eco.project` does with `event`, on the rows in memory.
    func apply(_ event: EcoEvent, _ logged: LoggedEvent) throws {
        state = Eco.evolve(state, event)
        let at = logged.occurredAt
        if case .created = event {
            guard created == nil else { throw ReplayRefused(streamID: id, version: logged.version, reason: "a second EcoCreated") }
            created = (at, logged.actor)
            integrationChangedAt = at
        } else {
            guard created != nil else { throw ReplayRefused(streamID: id, version: logged.version, reason: "no EcoCreated before it") }
            if event.movesIntegration { integrationChangedAt = at }
        }
        version = logged.version
        updatedAt = at
        lastPosition = logged.position
        projectAttention(event, actor: logged.actor, at: at)
        if case .taskChanged(let task) = event { tasks[task.taskID] = Eco.taskRecord(task, ecoID: EcoID(id), at: at) }
    }

    /// The rules of `attention_item`: a new cause listed since this event, a lasting cause keeping its row, a cause
    /// gone removed, and an acknowledgement marking every listed cause not yet acknowledged.
    private func projectAttention(_ event: EcoEvent, actor: String, at: String) {
        let causes = state.attentionCauses
        guard !causes.isEmpty else {
            if !attention.isEmpty { attention.removeAll() }
            return
        }
        if attention.keys.contains(where: { !causes.contains($0) }) { attention = attention.filter { causes.contains($0.key) } }
        for cause in causes where attention[cause] == nil {
            attention[cause] = AttentionRow(since: at, detail: state.attentionDetail(cause))
        }
        if case .attentionAcknowledged = event {
            for (cause, row) in attention where row.acknowledgedBy == nil {
                attention[cause]?.acknowledgedBy = actor
                attention[cause]?.acknowledgedAt = at
            }
        }
    }

    private func record() -> EcoRecord? {
        guard let created else { return nil }
        var record = Eco.viewRecord(state, ecoID: EcoID(id), at: updatedAt, actor: created.by, version: version)
        record.createdAt = created.at
        record.integrationChangedAt = integrationChangedAt
        return record
    }

    private func attentionRows() -> [EncodedRow] {
        attention.sorted { $0.key.rawValue < $1.key.rawValue }.map { cause, row in
            EncodedRow(table: "attention_item", values: [
                "eco_id": id.databaseValue, "cause": cause.rawValue.databaseValue, "since": row.since.databaseValue,
                "detail": row.detail.databaseValue, "acknowledged_by": row.acknowledgedBy.databaseValue,
                "acknowledged_at": row.acknowledgedAt.databaseValue,
            ])
        }
    }

    func freshRows() throws -> [EncodedRow]? {
        guard !written else { return nil }
        guard let record = record() else { return [] }
        var rows = [EncodedRow(table: EcoRecord.databaseTableName, values: try record.databaseDictionary)]
        rows += attentionRows()
        for task in tasks.values.sorted(by: { $0.taskID < $1.taskID }) {
            rows.append(EncodedRow(table: TaskRecord.databaseTableName, values: try task.databaseDictionary))
        }
        return rows
    }

    func update(_ db: Database) throws {
        guard let record = record() else { return }
        try record.update(db)
        try db.cachedStatement(sql: "DELETE FROM attention_item WHERE eco_id = ?").execute(arguments: [id])
        var inserter = RowInserter()
        for row in attentionRows() { try inserter.insert(row, db) }
        for task in tasks.values.sorted(by: { $0.taskID < $1.taskID }) { try task.upsert(db) }
    }

    /// Picks up the rows written when the stream was let go.
    func reload(_ db: Database) throws {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT created_at, created_by, integration_changed_at, version, updated_at FROM eco_view WHERE eco_id = ?"), arguments: [id])
        else { return }
        created = (row[0], row[1])
        integrationChangedAt = row[2]
        version = row[3]
        updatedAt = row[4]
        for item in try Row.fetchAll(db.cachedStatement(sql: "SELECT cause, since, detail, acknowledged_by, acknowledged_at FROM attention_item WHERE eco_id = ?"), arguments: [id])
        {
            guard let cause = AttentionCause(rawValue: item[0]) else { continue }
            attention[cause] = AttentionRow(since: item[1], detail: item[2], acknowledgedBy: item[3], acknowledgedAt: item[4])
        }
        written = true
    }
}

/// One pager run's state and the rows its events have made so far.
final class RunStream: ReplayedStream, @unchecked Sendable {
    let id: String
    let firstPosition: Int64
    var lastPosition: Int64
    var state = PagerRun.initial
    private var version = 0
    private var updatedAt = ""
    private var startedAt: String?
    private var completedAt: String?
    /// Attempts recorded since the rows were last written.
    private var attempts: [PagerRunRecord.Attempt] = []
    private var written = false

    init(id: String, firstPosition: Int64) {
        self.id = id
        self.firstPosition = firstPosition
        lastPosition = firstPosition
    }

    /// What `PagerRun.project` does with `event`, on the rows in memory.
    func apply(_ event: PagerRunEvent, _ logged: LoggedEvent) throws {
        state = PagerRun.evolve(state, event)
        lastPosition = logged.position
        guard let started = state.started else { return }
        let at = logged.occurredAt
        if case .started = event {
            guard startedAt == nil else { throw ReplayRefused(streamID: id, version: logged.version, reason: "a second PagerRunStarted") }
            startedAt = at
        } else {
            guard startedAt != nil else { throw ReplayRefused(streamID: id, version: logged.version, reason: "no row for the run") }
        }
        if case .completed = event { completedAt = at }
        version = logged.version
        updatedAt = at
        if case .attemptRecorded(let attempt) = event {
            guard started.contacts.indices.contains(attempt.contactIndex) else {
                throw ReplayRefused(streamID: id, version: logged.version, reason: "an attempt for contact \(attempt.contactIndex), not on the list")
            }
            attempts.append(PagerRun.attemptRecord(attempt, started, runID: PagerRunID(id), version: logged.version, at: at))
        }
    }

    private func record() -> PagerRunRecord? {
        guard let started = state.started, let startedAt else { return nil }
        var record = PagerRun.viewRecord(state, started, runID: PagerRunID(id), at: updatedAt, completedAt: completedAt, version: version)
        record.startedAt = startedAt
        return record
    }

    func freshRows() throws -> [EncodedRow]? {
        guard !written else { return nil }
        guard let record = record() else { return [] }
        return [EncodedRow(table: PagerRunRecord.databaseTableName, values: try record.databaseDictionary)]
            + (try attempts.map { EncodedRow(table: PagerRunRecord.Attempt.databaseTableName, values: try $0.databaseDictionary) })
    }

    func update(_ db: Database) throws {
        guard let record = record() else { return }
        // A run let go before its start wrote no row: its first row is inserted now.
        if try PagerRunRecord.exists(db, key: ["run_id": id]) { try record.update(db) } else { try record.insert(db) }
        for attempt in attempts { try attempt.insert(db) }
    }

    /// Picks up the row written when the stream was let go.
    func reload(_ db: Database) throws {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT started_at, completed_at, version, updated_at FROM pager_run_view WHERE run_id = ?"), arguments: [id])
        else { return }
        startedAt = row[0]
        completedAt = row[1]
        version = row[2]
        updatedAt = row[3]
        written = true
    }
}
