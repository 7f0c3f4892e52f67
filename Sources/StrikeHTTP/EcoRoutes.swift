import Foundation
import Hummingbird
import HTTPTypes
import StrikeCore
import StrikeStore

struct CreateEcoBody: RequestBody, Encodable {
    static let fields: Set<String> = ["location", "jobType", "description", "ospTenantID", "attachments"]
    let location: EcoLocation
    let jobType: JobType
    let description: String
    let ospTenantID: TenantID
    let attachments: [String]?
}

struct UpdateEcoBody: RequestBody {
    static let fields: Set<String> = ["location", "jobType", "description", "expectedVersion"]
    let location: EcoLocation?
    let jobType: JobType?
    let description: String?
    /// The version the operator edited; a newer ECO answers 409 instead of losing their change or another's.
    let expectedVersion: Int?
}

struct CancelEcoBody: RequestBody {
    static let fields: Set<String> = ["reason", "expectedVersion"]
    let reason: String
    let expectedVersion: Int?
}

struct InterventionBody: RequestBody {
    static let fields: Set<String> = ["action", "reason", "acceptedBy", "expectedVersion"]
    let action: InterventionAction
    let reason: String
    let acceptedBy: String?
    let expectedVersion: Int?
}

/// The ECO endpoints: create (idempotent), list, get, timeline, pager runs, edit, cancel, retry, interventions,
/// as-of.
struct EcoRoutes {
    let store: any EventStore & EcoQueries & FieldAccounts
    static let idempotencyHeader = HTTPField.Name("Idempotency-Key")!

    func register(_ api: APIRouter) {
        api.add(.post, "/api/ecos", access: .member(.dispatcher), create)
        api.add(.get, "/api/ecos", access: .member(.viewer), list)
        api.add(.get, "/api/ecos/{id}", access: .member(.viewer), get)
        api.add(.get, "/api/ecos/{id}/timeline", access: .member(.viewer), timeline)
        api.add(.get, "/api/ecos/{id}/pager-runs", access: .member(.viewer), pagerRuns)
        api.add(.get, "/api/ecos/{id}/as-of", access: .member(.viewer), asOf)
        api.add(.patch, "/api/ecos/{id}", access: .member(.dispatcher), update)
        api.add(.post, "/api/ecos/{id}/cancel", access: .member(.dispatcher), cancel)
        api.add(.post, "/api/ecos/{id}/retry", access: .member(.dispatcher), retry)
        api.add(.post, "/api/ecos/{id}/interventions", access: .member(.dispatcher), intervene)
    }

    // MARK: - Create

    @Sendable func create(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let tenant = try context.requireTenant()
        guard tenant.kind == .noc else { throw Problem.forbidden("only a NOC opens ECOs") }
        let body = try await request.decodeBody(CreateEcoBody.self, context: context)
        let draft = EcoDraft(
            location: body.location, jobType: body.jobType, description: body.description, nocTenantID: tenant.id,
            ospTenantID: body.ospTenantID, attachments: body.attachments ?? [])
        let idempotency = try request.headers[Self.idempotencyHeader].map { key in
            guard (1...200).contains(key.count) else {
                throw Problem.invalid([FieldProblem(field: "Idempotency-Key", message: "must be 1 to 200 characters")])
            }
            let canonical = try EventCoding.encoder().encode(body)
            return IdempotencyKey(tenantID: tenant.id, key: key, requestHash: Secrets.fingerprint(String(decoding: canonical, as: UTF8.self)))
        }
        let creation: EcoCreation
        do {
            creation = try await store.createEco(
                draft, actor: try context.requireCaller().actor, ecoID: .random(), idempotency: idempotency, correlationID: nil)
        } catch let mismatch as IdempotencyMismatch {
            throw Problem(.unprocessableContent, title: "Idempotency-Key reused", detail: mismatch.description)
        } catch let error as StoreError where error.isUnknownTenant {
            throw Problem.invalid([FieldProblem(field: "ospTenantID", message: error.description)])
        }
        switch creation {
        case .replayed(_, let response?):
            return Self.json(Data(response.utf8), status: .created)
        case .replayed(let ecoID, nil):
            return try await detail(ecoID, tenant, status: .created)
        case .created(let result):
            let body = try await detailJSON(result.state.id!, tenant)
            if let idempotency { try await store.recordIdempotentResponse(idempotency, response: String(decoding: body, as: UTF8.self)) }
            return Self.json(body, status: .created)
        }
    }

