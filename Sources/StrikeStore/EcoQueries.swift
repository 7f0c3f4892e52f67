public import Foundation
import GRDB
public import StrikeCore

/// One row of `eco_view`, as the API serves it.
public struct EcoRecord: Sendable, Equatable {
    public let id: EcoID
    public let nocTenantID: TenantID
    public let ospTenantID: TenantID
    public let jobID: String
    public let jobNumber: Int
    public let subsector: String
    public let jobType: JobType
    public let description: String
    public let location: EcoLocation
    public let status: EcoStatus
    public let integration: IntegrationState
    public let integrationReason: String?
    public let renderTaskID: String?
    public let pagerRunID: String?
    public let acceptedBy: String?
    public let displayStatus: DisplayStatus
    public let displayReason: String?
    public let taskCount: Int
    public let stale: Bool
    public let graceUntil: String?
    public let cancelReason: String?
    public let createdAt: String
    public let createdBy: String
    public let updatedAt: String
    public let version: Int

    init(row: Row) throws {
        id = EcoID(row["eco_id"] as String)
        nocTenantID = TenantID(row["noc_tenant_id"] as String)
        ospTenantID = TenantID(row["osp_tenant_id"] as String)
        jobID = row["job_id"]
        jobNumber = row["job_number"]
        subsector = row["subsector"]
        jobType = JobType(rawValue: row["job_type"])!
        description = row["description"]
        location = try EventCoding.decoder().decode(EcoLocation.self, from: Data((row["location"] as String).utf8))
        status = EcoStatus(rawValue: row["status"])!
        integration = IntegrationState(code: row["integration_status"], stage: (row["integration_stage"] as String?).flatMap(IntegrationStage.init(rawValue:)))!
        integrationReason = row["integration_reason"]
        renderTaskID = row["render_task_id"]
        pagerRunID = row["pager_run_id"]
        acceptedBy = row["accepted_by"]
        displayStatus = DisplayStatus(rawValue: row["display_status"])!
        displayReason = row["display_reason"]
        taskCount = row["task_count"]
        stale = row["stale"]
        graceUntil = row["grace_until"]
        cancelReason = row["cancel_reason"]
        createdAt = row["created_at"]
        createdBy = row["created_by"]
        updatedAt = row["updated_at"]
        version = row["version"]
    }
}

/// A Render task as last seen.
public struct TaskRecord: Codable, Sendable, Equatable {
    public let taskID: String
    public let status: RenderTaskStatus
    public let displayStatus: TaskDisplayStatus
    public let assignee: String?
    public let updatedAt: String
}

/// A pager run with each call attempt.
public struct PagerRunRecord: Codable, Sendable, Equatable {
    public struct Attempt: Codable, Sendable, Equatable {
        public let contactIndex: Int
        public let contactName: String
        public let callSid: String?
        public let kind: PagerAttemptKind
        public let at: String
    }

