import Foundation
public import Hummingbird
import StrikeCore
import StrikeIntegrations
public import StrikeRuntime
public import StrikeStore
import Synchronization

/// DESIGN §6: Render's API as `docs/render-api.md` describes it, served under `/sim/render` for the OSPs whose
/// Render instance is `simulated`. Tokens are issued against the instance's client id and secret; tasks are
/// made after the ECO's scenario's delay (or refused), and the field work plays out once the ECO is dispatched.
public final class RenderSimulator: Sendable {
    let store: any SimulatorState & EventStore
    let clock: ApplianceClock
    private let tokens = Mutex<[String: Grant]>([:])

    struct Grant {
        let osp: TenantID
        let projectID: String
        let expires: Date
    }

    static let tokenLifetime: TimeInterval = 3600

    public init(store: any SimulatorState & EventStore, clock: ApplianceClock) {
        self.store = store
        self.clock = clock
    }

    public func register<Context: RequestContext>(on router: Router<Context>) {
        router.post("/sim/render/oauth/token") { request, _ in await self.token(request) }
        router.get("/sim/render/projects/{project}/tasks") { request, context in
            await self.list(request, project: context.parameters.get("project") ?? "")
        }
        router.post("/sim/render/projects/{project}/tasks") { request, context in
            try await self.create(request, project: context.parameters.get("project") ?? "")
        }
    }

    /// OAuth2 client credentials, with the client authenticated by HTTP Basic.
    func token(_ request: Request) async -> Response {
        let form = await SimulatorHTTP.form(request)
        guard form["grant_type"] == "client_credentials" else {
            return SimulatorHTTP.json(.badRequest, ["error": "unsupported_grant_type", "error_description": "grant_type must be client_credentials"])
        }
        guard let client = SimulatorHTTP.basicCredentials(request),
            let instance = try? await store.simulatedRenderInstance(clientID: client.user, clientSecret: client.password)
        else {
            return SimulatorHTTP.json(.unauthorized, ["error": "invalid_client", "error_description": "unknown client or wrong secret"])
        }
        let token = SimulatorHTTP.randomHex(32), now = clock.now()
        let grant = Grant(osp: instance.osp, projectID: instance.projectID, expires: now.addingTimeInterval(Self.tokenLifetime))
        tokens.withLock { tokens in
            tokens = tokens.filter { $0.value.expires > now }  // expired grants are dropped as new ones are made
            tokens[token] = grant
        }
        return SimulatorHTTP.json(.ok, ["access_token": token, "token_type": "Bearer", "expires_in": Int(Self.tokenLifetime)])
    }

    /// A subsector's tasks, with the field work played up to now.
    func list(_ request: Request, project: String) async -> Response {
        guard let grant = grant(request) else { return Self.unauthorized }
        guard grant.projectID == project else { return Self.noProject(project) }
        guard let subsector = request.uri.queryParameters["subsector"].map(String.init), !subsector.isEmpty else {
            return SimulatorHTTP.json(.badRequest, ["error": "invalid_request", "message": "the subsector query parameter is required"])
        }
        do {
            var tasks = try await store.simulatedTasks(osp: grant.osp, project: project, subsector: subsector)
            if let reference = tasks.first?.externalReference, try await playFieldWork(eco: EcoID(reference)) {
                tasks = try await store.simulatedTasks(osp: grant.osp, project: project, subsector: subsector)
            }
            return SimulatorHTTP.json(.ok, encoding: RenderTaskList(tasks: tasks.map(Self.answer)))
        } catch {
            return SimulatorHTTP.json(.internalServerError, ["error": "internal", "message": "\(error)"])
        }
    }

