import Foundation
import GRDB
import StrikeCore
import Synchronization

extension Eco: ProjectedAggregate {
    /// Writes the ECO's row (in `temp` when a `verify` replay has made temporary tables, which SQLite finds first).
    static func project(_ state: Eco, _ event: EcoEvent, _ recorded: RecordedEvent, _ db: Database) throws {
        let at = ISO8601.string(from: recorded.occurredAt)
        let record = viewRecord(state, ecoID: EcoID(recorded.streamID), at: at, actor: recorded.actor.rawValue, version: recorded.version)
        if case .created = event {
            try record.insert(db)
        } else {
            try record.update(db, keeping: event.movesIntegration ? ["created_at", "created_by"] : ["created_at", "created_by", "integration_changed_at"])
        }
        try projectAttention(state, event, recorded, at, db)
        if case .taskChanged(let task) = event {
            try taskRecord(task, ecoID: EcoID(recorded.streamID), at: at).upsert(db)
        }
    }

    /// The ECO's `eco_view` row after an event at `at` by `actor`, as a create writes it whole; a later event
    /// keeps `created_at`, `created_by` and, unless it moves the integration, `integration_changed_at`. Shared
    /// with the replay of `rebuild-projections` and `verify`, which writes each ECO's last row once.
    static func viewRecord(_ state: Eco, ecoID: EcoID, at: String, actor: String, version: Int) -> EcoRecord {
        let display = DisplayStatus.derive(state)
        return EcoRecord(
            id: ecoID, nocTenantID: state.nocTenantID, ospTenantID: state.ospTenantID,
            jobID: state.jobID.description, jobNumber: state.jobID.number, subsector: state.jobID.subsector, jobType: state.jobType,
            description: state.description, location: state.location, status: state.status,
            integrationStatus: state.integration.code, integrationStage: state.integration.stage,
            integrationReason: state.integrationReason, renderTaskID: state.renderTaskID, pagerRunID: state.pagerRunID?.rawValue,
            acceptedBy: state.acceptedBy, displayStatus: display.status, displayReason: display.reason,
            taskCount: state.knownTaskCount, stale: state.isStale, graceUntil: state.graceUntil.map(ISO8601.string(from:)),
            cancelReason: state.cancelReason, integrationChangedAt: at, createdAt: at, createdBy: actor, updatedAt: at,
            version: version)
    }

    /// A Render task's `eco_task_view` row as an `EcoTaskChanged` at `at` leaves it.
    static func taskRecord(_ task: EcoTaskChanged, ecoID: EcoID, at: String) -> TaskRecord {
        TaskRecord(
            ecoID: ecoID, taskID: task.taskID, status: task.status, displayStatus: task.status.display,
            assignee: task.assignee, fingerprint: task.fingerprint, updatedAt: at)
    }
}

extension Eco {
    /// Keeps `attention_item` to the ECO's causes now: a new cause is listed since this event, a cause that
    /// lasts keeps its row (its since and acknowledgement), a cause gone is removed; an acknowledgement marks
    /// every listed cause with who and when.
    private static func projectAttention(_ state: Eco, _ event: EcoEvent, _ recorded: RecordedEvent, _ at: String, _ db: Database) throws {
        let causes = state.attentionCauses
        if causes.isEmpty {
            try db.cachedStatement(sql: "DELETE FROM attention_item WHERE eco_id = ?").execute(arguments: [recorded.streamID])
            return
        }
        try db.cachedStatement(
            sql: "DELETE FROM attention_item WHERE eco_id = ? AND cause NOT IN (SELECT value FROM json_each(?))"
        ).execute(
            arguments: [recorded.streamID, "[" + causes.map { "\"\($0.rawValue)\"" }.joined(separator: ",") + "]"])
        for cause in causes {
            try db.cachedStatement(
                sql: "INSERT INTO attention_item (eco_id, cause, since, detail) VALUES (?, ?, ?, ?) ON CONFLICT (eco_id, cause) DO NOTHING"
            ).execute(
                arguments: [recorded.streamID, cause.rawValue, at, state.attentionDetail(cause)])
        }
        if case .attentionAcknowledged = event {
            try db.cachedStatement(
                sql: "UPDATE attention_item SET acknowledged_by = ?, acknowledged_at = ? WHERE eco_id = ? AND acknowledged_by IS NULL"
            ).execute(
                arguments: [recorded.actor.rawValue, at, recorded.streamID])
        }
    }
}

