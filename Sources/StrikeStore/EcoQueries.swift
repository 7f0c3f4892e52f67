public import Foundation
import GRDB
public import StrikeCore

/// One row of `eco_view`, as the projection writes it and the API serves it. A new read-model column is a
/// property here, a migration adding the column, its assignment in `Eco.project`, and its OpenAPI schema.
public struct EcoRecord: StoredRecord, Sendable, Equatable {
    public static let databaseTableName = "eco_view"
    /// The integration columns: internal, shown to admins only.
    public static let integrationColumns = [
        "integrationStatus", "integrationStage", "integrationReason", "renderTaskID", "pagerRunID", "integrationChangedAt",
    ]

    public var id: EcoID
    public var nocTenantID: TenantID
    public var ospTenantID: TenantID
    public var jobID: String
    public var jobNumber: Int
    public var subsector: String
    public var jobType: JobType
    public var description: String
    public var location: EcoLocation
    public var status: EcoStatus
    public var integrationStatus: String
    public var integrationStage: IntegrationStage?
    public var integrationReason: String?
    public var renderTaskID: String?
    public var pagerRunID: String?
    public var acceptedBy: String?
    public var displayStatus: DisplayStatus
    public var displayReason: String?
    public var taskCount: Int
    public var stale: Bool
    public var graceUntil: String?
    public var cancelReason: String?
    /// When the integration status last moved: paging began, or a supervisor accepted.
    public var integrationChangedAt: String
    public var createdAt: String
    public var createdBy: String
    public var updatedAt: String
    public var version: Int

    public static let columnsNamedOtherwise = ["eco_id": "id"]

    public var integration: IntegrationState { IntegrationState(code: integrationStatus, stage: integrationStage)! }
}

/// A Render task of an ECO as last seen (`eco_task_view`).
public struct TaskRecord: StoredRecord, Sendable, Equatable {
    public static let databaseTableName = "eco_task_view"
    /// Columns the projection keeps for itself: the API leaves them out.
    public static let internalColumns = ["ecoID", "fingerprint"]

    public var ecoID: EcoID
    public var taskID: String
    public var status: RenderTaskStatus
    public var displayStatus: TaskDisplayStatus
    public var assignee: String?
    public var fingerprint: String
    public var updatedAt: String
}

/// A pager run (`pager_run_view`) with each call attempt (`pager_attempt_view`).
public struct PagerRunRecord: StoredRecord, Sendable, Equatable {
    public struct Attempt: StoredRecord, Sendable, Equatable {
        public static let databaseTableName = "pager_attempt_view"
        public static let internalColumns = ["runID", "version"]
        public static let columnsNamedOtherwise = ["call_sid": "callSid"]

        public var runID: PagerRunID
        public var version: Int
        public var contactIndex: Int
        public var contactName: String
        public var callSid: String?
        public var kind: PagerAttemptKind
        public var occurredAt: String
    }

    public static let databaseTableName = "pager_run_view"
    public static let internalColumns = ["ecoID", "pagerListID", "rounds", "acceptedContactIndex", "attemptCount", "updatedAt", "version"]

    public var runID: PagerRunID
    public var ecoID: EcoID
    public var pagerListID: PagerListID
    public var pagerListName: String
    public var message: String
    public var contacts: [PagerContact]
    public var rounds: Int
    public var status: PagerRunStatus
    public var outcome: PagerOutcome?
    public var acceptedContactIndex: Int?
    public var acceptedBy: String?
    public var reason: String?
    public var attemptCount: Int
    public var startedAt: String
    public var completedAt: String?
    public var updatedAt: String
    public var version: Int
}

/// One entry of an ECO's timeline: an event of the ECO or of one of its pager runs.
public struct TimelineEntry: Sendable {
    public let position: Int64
    public let type: String
    public let at: String
    public let actor: String
    public let stream: String
    /// The payload, upcast to the current schema, as JSON.
    public let payload: Data
}

/// Which ECOs a tenant sees: a NOC those it created, an OSP those assigned to it.
public struct Visibility: Sendable {
    public let tenantID: TenantID
    public let kind: TenantKind

    public init(tenantID: TenantID, kind: TenantKind) {
        self.tenantID = tenantID
        self.kind = kind
    }

    var column: String { kind == .noc ? "noc_tenant_id" : "osp_tenant_id" }
}

/// List filters; all optional, combined with AND.
public struct EcoFilter: Sendable {
    public var status: EcoStatus?
    public var displayStatus: DisplayStatus?
    public var jobType: JobType?
    /// Text found in the job id or the description.
    public var text: String?
    public var createdFrom: Date?
    public var createdBefore: Date?

    public init() {}
}

/// A page of ECOs, newest first, and the cursor of the next page if there is one.
public struct EcoPage: Sendable {
    public let items: [EcoRecord]
    public let nextCursor: String?
}

extension StrikeStore {
    public func eco(_ id: EcoID, visibleTo visibility: Visibility) async throws -> EcoRecord? {
        try await writer.read { db in
            try EcoRecord.fetchOne(
                db, sql: "SELECT * FROM eco_view WHERE eco_id = ? AND \(visibility.column) = ?",
                arguments: [id.rawValue, visibility.tenantID.rawValue])
        }
    }

