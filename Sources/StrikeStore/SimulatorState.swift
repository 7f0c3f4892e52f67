public import Foundation
import GRDB
public import StrikeCore

/// A NOC's simulator settings: the scenario a new ECO gets (by name: the simulators know what each does), and
/// how much faster than real time it plays.
public struct SimulatorSettings: StoredRecord, Sendable, Equatable {
    public static let databaseTableName = "sim_settings"
    public static let happyPath = "happy-path"
    public var defaultScenario: String
    public var speed: Double

    public init(defaultScenario: String = Self.happyPath, speed: Double = 1) {
        self.defaultScenario = defaultScenario
        self.speed = speed
    }

    public static let speedRange = 1.0...1000.0
}

/// One ECO as the simulators play it.
public struct SimulatedEco: StoredRecord, Sendable, Equatable {
    public static let databaseTableName = "sim_eco"
    public let ecoID: EcoID
    public let nocTenantID: TenantID
    /// The scenario's name.
    public let scenario: String
    /// When the field work began (the ECO seen dispatched), and how far it has got.
    public let fieldStartedAt: Date?
    public let fieldStep: Int
}

/// One step of simulated field work, as the Render simulator's script gives it: its number (from 1), when it
/// came due, and what it does to the ECO's tasks.
public struct SimulatedFieldStep: Sendable, Equatable {
    public let number: Int
    public let due: Date
    public let changes: [SimulatedTaskChange]

    public init(number: Int, due: Date, changes: [SimulatedTaskChange]) {
        self.number = number
        self.due = due
        self.changes = changes
    }
}

public enum SimulatedTaskChange: Sendable, Equatable {
    /// A task's new status, and its assignee when one is given.
    case update(taskID: String, status: RenderTaskStatus, assignee: String?)
    /// A new task beside `original`, in its subsector and for its ECO.
    case clone(original: String, id: String, taskType: String, description: String, status: RenderTaskStatus, assignee: String?)
}

/// A task held by the Render simulator.
public struct SimulatedTask: StoredRecord, Sendable, Equatable {
    public static let databaseTableName = "sim_render_task"
    public let id: String
    public let subsector: String
    public let taskType: String
    public let status: RenderTaskStatus
    public let description: String
    public let externalReference: String?
    public let assignee: String?
    public let updatedAt: Date

    public init(
        id: String, subsector: String, taskType: String, status: RenderTaskStatus, description: String, externalReference: String?,
        assignee: String?, updatedAt: Date
    ) {
        self.id = id
        self.subsector = subsector
        self.taskType = taskType
        self.status = status
        self.description = description
        self.externalReference = externalReference
        self.assignee = assignee
        self.updatedAt = updatedAt
    }
}

/// A call the Twilio simulator placed, and how far it has played.
public struct SimulatedCall: StoredRecord, Sendable, Equatable {
    public static let databaseTableName = "sim_call"
    public let sid: String
    public let nocTenantID: TenantID
    public let ecoID: EcoID?
    /// 1 for the ECO's first call, 2 for its second…
    public let nth: Int
    /// What the callee does, by name.
    public let behavior: String
    public let toNumber: String
    public let fromNumber: String
    public let twiml: String?
    public let url: URL?
    public let statusCallback: URL?
    public let ringSeconds: Double
    public let speed: Double
    public var status: String
    /// How many steps of the behavior's script have been played.
    public var step: Int
    /// What the appliance said after the key press.
    public var heard: String?
    public let placedAt: Date
    public var endedAt: Date?

    public init(
        sid: String, nocTenantID: TenantID, ecoID: EcoID?, nth: Int, behavior: String, to: String, from: String,
        twiml: String?, url: URL?, statusCallback: URL?, ringSeconds: Double, speed: Double, placedAt: Date
    ) {
        self.sid = sid
        self.nocTenantID = nocTenantID
        self.ecoID = ecoID
        self.nth = nth
        self.behavior = behavior
        self.toNumber = to
        self.fromNumber = from
        self.twiml = twiml
        self.url = url
        self.statusCallback = statusCallback
        self.ringSeconds = ringSeconds
        self.speed = speed
        self.status = "queued"
        self.step = 0
        self.placedAt = placedAt
    }
}