    public let runID: String
    public let pagerListName: String
    public let message: String
    public let contacts: [PagerContact]
    public let status: PagerRunStatus
    public let outcome: PagerOutcome?
    public let acceptedBy: String?
    public let reason: String?
    public let startedAt: String
    public let completedAt: String?
    public var attempts: [Attempt]
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
            try Row.fetchOne(
                db, sql: "SELECT * FROM eco_view WHERE eco_id = ? AND \(visibility.column) = ?",
                arguments: [id.rawValue, visibility.tenantID.rawValue]
            ).map(EcoRecord.init(row:))
        }
    }

    /// ECOs newest first; `cursor` continues after the last item of a previous page.
    public func ecos(visibleTo visibility: Visibility, filter: EcoFilter, cursor: String?, limit: Int) async throws -> EcoPage {
        var conditions = ["\(visibility.column) = ?"]
        var arguments: [(any DatabaseValueConvertible)?] = [visibility.tenantID.rawValue]
        if let status = filter.status { conditions.append("status = ?"); arguments.append(status.rawValue) }
        if let display = filter.displayStatus { conditions.append("display_status = ?"); arguments.append(display.rawValue) }
        if let jobType = filter.jobType { conditions.append("job_type = ?"); arguments.append(jobType.rawValue) }
        if let text = filter.text, !text.isEmpty {
            let pattern = "%" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                .replacingOccurrences(of: "_", with: "\\_") + "%"
            conditions.append("(job_id LIKE ? ESCAPE '\\' OR description LIKE ? ESCAPE '\\')")
            arguments += [pattern, pattern]
        }
        if let from = filter.createdFrom { conditions.append("created_at >= ?"); arguments.append(ISO8601.string(from: from)) }
        if let before = filter.createdBefore { conditions.append("created_at < ?"); arguments.append(ISO8601.string(from: before)) }
        if let cursor {
            guard let (createdAt, ecoID) = Self.decodeCursor(cursor) else {
                throw DomainError.invalid([FieldProblem(field: "cursor", message: "is not a cursor this appliance gave out")])
            }
            conditions.append("(created_at < ? OR (created_at = ? AND eco_id < ?))")
            arguments += [createdAt, createdAt, ecoID]
        }
        let sql = "SELECT * FROM eco_view WHERE \(conditions.joined(separator: " AND ")) ORDER BY created_at DESC, eco_id DESC LIMIT ?"
        let statementArguments = StatementArguments(arguments + [limit + 1])
        let rows = try await writer.read { db in try Row.fetchAll(db, sql: sql, arguments: statementArguments).map(EcoRecord.init(row:)) }
        let items = Array(rows.prefix(limit))
        let next = rows.count > limit ? items.last.map { Self.encodeCursor(createdAt: $0.createdAt, ecoID: $0.id.rawValue) } : nil
        return EcoPage(items: items, nextCursor: next)
    }

    public func tasks(of ecoID: EcoID) async throws -> [TaskRecord] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM eco_task_view WHERE eco_id = ? ORDER BY task_id", arguments: [ecoID.rawValue]).map {
                TaskRecord(
                    taskID: $0["task_id"], status: RenderTaskStatus(rawValue: $0["status"])!,
                    displayStatus: TaskDisplayStatus(rawValue: $0["display_status"])!, assignee: $0["assignee"], updatedAt: $0["updated_at"])
            }
        }
    }

    /// The ECO's pager runs, oldest first, each with its attempts in order.
    public func pagerRuns(of ecoID: EcoID) async throws -> [PagerRunRecord] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM pager_run_view WHERE eco_id = ? ORDER BY started_at, run_id", arguments: [ecoID.rawValue]).map { row in
                let runID: String = row["run_id"]
                let attempts = try Row.fetchAll(
                    db, sql: "SELECT * FROM pager_attempt_view WHERE run_id = ? ORDER BY version", arguments: [runID]
                ).map {
                    PagerRunRecord.Attempt(
                        contactIndex: $0["contact_index"], contactName: $0["contact_name"], callSid: $0["call_sid"],
                        kind: PagerAttemptKind(rawValue: $0["kind"])!, at: $0["occurred_at"])
                }
                return PagerRunRecord(
                    runID: runID, pagerListName: row["pager_list_name"], message: row["message"],
                    contacts: try EventCoding.decoder().decode([PagerContact].self, from: Data((row["contacts"] as String).utf8)),
                    status: PagerRunStatus(rawValue: row["status"])!, outcome: (row["outcome"] as String?).flatMap(PagerOutcome.init(rawValue:)),
                    acceptedBy: row["accepted_by"], reason: row["reason"], startedAt: row["started_at"], completedAt: row["completed_at"],
                    attempts: attempts)
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
                names[actor] = try String.fetchOne(db, sql: "SELECT display_name FROM app_user WHERE id = ?", arguments: [String(actor.dropFirst(5))])
            } else if actor.hasPrefix("token:") {
                names[actor] = try String.fetchOne(db, sql: "SELECT name FROM api_token WHERE id = ?", arguments: [String(actor.dropFirst(6))])
                    .map { "token: \($0)" }
            }
        }
        return names
    }

    /// Every event of the ECO and of its pager runs, in log order, payloads upcast.
    public func timeline(of ecoID: EcoID) async throws -> [TimelineEntry] {
        try await writer.read { db in
            let runs = try String.fetchAll(db, sql: "SELECT run_id FROM pager_run_view WHERE eco_id = ?", arguments: [ecoID.rawValue])
            let streams = [ecoID.rawValue] + runs
            let placeholders = Array(repeating: "?", count: streams.count).joined(separator: ", ")
            let events = try RecordedEvent.fetchAll(
                db, sql: "SELECT \(EventLog.columns) FROM event WHERE stream_id IN (\(placeholders)) ORDER BY position",
                arguments: StatementArguments(streams))
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
