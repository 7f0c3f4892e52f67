import Foundation
public import GRDB
public import StrikeCore

extension Eco: ProjectedAggregate {
    public static func project(_ state: Eco, _ event: EcoEvent, _ recorded: RecordedEvent, _ db: Database, schema: String) throws {
        let display = DisplayStatus.derive(state)
        let location = String(decoding: try EventCoding.encoder().encode(state.location), as: UTF8.self)
        let at = ISO8601.string(from: recorded.occurredAt)
        try db.execute(
            sql: """
                INSERT INTO \(schema).eco_view (eco_id, noc_tenant_id, osp_tenant_id, job_id, job_number, subsector,
                    job_type, description, location, status, integration_status, integration_stage, integration_reason,
                    render_task_id, pager_run_id, accepted_by, display_status, display_reason, task_count, stale,
                    grace_until, cancel_reason, created_at, created_by, updated_at, version)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(eco_id) DO UPDATE SET job_type = excluded.job_type, description = excluded.description,
                    location = excluded.location, status = excluded.status,
                    integration_status = excluded.integration_status, integration_stage = excluded.integration_stage,
                    integration_reason = excluded.integration_reason, render_task_id = excluded.render_task_id,
                    pager_run_id = excluded.pager_run_id, accepted_by = excluded.accepted_by,
                    display_status = excluded.display_status, display_reason = excluded.display_reason,
                    task_count = excluded.task_count, stale = excluded.stale, grace_until = excluded.grace_until,
                    cancel_reason = excluded.cancel_reason, updated_at = excluded.updated_at, version = excluded.version
                """,
            arguments: [
                recorded.streamID, state.nocTenantID.rawValue, state.ospTenantID.rawValue, state.jobID.description,
                state.jobID.number, state.jobID.subsector, state.jobType.rawValue, state.description, location,
                state.status.rawValue, state.integration.code, state.integration.stage?.rawValue,
                state.integrationReason, state.renderTaskID, state.pagerRunID?.rawValue, state.acceptedBy,
                display.status.rawValue, display.reason, state.knownTaskCount, state.isStale,
                state.graceUntil.map(ISO8601.string(from:)), state.cancelReason, at, recorded.actor.rawValue, at,
                recorded.version,
            ])
        if case .taskChanged(let task) = event {
            try db.execute(
                sql: """
                    INSERT INTO \(schema).eco_task_view (eco_id, task_id, status, display_status, assignee, fingerprint, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(eco_id, task_id) DO UPDATE SET status = excluded.status,
                        display_status = excluded.display_status, assignee = excluded.assignee,
                        fingerprint = excluded.fingerprint, updated_at = excluded.updated_at
                    """,
                arguments: [
                    recorded.streamID, task.taskID, task.status.rawValue, task.status.display.rawValue, task.assignee,
                    task.fingerprint, at,
                ])
        }
    }
}

extension PagerRun: ProjectedAggregate {
    public static func project(
        _ state: PagerRun, _ event: PagerRunEvent, _ recorded: RecordedEvent, _ db: Database, schema: String
    ) throws {
        guard let started = state.started else { return }
        let at = ISO8601.string(from: recorded.occurredAt)
        let contacts = String(decoding: try EventCoding.encoder().encode(started.contacts), as: UTF8.self)
        let acceptedBy = state.acceptedContactIndex.map { started.contacts[$0].name }
        let completedAt: String? = if case .completed = event { at } else { nil }
        try db.execute(
            sql: """
                INSERT INTO \(schema).pager_run_view (run_id, eco_id, pager_list_id, pager_list_name, message, contacts,
                    rounds, status, outcome, accepted_contact_index, accepted_by, reason, attempt_count, started_at,
                    completed_at, updated_at, version)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(run_id) DO UPDATE SET status = excluded.status, outcome = excluded.outcome,
                    accepted_contact_index = excluded.accepted_contact_index, accepted_by = excluded.accepted_by,
                    reason = excluded.reason, attempt_count = excluded.attempt_count,
                    completed_at = COALESCE(excluded.completed_at, completed_at), updated_at = excluded.updated_at,
                    version = excluded.version
                """,
            arguments: [
                recorded.streamID, started.ecoID.rawValue, started.pagerListID.rawValue, started.pagerListName,
                started.message, contacts, started.rounds, state.status.rawValue, state.outcome?.rawValue,
                state.acceptedContactIndex, acceptedBy, state.completionReason, state.attempts.count, at, completedAt,
                at, recorded.version,
            ])
        if case .attemptRecorded(let attempt) = event {
            try db.execute(
                sql: """
                    INSERT INTO \(schema).pager_attempt_view (run_id, version, contact_index, contact_name, call_sid, kind, occurred_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    recorded.streamID, recorded.version, attempt.contactIndex, started.contacts[attempt.contactIndex].name,
                    attempt.callSid, attempt.kind.rawValue, at,
                ])
        }
    }
}
