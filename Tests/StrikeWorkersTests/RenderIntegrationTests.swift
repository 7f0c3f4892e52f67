import Foundation
import GRDB
import StrikeCore
import StrikeIntegrations
@testable import StrikeStore
import StrikeTestSupport
import StrikeWorkers
import Synchronization
import Testing

/// An in-memory Render: issues tokens, lists and creates tasks per subsector. `onCreate` may make a creation
/// go wrong after the task exists (a lost answer, a crash) or refuse it.
final class FakeRender: HTTPTransport {
    enum Mishap: Sendable { case none, loseAnswer, crashAfterCreating, refuseToken }
    private let tasks = Mutex<[RenderTask]>([])
    private let mishaps = Mutex<[Mishap]>([])
    private let outage = Mutex<(down: Bool, refused: Int)>((false, 0))

    var created: [RenderTask] { tasks.withLock { $0 } }
    /// Task requests answered 503 while Render was down.
    var refusedWhileDown: Int { outage.withLock { $0.refused } }

    /// Render answers every task request with a 503 until `down` is false again.
    func setDown(_ down: Bool) { outage.withLock { $0.down = down } }

    /// The field at work: a task changes status, or a follow-on task is cloned into the subsector.
    func set(_ id: String, _ status: RenderTaskStatus) {
        tasks.withLock { tasks in
            for index in tasks.indices where tasks[index].id == id { tasks[index].status = status }
        }
    }

    func clone(_ id: String, as newID: String) {
        tasks.withLock { tasks in
            guard var copy = tasks.first(where: { $0.id == id }) else { return }
            copy.id = newID
            copy.status = .pending
            tasks.append(copy)
        }
    }

    /// The next creations go wrong in these ways, one each, then all go well.
    func plan(_ next: Mishap...) { mishaps.withLock { $0 = next } }

    func send(_ request: OutboundRequest) async throws -> InboundResponse {
        let mishap = mishaps.withLock { $0.first ?? .none }
        if request.url.path.hasSuffix("/oauth/token") {
            if mishap == .refuseToken { return json(401, ["error": "invalid_client", "error_description": "unknown client"]) }
            return json(200, ["access_token": "tok", "token_type": "Bearer", "expires_in": 3600])
        }
        let refusing = outage.withLock { outage in
            if outage.down { outage.refused += 1 }
            return outage.down
        }
        if refusing { return InboundResponse(status: 503, body: Data("{}".utf8)) }
        if request.method == "GET" {
            let subsector = URLComponents(url: request.url, resolvingAgainstBaseURL: false)?.queryItems?.first { $0.name == "subsector" }?.value
            let found = tasks.withLock { $0.filter { $0.subsector == subsector } }
            return InboundResponse(status: 200, body: try JSONEncoder().encode(["tasks": found]))
        }
        let body = try JSONSerialization.jsonObject(with: request.body ?? Data()) as? [String: Any] ?? [:]
        let task = RenderTask(
            id: "T-\(tasks.withLock { $0.count } + 1)", subsector: body["subsector"] as? String ?? "", taskType: body["taskType"] as? String ?? "",
            status: .pending, externalReference: body["externalReference"] as? String)
        tasks.withLock { $0.append(task) }
        mishaps.withLock { if !$0.isEmpty { $0.removeFirst() } }
        switch mishap {
        case .loseAnswer: throw URLError(.networkConnectionLost)
        case .crashAfterCreating: throw CancellationError()
        case .none, .refuseToken: return InboundResponse(status: 201, body: try JSONEncoder().encode(task))
        }
    }
}

@Suite struct RenderIntegrationTests {
    let world: TestWorld
    let render = FakeRender()
    let runner: ConsumerRunner

    init() async throws {
        world = try await TestWorld.make(clock: .instantSleeps)
        let integration = RenderIntegration(
            store: world.store, client: RenderClient(transport: render),
            endpoints: Endpoints(publicBaseURL: nil, localBaseURL: URL(string: "http://127.0.0.1:8080")!), clock: .instantSleeps)
        runner = ConsumerRunner(store: world.store, consumers: [integration])
    }

    private func configureRender() async throws {
        _ = try await world.store.setRenderInstance(
            osp: TestWorld.osp,
            RenderInstanceChange(mode: .simulated, baseURL: nil, clientID: "strike", clientSecret: "s3cret", projectID: "P-1"),
            actor: TestWorld.actor)
    }