/// The simulators' world (DESIGN §6), kept in the database so a restart resumes each ECO's scenario.
extension StrikeStore {
    public func simulatorSettings(noc: TenantID) async throws -> SimulatorSettings {
        try await writer.read { db in try Self.simulatorSettings(noc, db) }
    }

    /// Stores the NOC's simulator settings, checked: the speed is a factor of 1 to 1000.
    public func setSimulatorSettings(_ settings: SimulatorSettings, noc: TenantID) async throws {
        guard SimulatorSettings.speedRange.contains(settings.speed) else {
            throw DomainError.invalid([FieldProblem(field: "speed", message: "must be 1 to 1000")])
        }
        try await write { db in
            try db.cachedStatement(
                sql: """
                    INSERT INTO sim_settings (noc_tenant_id, default_scenario, speed) VALUES (?, ?, ?)
                    ON CONFLICT (noc_tenant_id) DO UPDATE SET default_scenario = excluded.default_scenario, speed = excluded.speed
                    """
            ).execute(
                arguments: [noc.rawValue, settings.defaultScenario, settings.speed])
        }
    }

    /// The ECO as the simulators play it; the first time it is seen, it takes its NOC's default scenario.
    public func simulatedEco(_ ecoID: EcoID, noc: TenantID) async throws -> SimulatedEco {
        let at = ISO8601.string(from: now())
        return try await write { db in
            let settings = try Self.simulatorSettings(noc, db)
            try db.cachedStatement(
                sql: """
                    INSERT INTO sim_eco (eco_id, noc_tenant_id, scenario, updated_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (eco_id) DO NOTHING
                    """
            ).execute(
                arguments: [ecoID.rawValue, noc.rawValue, settings.defaultScenario, at])
            return try Self.simulatedEco(ecoID, db)!
        }
    }

    /// Gives one ECO its own scenario, from now on: what the ECO has already done stays done.
    public func setSimulatedScenario(_ scenario: String, eco ecoID: EcoID, noc: TenantID) async throws -> SimulatedEco {
        let at = ISO8601.string(from: now())
        return try await write { db in
            try db.cachedStatement(
                sql: """
                    INSERT INTO sim_eco (eco_id, noc_tenant_id, scenario, updated_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (eco_id) DO UPDATE SET scenario = excluded.scenario, updated_at = excluded.updated_at
                    """
            ).execute(
                arguments: [ecoID.rawValue, noc.rawValue, scenario, at])
            return try Self.simulatedEco(ecoID, db)!
        }
    }

    /// The NOC's simulated ECOs, the most recently touched first.
    public func simulatedEcos(noc: TenantID, limit: Int) async throws -> [(eco: SimulatedEco, tasks: [SimulatedTask], calls: [SimulatedCall])] {
        try await writer.read { db in
            let ids = try String.fetchAll(db.cachedStatement(sql: "SELECT eco_id FROM sim_eco WHERE noc_tenant_id = ? ORDER BY updated_at DESC, eco_id LIMIT ?"),
                arguments: [noc.rawValue, limit])
            return try ids.map { id in
                let eco = try Self.simulatedEco(EcoID(id), db)!
                let tasks = try SimulatedTask.fetchAll(db.cachedStatement(sql: "SELECT * FROM sim_render_task WHERE eco_id = ? ORDER BY rowid"), arguments: [id])
                let calls = try SimulatedCall.fetchAll(db.cachedStatement(sql: "SELECT * FROM sim_call WHERE eco_id = ? ORDER BY nth"), arguments: [id])
                return (eco, tasks, calls)
            }
        }
    }

    // MARK: Render

    /// The simulated Render instance a client id names, when the secret matches: its OSP and project.
    public func simulatedRenderInstance(clientID: String, clientSecret: String) async throws -> (osp: TenantID, projectID: String)? {
        // Sendable values out of the read (a `Row` is not Sendable, and returning one would pick GRDB's blocking
        // `read` overload, which parks a cooperative thread until a reader connection is free).
        let found = try await writer.read { db in
            try SimulatedGrant.fetchOne(db.cachedStatement(sql: "SELECT osp_tenant_id AS tenant_id, project_id, client_secret_sealed AS secret_sealed FROM render_instance WHERE client_id = ? AND mode = 'simulated'"),
                arguments: [clientID])
        }
        guard let found, SecretComparison.equal(try openSecret(found.secretSealed), clientSecret) else { return nil }
        return (found.tenantID, found.projectID ?? "")
    }