extension EcoEvent {
    /// Whether the event moves the integration status (and so restarts the watchers' clock).
    var movesIntegration: Bool {
        switch self {
        case .integrationStatusChanged: true
        case .intervened(let intervention): intervention.action == .dispatch
        default: false
        }
    }
}

extension PagerRun: ProjectedAggregate {
    static func project(_ state: PagerRun, _ event: PagerRunEvent, _ recorded: RecordedEvent, _ db: Database) throws {
        guard let started = state.started else { return }
        let at = ISO8601.string(from: recorded.occurredAt)
        let completedAt: String? = if case .completed = event { at } else { nil }
        let runID = PagerRunID(recorded.streamID)
        let record = viewRecord(state, started, runID: runID, at: at, completedAt: completedAt, version: recorded.version)
        if case .started = event {
            try record.insert(db)
        } else {
            try record.update(db, keeping: completedAt == nil ? ["started_at", "completed_at"] : ["started_at"])
        }
        if case .attemptRecorded(let attempt) = event {
            try attemptRecord(attempt, started, runID: runID, version: recorded.version, at: at).insert(db)
        }
    }

    /// The run's `pager_run_view` row after an event at `at`, as its start writes it whole; a later event keeps
    /// `started_at`, and `completed_at` unless it completes the run. Shared with the replay.
    static func viewRecord(
        _ state: PagerRun, _ started: PagerRunStarted, runID: PagerRunID, at: String, completedAt: String?, version: Int
    ) -> PagerRunRecord {
        PagerRunRecord(
            runID: runID, ecoID: started.ecoID, pagerListID: started.pagerListID, pagerListName: started.pagerListName,
            message: started.message, contacts: started.contacts, rounds: started.rounds, status: state.status,
            outcome: state.outcome, acceptedContactIndex: state.acceptedContactIndex,
            acceptedBy: state.acceptedContactIndex.map { started.contacts[$0].name }, reason: state.completionReason,
            attemptCount: state.attempts.count, startedAt: at, completedAt: completedAt, updatedAt: at, version: version)
    }

    /// A call attempt's `pager_attempt_view` row, recorded by the run's event `version` at `at`.
    static func attemptRecord(
        _ attempt: PagerAttemptRecorded, _ started: PagerRunStarted, runID: PagerRunID, version: Int, at: String
    ) -> PagerRunRecord.Attempt {
        PagerRunRecord.Attempt(
            runID: runID, version: version, contactIndex: attempt.contactIndex,
            contactName: started.contacts[attempt.contactIndex].name, callSid: attempt.callSid, kind: attempt.kind, occurredAt: at)
    }
}

extension StoredRecord {
    /// Updates every column of the row but `kept`: those set when the row was first written.
    func update(_ db: Database, keeping kept: Set<String>) throws {
        let key = UpdatedColumns.Key(record: ObjectIdentifier(Self.self), kept: kept)
        let columns = try UpdatedColumns.known.withLock { $0[key] } ?? {
            let columns = Set(try databaseDictionary.keys).subtracting(kept)
            UpdatedColumns.known.withLock { $0[key] = columns }
            return columns
        }()
        try update(db, columns: columns)
    }
}

/// The columns a projection updates, per record type: the same for every row, so found once.
private enum UpdatedColumns {
    struct Key: Hashable {
        let record: ObjectIdentifier
        let kept: Set<String>
    }

    static let known = Mutex<[Key: Set<String>]>([:])
}