    /// Makes a task after the scenario's delay, or refuses it in `render-fails`.
    func create(_ request: Request, project: String) async throws -> Response {
        guard let grant = grant(request) else { return Self.unauthorized }
        guard grant.projectID == project else { return Self.noProject(project) }
        guard let data = await SimulatorHTTP.body(request), let body = try? JSONDecoder().decode(NewTask.self, from: data) else {
            return SimulatorHTTP.json(
                .badRequest, ["error": "invalid_request", "message": "the body must be JSON with subsector, taskType, description and geometry"])
        }
        let missing = [("subsector", body.subsector), ("taskType", body.taskType), ("description", body.description)]
            .filter { $0.1?.isEmpty ?? true }.map(\.0) + (body.geometry == nil ? ["geometry"] : [])
        guard missing.isEmpty, let subsector = body.subsector else {
            return SimulatorHTTP.json(.unprocessableContent, ["error": "validation_failed", "message": "missing: \(missing.joined(separator: ", "))"])
        }
        let eco = try await simulatedEco(reference: body.externalReference, osp: grant.osp)
        var delay = SimulatorScenario.happyPath.renderDelaySeconds
        if let eco { delay = eco.playing.renderDelaySeconds / (try await store.simulatorSettings(noc: eco.nocTenantID).speed) }
        try await clock.sleep(for: .seconds(delay))
        // The scenario is read again: one set while Render was busy applies to this answer.
        if let eco, try await store.simulatedEco(eco.ecoID, noc: eco.nocTenantID).playing.renderRefusesTask {
            return SimulatorHTTP.json(
                .unprocessableContent,
                ["error": "task_rejected", "message": "project \(project) is closed to new tasks for maintenance (render-fails scenario)"])
        }
        let task = SimulatedTask(
            id: "T-" + SimulatorHTTP.randomHex(4).uppercased(), subsector: subsector, taskType: body.taskType!, status: .tasked,
            description: body.description!, externalReference: body.externalReference, assignee: nil, updatedAt: clock.now())
        try await store.addSimulatedTask(task, osp: grant.osp, project: project, eco: eco?.ecoID)
        return SimulatorHTTP.json(.created, encoding: Self.answer(task))
    }

    /// Plays the ECO's field work; it starts the first time the ECO is seen dispatched. False for an ECO the
    /// simulator does not know.
    private func playFieldWork(eco ecoID: EcoID) async throws -> Bool {
        guard let eco = try? await store.load(Eco.self, id: ecoID.rawValue).state, eco.exists else { return false }
        let simulated = try await store.simulatedEco(ecoID, noc: eco.nocTenantID)
        let speed = try await store.simulatorSettings(noc: eco.nocTenantID).speed
        let at = clock.now(), interval = simulated.playing.renderDelaySeconds / speed
        try await store.playSimulatedField(eco: ecoID, startedAt: eco.integration == .dispatched ? at : nil, at: at) { eco, start, tasks in
            FieldWork.steps(after: eco, start: start, interval: interval, at: at, tasks: tasks)
        }
        return true
    }

    /// The ECO a new task names as its external reference, when it is one of this OSP's.
    private func simulatedEco(reference: String?, osp: TenantID) async throws -> SimulatedEco? {
        guard let reference, let eco = try? await store.load(Eco.self, id: reference).state, eco.exists, eco.ospTenantID == osp,
            let id = eco.id
        else { return nil }
        return try await store.simulatedEco(id, noc: eco.nocTenantID)
    }

    private func grant(_ request: Request) -> Grant? {
        guard let token = SimulatorHTTP.bearerToken(request) else { return nil }
        let now = clock.now()
        return tokens.withLock { tokens in tokens[token].flatMap { $0.expires > now ? $0 : nil } }
    }

    private static var unauthorized: Response {
        SimulatorHTTP.json(.unauthorized, ["error": "invalid_token", "message": "the access token is missing, unknown or expired"])
    }

    private static func noProject(_ project: String) -> Response {
        SimulatorHTTP.json(.notFound, ["error": "not_found", "message": "project \(project) does not exist for this client"])
    }

    private struct NewTask: Decodable {
        struct Geometry: Decodable { let type: String }
        let subsector: String?
        let taskType: String?
        let description: String?
        let geometry: Geometry?
        let externalReference: String?
    }

    /// A task as Render answers it: the client's own `RenderTask`, so the wire format is written once.
    private static func answer(_ task: SimulatedTask) -> RenderTask {
        RenderTask(
            id: task.id, subsector: task.subsector, taskType: task.taskType, status: task.status, description: task.description,
            externalReference: task.externalReference, assignee: task.assignee, updatedAt: ISO8601.string(from: task.updatedAt))
    }
}
