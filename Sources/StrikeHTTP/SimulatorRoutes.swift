import Foundation
import Hummingbird
import StrikeCore
import StrikeSimulator
import StrikeStore

struct SimulatorSettingsBody: RequestBody {
    static let fields: Set<String> = ["defaultScenario", "speed"]
    let defaultScenario: SimulatorScenario?
    let speed: Double?
}

struct SimulatedScenarioBody: RequestBody {
    static let fields: Set<String> = ["scenario"]
    let scenario: SimulatorScenario
}

/// The simulators' control API (DESIGN §6), per NOC: the scenarios there are, the default one a new ECO gets
/// and the speed, one ECO's own scenario, and what each simulated ECO has done so far. Only the NOC's ECOs
/// and only its settings: another NOC's are never seen or changed.
struct SimulatorRoutes {
    let store: any SimulatorState & EcoQueries

    func register(_ api: APIRouter) {
        api.add(.get, "/api/simulator", access: .member(.viewer), overview)
        api.add(.patch, "/api/simulator", access: .member(.admin), changeSettings)
        api.add(.put, "/api/simulator/ecos/{id}", access: .member(.dispatcher), setScenario)
    }

    @Sendable func overview(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let noc = try nocTenant(context)
        let settings = try await store.simulatorSettings(noc: noc)
        let ecos = try await store.simulatedEcos(noc: noc, limit: 200)
        return try jsonResponse(SimulatorView(settings: settings, ecos: ecos.map(SimulatorView.EcoState.init)))
    }

    @Sendable func changeSettings(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let noc = try nocTenant(context)
        let body = try await request.decodeBody(SimulatorSettingsBody.self, context: context)
        var settings = try await store.simulatorSettings(noc: noc)
        settings.defaultScenario = body.defaultScenario?.rawValue ?? settings.defaultScenario
        settings.speed = body.speed ?? settings.speed
        try await store.setSimulatorSettings(settings, noc: noc)
        let ecos = try await store.simulatedEcos(noc: noc, limit: 200)
        return try jsonResponse(SimulatorView(settings: settings, ecos: ecos.map(SimulatorView.EcoState.init)))
    }

    @Sendable func setScenario(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let noc = try nocTenant(context)
        let tenant = try context.requireTenant()
        let ecoID = EcoID(try context.parameters.require("id"))
        guard try await store.eco(ecoID, visibleTo: tenant.visibility) != nil else { throw Problem.notFound("there is no such ECO") }
        let body = try await request.decodeBody(SimulatedScenarioBody.self, context: context)
        let eco = try await store.setSimulatedScenario(body.scenario.rawValue, eco: ecoID, noc: noc)
        return try jsonResponse(["ecoID": eco.ecoID.rawValue, "scenario": eco.scenario])
    }

    /// Simulations are run by the NOC that raises the ECOs.
    private func nocTenant(_ context: StrikeRequestContext) throws -> TenantID {
        let tenant = try context.requireTenant()
        guard tenant.kind == .noc else { throw Problem.forbidden("the simulators are run by the NOC; switch to a NOC tenant") }
        return tenant.id
    }
}

struct SimulatorView: Encodable {
    struct Scenario: Encodable {
        let name: SimulatorScenario
        let render: String
        let pager: String
    }

    struct Task: Encodable {
        let id: String
        let taskType: String
        let status: String
        let assignee: String?
        let updatedAt: String
    }

    struct Call: Encodable {
        let sid: String
        let nth: Int
        let to: String
        let behavior: SimulatedCallBehavior
        let status: String
        let heard: String?
        let placedAt: String
        let endedAt: String?
    }

    struct EcoState: Encodable {
        let ecoID: EcoID
        let scenario: SimulatorScenario
        let fieldStartedAt: String?
        let fieldStep: Int
        let renderTasks: [Task]
        let calls: [Call]

        init(_ state: (eco: SimulatedEco, tasks: [SimulatedTask], calls: [SimulatedCall])) {
            ecoID = state.eco.ecoID
            scenario = state.eco.playing
            fieldStartedAt = state.eco.fieldStartedAt.map(ISO8601.string(from:))
            fieldStep = state.eco.fieldStep
            renderTasks = state.tasks.map {
                Task(id: $0.id, taskType: $0.taskType, status: $0.status.rawValue, assignee: $0.assignee, updatedAt: ISO8601.string(from: $0.updatedAt))
            }
            calls = state.calls.map {
                Call(
                    sid: $0.sid, nth: $0.nth, to: $0.toNumber, behavior: $0.playing, status: $0.status, heard: $0.heard,
                    placedAt: ISO8601.string(from: $0.placedAt), endedAt: $0.endedAt.map(ISO8601.string(from:)))
            }
        }
    }

    let scenarios = SimulatorScenario.allCases.map { Scenario(name: $0, render: $0.render, pager: $0.pager) }
    let defaultScenario: SimulatorScenario
    let speed: Double
    let ecos: [EcoState]

    init(settings: SimulatorSettings, ecos: [EcoState]) {
        defaultScenario = SimulatorScenario(rawValue: settings.defaultScenario) ?? .happyPath
        speed = settings.speed
        self.ecos = ecos
    }
}