    /// A subsector's tasks in the order they were made.
    public func simulatedTasks(osp: TenantID, project: String, subsector: String) async throws -> [SimulatedTask] {
        try await writer.read { db in
            try SimulatedTask.fetchAll(db.cachedStatement(sql: "SELECT * FROM sim_render_task WHERE osp_tenant_id = ? AND project_id = ? AND subsector = ? ORDER BY rowid"),
                arguments: [osp.rawValue, project, subsector])
        }
    }

    public func addSimulatedTask(_ task: SimulatedTask, osp: TenantID, project: String, eco: EcoID?) async throws {
        try await write { db in
            try db.cachedStatement(
                sql: """
                    INSERT INTO sim_render_task (id, osp_tenant_id, project_id, subsector, eco_id, task_type, status, description,
                        external_reference, assignee, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(
                arguments: [
                    task.id, osp.rawValue, project, task.subsector, eco?.rawValue, task.taskType, task.status.rawValue, task.description,
                    task.externalReference, task.assignee, ISO8601.string(from: task.updatedAt),
                ])
        }
    }

    /// Plays the ECO's field work: from `startedAt` (kept the first time it is given), `script` says which
    /// steps have come due past the last one played and what each does to the ECO's tasks (in the order they
    /// were made); the steps are applied and counted in one transaction, so a step is played once.
    public func playSimulatedField(
        eco ecoID: EcoID, startedAt: Date?, at: Date,
        script: @escaping @Sendable (_ eco: SimulatedEco, _ start: Date, _ tasks: [SimulatedTask]) -> [SimulatedFieldStep]
    ) async throws {
        try await write { db in
            guard let eco = try Self.simulatedEco(ecoID, db), let start = eco.fieldStartedAt ?? startedAt else { return }
            if eco.fieldStartedAt == nil {
                try db.cachedStatement(
                    sql: "UPDATE sim_eco SET field_started_at = ?, updated_at = ? WHERE eco_id = ?"
                ).execute(
                    arguments: [ISO8601.string(from: start), ISO8601.string(from: at), ecoID.rawValue])
            }
            let tasks = try SimulatedTask.fetchAll(db.cachedStatement(sql: "SELECT * FROM sim_render_task WHERE eco_id = ? ORDER BY rowid"), arguments: [ecoID.rawValue])
            for step in script(eco, start, tasks) where step.number > eco.fieldStep {
                let stamp = ISO8601.string(from: step.due)
                for change in step.changes {
                    switch change {
                    case .update(let taskID, let status, let assignee):
                        try db.cachedStatement(
                            sql: "UPDATE sim_render_task SET status = ?, assignee = COALESCE(?, assignee), updated_at = ? WHERE id = ?"
                        ).execute(
                            arguments: [status.rawValue, assignee, stamp, taskID])
                    case .clone(let original, let id, let taskType, let description, let status, let assignee):
                        try db.cachedStatement(
                            sql: """
                                INSERT INTO sim_render_task (id, osp_tenant_id, project_id, subsector, eco_id, task_type, status, description,
                                    external_reference, assignee, updated_at)
                                SELECT ?, osp_tenant_id, project_id, subsector, eco_id, ?, ?, ?, external_reference, ?, ?
                                FROM sim_render_task WHERE id = ?
                                """
                        ).execute(
                            arguments: [id, taskType, status.rawValue, description, assignee, stamp, original])
                    }
                }
                try db.cachedStatement(
                    sql: "UPDATE sim_eco SET field_step = ?, updated_at = ? WHERE eco_id = ?"
                ).execute(arguments: [step.number, stamp, ecoID.rawValue])
            }
        }
    }

    // MARK: Twilio

    /// The NOC whose simulated Twilio account an account SID and auth token name.
    public func simulatedTwilioAccount(accountSID: String, authToken: String) async throws -> TenantID? {
        let found = try await writer.read { db in
            try SimulatedGrant.fetchOne(db.cachedStatement(sql: "SELECT noc_tenant_id AS tenant_id, auth_token_sealed AS secret_sealed FROM twilio_account WHERE account_sid = ? AND mode = 'simulated'"),
                arguments: [accountSID])
        }
        guard let found, SecretComparison.equal(try openSecret(found.secretSealed), authToken) else { return nil }
        return found.tenantID
    }

    /// Records a new call; its `nth` is counted here, in the same transaction, so two calls never share one.
    public func addSimulatedCall(
        sid: String, noc: TenantID, eco: EcoID?, behavior: @escaping @Sendable (Int) -> String, to: String, from: String,
        twiml: String?, url: URL?, statusCallback: URL?, ringSeconds: Double, speed: Double
    ) async throws -> SimulatedCall {
        let placedAt = now()
        return try await write { db in
            let nth = try eco.map { try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM sim_call WHERE eco_id = ?"), arguments: [$0.rawValue])! + 1 } ?? 1
            let call = SimulatedCall(
                sid: sid, nocTenantID: noc, ecoID: eco, nth: nth, behavior: behavior(nth), to: to, from: from, twiml: twiml, url: url,
                statusCallback: statusCallback, ringSeconds: ringSeconds, speed: speed, placedAt: placedAt)
            try db.cachedStatement(
                sql: """
                    INSERT INTO sim_call (sid, noc_tenant_id, eco_id, nth, behavior, to_number, from_number, twiml, url, status_callback,
                        ring_seconds, speed, status, step, placed_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)
                    """
            ).execute(
                arguments: [
                    sid, noc.rawValue, eco?.rawValue, nth, call.behavior, to, from, twiml, url?.absoluteString,
                    statusCallback?.absoluteString, ringSeconds, speed, call.status, ISO8601.string(from: placedAt),
                ])
            if let eco {
                try db.cachedStatement(sql: "UPDATE sim_eco SET updated_at = ? WHERE eco_id = ?").execute(arguments: [ISO8601.string(from: placedAt), eco.rawValue])
            }
            return call
        }
    }

    public func simulatedCall(_ sid: String) async throws -> SimulatedCall? {
        try await writer.read { db in
            try SimulatedCall.fetchOne(db.cachedStatement(sql: "SELECT * FROM sim_call WHERE sid = ?"), arguments: [sid])
        }
    }

    /// Saves how far a call has played; a call already ended stays ended. Returns whether it was still live.
    @discardableResult
    public func updateSimulatedCall(_ call: SimulatedCall) async throws -> Bool {
        try await write { db in
            try db.cachedStatement(
                sql: "UPDATE sim_call SET status = ?, step = ?, heard = ?, ended_at = ? WHERE sid = ? AND ended_at IS NULL"
            ).execute(
                arguments: [call.status, call.step, call.heard, call.endedAt.map(ISO8601.string(from:)), call.sid])
            return db.changesCount > 0
        }
    }

    /// Calls still being played: what the simulator resumes after a restart.
    public func playingSimulatedCalls() async throws -> [SimulatedCall] {
        try await writer.read { db in
            try SimulatedCall.fetchAll(db.cachedStatement(sql: "SELECT * FROM sim_call WHERE ended_at IS NULL ORDER BY placed_at"))
        }
    }

    // MARK: Rows

    static func simulatorSettings(_ noc: TenantID, _ db: Database) throws -> SimulatorSettings {
        try SimulatorSettings.fetchOne(db.cachedStatement(sql: "SELECT * FROM sim_settings WHERE noc_tenant_id = ?"), arguments: [noc.rawValue])
            ?? SimulatorSettings()
    }

    static func simulatedEco(_ ecoID: EcoID, _ db: Database) throws -> SimulatedEco? {
        try SimulatedEco.fetchOne(db.cachedStatement(sql: "SELECT * FROM sim_eco WHERE eco_id = ?"), arguments: [ecoID.rawValue])
    }
}

/// The tenant a simulated Render client or Twilio account belongs to, with its sealed secret to check.
private struct SimulatedGrant: StoredRecord {
    public static let databaseTableName = "render_instance"
    let tenantID: TenantID
    let projectID: String?
    let secretSealed: Data
}