    // MARK: - Reads

    @Sendable func list(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let tenant = try context.requireTenant()
        let query = request.formQuery
        var filter = EcoFilter()
        var problems: [FieldProblem] = []
        func parse<T>(_ name: String, _ make: (String) -> T?, _ expected: String) -> T? {
            guard let raw = query[name] else { return nil }
            guard let value = make(raw) else {
                problems.append(FieldProblem(field: name, message: "must be \(expected)"))
                return nil
            }
            return value
        }
        filter.status = parse("status", EcoStatus.init(rawValue:), "one of \(EcoStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        filter.displayStatus = parse("displayStatus", DisplayStatus.init(rawValue:), "one of \(DisplayStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        filter.jobType = parse("jobType", JobType.init(rawValue:), "CMR, MFR or FNOL")
        filter.text = query["q"]
        filter.createdFrom = parse("createdFrom", ISO8601.date(from:), "an ISO 8601 time")
        filter.createdBefore = parse("createdBefore", ISO8601.date(from:), "an ISO 8601 time")
        let limit = parse("limit", { Int($0).flatMap { (1...200).contains($0) ? $0 : nil } }, "a whole number from 1 to 200") ?? 50
        guard problems.isEmpty else { throw Problem.invalid(problems) }
        let page = try await store.ecos(
            visibleTo: tenant.visibility, filter: filter, cursor: query["cursor"], limit: limit)
        return try jsonResponse(EcoListView(items: try page.items.map { try .eco($0, showIntegration: tenant.role == .admin) }, nextCursor: page.nextCursor))
    }

    @Sendable func get(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        try await detail(try ecoID(context), try context.requireTenant(), status: .ok)
    }

    @Sendable func timeline(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let record = try await visibleEco(context)
        let timeline = try await store.timeline(of: record.id)
        let names = try await store.actorNames(Set(timeline.map(\.actor)))
        let entries = try timeline.map {
            TimelineView.Entry(
                position: $0.position, type: $0.type, at: $0.at, actor: $0.actor, actorName: names[$0.actor], payload: try JSONFragment($0.payload))
        }
        return try jsonResponse(TimelineView(entries: entries))
    }

    @Sendable func pagerRuns(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let record = try await visibleEco(context)
        return try jsonResponse(try await store.pagerRuns(of: record.id).map { try RecordView.pagerRun($0.run, attempts: $0.attempts) })
    }

    @Sendable func asOf(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let record = try await visibleEco(context)
        guard let text = request.uri.queryParameters["at"].map(String.init), let instant = ISO8601.date(from: text) else {
            throw Problem.invalid([FieldProblem(field: "at", message: "must be an ISO 8601 time, such as 2026-11-23T08:00:00Z")])
        }
        guard let (state, version) = try await store.eco(record.id, asOf: instant) else {
            throw Problem.notFound("the ECO did not exist yet at \(text)")
        }
        let display = DisplayStatus.derive(state)
        return try jsonResponse(
            EcoAsOfView(
                id: record.id, at: ISO8601.string(from: instant), version: version, jobID: state.jobID.description, jobType: state.jobType,
                description: state.description, location: state.location, status: state.status, displayStatus: display.status,
                displayReason: display.reason, tasks: state.tasks.values.sorted { $0.taskID < $1.taskID }))
    }

    // MARK: - Operator actions

    @Sendable func update(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let (record, tenant) = try await changeableEco(context)
        let body = try await request.decodeBody(UpdateEcoBody.self, context: context)
        let change = EcoDetailsChange(jobType: body.jobType, description: body.description, location: body.location)
        try await store.execute(.updateDetails(change), on: record.id, actor: try context.requireCaller().actor, expectedVersion: body.expectedVersion)
        return try await detail(record.id, tenant, status: .ok)
    }

    @Sendable func cancel(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let (record, tenant) = try await changeableEco(context)
        let body = try await request.decodeBody(CancelEcoBody.self, context: context)
        try await store.execute(.cancel(reason: body.reason), on: record.id, actor: try context.requireCaller().actor, expectedVersion: body.expectedVersion)
        return try await detail(record.id, tenant, status: .ok)
    }

    @Sendable func retry(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let (record, tenant) = try await changeableEco(context)
        try await store.execute(.retryIntegration, on: record.id, actor: try context.requireCaller().actor, expectedVersion: nil)
        return try await detail(record.id, tenant, status: .ok)
    }

    /// The operator takes over: dispatch (a supervisor called back), complete, close or reopen. A completion
    /// starts the OSP's Render grace period, as a completion seen in the field does.
    @Sendable func intervene(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let (record, tenant) = try await changeableEco(context)
        let body = try await request.decodeBody(InterventionBody.self, context: context)
        var graceUntil: Date?
        if body.action == .complete {
            let hours = try await store.renderInstance(osp: record.ospTenantID)?.gracePeriodHours ?? 24
            graceUntil = store.clock.now().addingTimeInterval(Double(hours) * 3600)
        }
        let intervention = Intervention(action: body.action, reason: body.reason, acceptedBy: body.acceptedBy, graceUntil: graceUntil)
        try await store.execute(.intervene(intervention), on: record.id, actor: try context.requireCaller().actor, expectedVersion: body.expectedVersion)
        return try await detail(record.id, tenant, status: .ok)
    }

    // MARK: - Helpers

    private func ecoID(_ context: StrikeRequestContext) throws -> EcoID {
        EcoID(try context.parameters.require("id"))
    }

    /// The ECO if the active tenant may see it; another tenant's ECO is 404, so its existence does not leak.
    private func visibleEco(_ context: StrikeRequestContext) async throws -> EcoRecord {
        try await visibleEco(try ecoID(context), try context.requireTenant())
    }

    private func visibleEco(_ id: EcoID, _ tenant: ActiveTenant) async throws -> EcoRecord {
        guard let record = try await store.eco(id, visibleTo: tenant.visibility) else { throw Problem.notFound("there is no such ECO") }
        return record
    }

    /// Only the NOC that opened an ECO changes it; the OSP it is assigned to follows it.
    private func changeableEco(_ context: StrikeRequestContext) async throws -> (EcoRecord, ActiveTenant) {
        let record = try await visibleEco(context)
        let tenant = try context.requireTenant()
        guard tenant.kind == .noc else { throw Problem.forbidden("only the NOC that opened this ECO may change it") }
        return (record, tenant)
    }

    private func detail(_ id: EcoID, _ tenant: ActiveTenant, status: HTTPResponse.Status) async throws -> Response {
        Self.json(try await detailJSON(id, tenant), status: status)
    }

    private static func json(_ body: Data, status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(data: body)))
    }

    private func detailJSON(_ id: EcoID, _ tenant: ActiveTenant) async throws -> Data {
        guard let detail = try await store.ecoDetail(id, visibleTo: tenant.visibility) else { throw Problem.notFound("there is no such ECO") }
        let view = EcoDetailView(
            eco: try .eco(detail.eco, showIntegration: tenant.role == .admin), tasks: try detail.tasks.map(RecordView.task),
            latestPagerRun: try detail.latestPagerRun.map { try .pagerRun($0.run, attempts: $0.attempts) })
        return try EventCoding.encoder().encode(view)
    }
}
