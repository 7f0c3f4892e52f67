public import Foundation
import GRDB
public import StrikeCore

/// A stored pager process with the NOC whose Twilio account rings its calls.
public struct StoredPagerProcess: Sendable, Equatable {
    public let process: PagerProcess
    public let nocTenantID: TenantID

    public init(process: PagerProcess, nocTenantID: TenantID) {
        self.process = process
        self.nocTenantID = nocTenantID
    }
}

extension StrikeStore {
    /// Starts a pager run for an ECO: its process, the events its first steps record, and the consumer's
    /// checkpoint when given, in one transaction. An ECO has one live run at most; a second start for it is
    /// refused by the unique index.
    public func startPagerRun(
        _ process: PagerProcess, steps: [PagerStep], noc: TenantID, actor: ActorID, checkpoint: ConsumerContext?
    ) async throws {
        let json = try Self.json(process)
        let at = now()
        let body: @Sendable (Database) throws -> Void = { db in
            try self.record(steps, of: process, acceptedBy: nil, actor: actor, at: at, db)
            try Self.claimingPhone {
                try db.cachedStatement(
                    sql: """
                        INSERT INTO pager_process
                            (run_id, eco_id, noc_tenant_id, state, deadline, finished, version, ringing_phone, awaited_phones)
                        VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)
                        """
                ).execute(
                    arguments: [
                        process.runID.rawValue, process.ecoID.rawValue, noc.rawValue, json, ISO8601.string(from: process.deadline),
                        process.version, process.ringingPhone, try Self.awaited(process),
                    ])
            }
        }
        if let checkpoint { try await checkpoint.write(body) } else { try await write(body) }
    }

    public func pagerProcess(_ runID: PagerRunID) async throws -> StoredPagerProcess? {
        try await writer.read { db in
            try PagerProcessRow.fetchOne(db.cachedStatement(sql: "SELECT state, noc_tenant_id FROM pager_process WHERE run_id = ?"), arguments: [runID.rawValue])
                .map { StoredPagerProcess(process: $0.state, nocTenantID: $0.nocTenantID) }
        }
    }

    /// The ECO's pager run still ringing, if any.
    public func livePagerRun(eco: EcoID) async throws -> PagerRunID? {
        try await writer.read { db in
            try String.fetchOne(db.cachedStatement(sql: "SELECT run_id FROM pager_process WHERE eco_id = ? AND finished = 0"), arguments: [eco.rawValue])
                .map { PagerRunID($0) }
        }
    }

    /// Runs whose contact deadline has passed; of the runs waiting for a contact on another call, only those one
    /// of whose awaited phones is free now, so thousands waiting cost one query, not a look each.
    public func overduePagerRuns(at now: Date) async throws -> [PagerRunID] {
        try await writer.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT run_id FROM pager_process p
                    WHERE finished = 0 AND deadline <= ?
                      AND (awaited_phones IS NULL OR EXISTS (
                          SELECT 1 FROM json_each(p.awaited_phones) awaited
                          WHERE NOT EXISTS (
                              SELECT 1 FROM pager_process other
                              WHERE other.finished = 0 AND other.ringing_phone = awaited.value)))
                    ORDER BY deadline
                    """,
                arguments: [ISO8601.string(from: now)]
            ).map { PagerRunID($0) }
        }
    }

    public func ringingPhones(except run: PagerRunID?) async throws -> Set<String> {
        try await writer.read { db in
            Set(
                try String.fetchAll(db.cachedStatement(sql: "SELECT ringing_phone FROM pager_process WHERE finished = 0 AND ringing_phone IS NOT NULL AND run_id IS NOT ?"),
                    arguments: [run?.rawValue]))
        }
    }

    /// Runs a write of a process's ringing phone; another live run ringing that phone already is
    /// `ContactOnAnotherCall`, so the caller weighs its signal again with that phone busy.
    private static func claimingPhone(_ write: () throws -> Void) throws {
        do {
            try write()
        } catch let error as DatabaseError
            where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE && (error.message ?? "").contains("ringing_phone")
        {
            throw ContactOnAnotherCall()
        }
    }

    /// Saves a process changed from version `expected`, with the run's records and, when the run ends, the
    /// ECO's move to `DISPATCHED` or `FAILED(pager)`, in one transaction. Throws `VersionConflict` when
    /// another writer moved the process first.
    public func advancePagerRun(
        _ process: PagerProcess, from expected: Int, steps: [PagerStep], acceptedBy: String?, actor: ActorID
    ) async throws {
        let json = try Self.json(process)
        let at = now()
        try await write { db in
            try Self.claimingPhone {
                try db.cachedStatement(
                    sql: """
                        UPDATE pager_process SET state = ?, deadline = ?, finished = ?, version = ?, ringing_phone = ?, awaited_phones = ?
                        WHERE run_id = ? AND version = ?
                        """
                ).execute(
                    arguments: [
                        json, ISO8601.string(from: process.deadline), process.isFinished, process.version, process.ringingPhone,
                        try Self.awaited(process), process.runID.rawValue, expected,
                    ])
            }
            guard db.changesCount == 1 else {
                let actual = try Int.fetchOne(db.cachedStatement(sql: "SELECT version FROM pager_process WHERE run_id = ?"), arguments: [process.runID.rawValue]) ?? 0
                throw VersionConflict(streamID: process.runID.rawValue, expected: expected, actual: actual)
            }
            try self.record(steps, of: process, acceptedBy: acceptedBy, actor: actor, at: at, db)
        }
    }

    private func record(_ steps: [PagerStep], of process: PagerProcess, acceptedBy: String?, actor: ActorID, at: Date, _ db: Database) throws {
        for step in steps {
            let command: PagerRunCommand
            switch step {
            case .call, .hangUp: continue
            case .start(let started): command = .start(started)
            case .record(let attempt): command = .recordAttempt(attempt)
            case .complete(let completed): command = .complete(completed)
            }
            try execute(
                PagerRun.self, id: process.runID.rawValue, command, actor: actor, expectedVersion: nil, correlationID: nil,
                causationID: nil, occurredAt: at, db)
            guard case .complete(let completed) = step else { continue }
            let eco = try Self.load(Eco.self, id: process.ecoID.rawValue, db).state
            if let ecoCommand = eco.command(after: process.runID, ended: completed, acceptedBy: acceptedBy) {
                try execute(
                    Eco.self, id: process.ecoID.rawValue, ecoCommand, actor: actor, expectedVersion: nil, correlationID: nil,
                    causationID: nil, occurredAt: at, db)
            }
        }
    }

    private static func awaited(_ process: PagerProcess) throws -> String? {
        try process.awaitedPhones.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
    }

    private static func json(_ process: PagerProcess) throws -> String {
        String(decoding: try EventCoding.encoder().encode(process), as: UTF8.self)
    }
}

extension StrikeStore {
    /// The words a run's calls say, from its first event.
    public func pagerRunMessage(_ runID: PagerRunID) async throws -> String? {
        let run = try await load(PagerRun.self, id: runID.rawValue).state
        return run.started?.message
    }
}

/// A run's process as `pager_process` keeps it: the whole state as JSON, and the NOC it pages for.
private struct PagerProcessRow: StoredRecord {
    static let databaseTableName = "pager_process"
    let state: PagerProcess
    let nocTenantID: TenantID
}

/// Another live run took the phone this run was about to ring: weigh the signal again with it busy.
public struct ContactOnAnotherCall: Error, Sendable {}