    /// ECOs newest first; `cursor` continues after the last item of a previous page. How each filter is served
    /// by an index: `EcoList`.
    public func ecos(visibleTo visibility: Visibility, filter: EcoFilter, cursor: String?, limit: Int) async throws -> EcoPage {
        var after: (createdAt: String, ecoID: String)?
        if let cursor {
            guard let (createdAt, ecoID) = Self.decodeCursor(cursor) else {
                throw DomainError.invalid([FieldProblem(field: "cursor", message: "is not a cursor this appliance gave out")])
            }
            after = (createdAt, ecoID)
        }
        let list = EcoList(visibility: visibility, filter: filter, after: after, count: limit + 1)
        let rows = try await writer.read { db in try list.fetch(db) }
        let items = Array(rows.prefix(limit))
        let next = rows.count > limit ? items.last.map { Self.encodeCursor(createdAt: $0.createdAt, ecoID: $0.id.rawValue) } : nil
        return EcoPage(items: items, nextCursor: next)
    }

    public func tasks(of ecoID: EcoID) async throws -> [TaskRecord] {
        try await writer.read { db in
            try TaskRecord.fetchAll(db.cachedStatement(sql: "SELECT * FROM eco_task_view WHERE eco_id = ? ORDER BY task_id"), arguments: [ecoID.rawValue])
        }
    }

    /// The ECO's pager runs, oldest first, each with its attempts in order.
    public func pagerRuns(of ecoID: EcoID) async throws -> [(run: PagerRunRecord, attempts: [PagerRunRecord.Attempt])] {
        try await writer.read { db in
            try PagerRunRecord.fetchAll(db.cachedStatement(sql: "SELECT * FROM pager_run_view WHERE eco_id = ? ORDER BY started_at, run_id"), arguments: [ecoID.rawValue]
            ).map { run in
                let attempts = try PagerRunRecord.Attempt.fetchAll(db.cachedStatement(sql: "SELECT * FROM pager_attempt_view WHERE run_id = ? ORDER BY version"), arguments: [run.runID.rawValue])
                return (run, attempts)
            }
        }
    }

    /// Who each actor is, in words: a user's display name, an API token's name (`token: …`), or `appliance` for
    /// the appliance's own workers. An actor no longer known keeps no name.
    public func actorNames(_ actors: Set<String>) async throws -> [String: String] {
        try await writer.read { db in try Self.actorNames(actors, db) }
    }

    static func actorNames(_ actors: Set<String>, _ db: Database) throws -> [String: String] {
        var names: [String: String] = [:]
        for actor in actors {
            if actor.hasPrefix("system:") {
                names[actor] = "appliance"
            } else if actor.hasPrefix("user:") {
                names[actor] = try String.fetchOne(db.cachedStatement(sql: "SELECT display_name FROM app_user WHERE id = ?"), arguments: [String(actor.dropFirst(5))])
            } else if actor.hasPrefix("token:") {
                names[actor] = try String.fetchOne(db.cachedStatement(sql: "SELECT name FROM api_token WHERE id = ?"), arguments: [String(actor.dropFirst(6))])
                    .map { "token: \($0)" }
            }
        }
        return names
    }

    /// Every event of the ECO and of its pager runs, in log order, payloads upcast.
    public func timeline(of ecoID: EcoID) async throws -> [TimelineEntry] {
        try await writer.read { db in
            let runs = try String.fetchAll(db.cachedStatement(sql: "SELECT run_id FROM pager_run_view WHERE eco_id = ?"), arguments: [ecoID.rawValue])
            let streams = [ecoID.rawValue] + runs
            let placeholders = Array(repeating: "?", count: streams.count).joined(separator: ", ")
            let events = try Row.fetchAll(
                db, sql: "SELECT \(EventLog.columns) FROM event WHERE stream_id IN (\(placeholders)) ORDER BY position",
                arguments: StatementArguments(streams)
            ).map(RecordedEvent.init(row:))
            return try events.map { event in
                let payload = event.streamType == Eco.streamType
                    ? try event.upcastPayload(as: EcoEvent.self) : try event.upcastPayload(as: PagerRunEvent.self)
                return TimelineEntry(
                    position: event.position, type: event.type, at: ISO8601.string(from: event.occurredAt), actor: event.actor.rawValue,
                    stream: event.streamType, payload: payload)
            }
        }
    }

    /// The ECO as it stood at `instant`, replayed from the events that had occurred by then; nil before it existed.
    public func eco(_ id: EcoID, asOf instant: Date) async throws -> (state: Eco, version: Int)? {
        let events = try await stream(id.rawValue).filter { $0.occurredAt <= instant }
        guard let last = events.last else { return nil }
        return (Eco.replay(try events.map { try $0.decode(as: EcoEvent.self) }), last.version)
    }

    private static func encodeCursor(createdAt: String, ecoID: String) -> String {
        Data("\(createdAt)|\(ecoID)".utf8).base64EncodedString()
    }

    private static func decodeCursor(_ cursor: String) -> (String, String)? {
        guard let data = Data(base64Encoded: cursor), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: "|", maxSplits: 1).map(String.init)
        guard parts.count == 2, ISO8601.date(from: parts[0]) != nil else { return nil }
        return (parts[0], parts[1])
    }
}