    private func eco(_ id: EcoID) async throws -> Eco { try await world.store.load(Eco.self, id: id.rawValue).state }

    @Test func aNewEcoIsTaskedOnceHoweverOftenItsEventArrives() async throws {
        try await configureRender()
        let id = try #require(try await world.createEco().state.id)
        try await runner.drain()
        let tasked = try await eco(id)
        #expect(tasked.integration == .tasked)
        #expect(tasked.renderTaskID == "T-1")
        #expect(render.created.map(\.subsector) == [tasked.jobID.subsector])
        #expect(render.created.first?.externalReference == id.rawValue)

        let version = try await world.store.load(Eco.self, id: id.rawValue).version
        try await world.store.writer.write { db in try db.execute(sql: "UPDATE consumer_checkpoint SET position = 0 WHERE consumer = 'render-integration'") }
        try await runner.drain()
        #expect(render.created.count == 1, "a redelivered EcoCreated makes no second task")
        #expect(try await world.store.load(Eco.self, id: id.rawValue).version == version, "and records nothing new")
    }

    @Test func theTaskIsOfTheInstancesDefaultType() async throws {
        try await configureRender()
        _ = try await world.createEco()
        try await runner.drain()
        _ = try await world.store.setRenderInstance(
            osp: TestWorld.osp,
            RenderInstanceChange(mode: .simulated, baseURL: nil, clientID: "strike", clientSecret: nil, projectID: "P-1", defaultTaskType: "Emergency splice"),
            actor: TestWorld.actor)
        _ = try await world.createEco()
        try await runner.drain()
        #expect(render.created.map(\.taskType) == ["ECO investigation", "Emergency splice"])
    }

    @Test func aCrashBetweenCreatingTheTaskAndRecordingItLeavesOneTask() async throws {
        try await configureRender()
        let id = try #require(try await world.createEco().state.id)
        render.plan(.crashAfterCreating)
        try? await runner.drain()
        #expect(render.created.count == 1)
        #expect(try await eco(id).integration == .pending, "the process died before recording the task")
        #expect(try await world.store.checkpoint(of: "render-integration") == 0)

        try await runner.drain()
        #expect(render.created.count == 1, "the restarted worker finds the task instead of making another")
        #expect(try await eco(id).renderTaskID == "T-1")
    }

    @Test func aLostAnswerIsRetriedAndFindsTheTaskItMade() async throws {
        try await configureRender()
        let id = try #require(try await world.createEco().state.id)
        render.plan(.loseAnswer)
        try await runner.drain()
        #expect(render.created.count == 1)
        #expect(try await eco(id).integration == .tasked)
    }

    @Test func anOutageIsTriedAgainByOneLayerOnlyThenRecordedWithItsReason() async throws {
        try await configureRender()
        let id = try #require(try await world.createEco().state.id)
        render.setDown(true)
        try await runner.drain()
        #expect(render.refusedWhileDown == 3, "the integration's three attempts, each one request: the client does not retry too")
        let failed = try await eco(id)
        #expect(failed.integration == .failed(.render))
        #expect(failed.integrationReason?.contains("503") == true)
        #expect(render.created.isEmpty)
    }

    @Test func withoutAnInstanceOrWithRefusedCredentialsTheEcoFailsWithAReason() async throws {
        let bare = try #require(try await world.createEco("No Render yet").state.id)
        try await runner.drain()
        let failed = try await eco(bare)
        #expect(failed.integration == .failed(.render))
        #expect(failed.integrationReason == "no Render instance is set up for this OSP")

        try await configureRender()
        render.plan(.refuseToken)
        let refused = try #require(try await world.createEco("Wrong secret").state.id)
        try await runner.drain()
        #expect(try await eco(refused).integrationReason == "Render refused the client credentials (HTTP 401): unknown client")
        #expect(render.created.isEmpty)

        // An operator's retry after the cause is fixed goes through the same worker.
        render.plan()
        try await world.store.execute(.retryIntegration, on: refused, actor: TestWorld.actor)
        try await runner.drain()
        #expect(try await eco(refused).integration == .tasked)
        #expect(render.created.count == 1)
    }
}
