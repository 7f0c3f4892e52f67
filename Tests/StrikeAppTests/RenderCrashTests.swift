import Foundation
import Hummingbird
import HummingbirdTesting
import StrikeCore
import StrikeIntegrations
import StrikeStore
import StrikeTestSupport
import Synchronization
import Testing

/// A Render on a loopback port that keeps its tasks in memory. While `holdCreations` is set, a creation is
/// kept (the task exists) but never answered, so the worker that asked can be killed before it records it.
private final class LoopbackRender: Sendable {
    let tasks = Mutex<[[String: String]]>([])
    let holdCreations = Mutex(true)

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("oauth/token") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"access_token":"tok","token_type":"Bearer","expires_in":3600}"#)))
        }
        router.get("projects/{project}/tasks") { request, _ in
            let subsector = request.uri.queryParameters["subsector"].map(String.init)
            let found = self.tasks.withLock { $0.filter { $0["subsector"] == subsector } }
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(data: try JSONSerialization.data(withJSONObject: ["tasks": found]))))
        }
        router.post("projects/{project}/tasks") { request, _ in
            let body = try JSONSerialization.jsonObject(with: Data(buffer: try await request.body.collect(upTo: 1 << 20))) as? [String: Any] ?? [:]
            let task = self.tasks.withLock { tasks -> [String: String] in
                let task = ["id": "T-\(tasks.count + 1)", "subsector": body["subsector"] as? String ?? "", "taskType": "ECO", "status": "pending"]
                tasks.append(task)
                return task
            }
            while self.holdCreations.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
            return Response(
                status: .created, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(data: try JSONSerialization.data(withJSONObject: task))))
        }
        return router
    }
}

/// The Render integration in a real process, killed with SIGKILL after Render made the task and before the
/// appliance recorded it: the restarted worker finds the task instead of making a second.
@Suite struct RenderCrashTests {
    @Test func killingTheWorkerBetweenCreatingTheTaskAndRecordingItLeavesOneTask() async throws {
        let directory = try TemporaryDirectory()
        let database = directory.path("render.db")
        let store = try StrikeStore(path: database, secrets: try KeyFile.loadOrCreate(at: database + ".key"))
        try await TestWorld.seedTenants(store)
        let render = LoopbackRender()
        let app = Application(router: render.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            _ = try await store.setRenderInstance(
                osp: TestWorld.osp,
                RenderInstanceChange(mode: .live, baseURL: "http://127.0.0.1:\(port)", clientID: "strike", clientSecret: "s3cret", projectID: "P-1"),
                actor: TestWorld.actor)
            let eco = try #require(try await store.createEco(TestWorld.draft(), actor: TestWorld.actor).state.id)

            let killed = try RunningProduct("strike-crash-writer", ["render", database])
            var made = false
            for _ in 0..<3000 where !made {
                made = !render.tasks.withLock { $0.isEmpty }
                if !made { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(made, "the worker never asked Render for a task: \(killed.standardError)")
            killed.stop(SIGKILL)
            #expect(try await store.load(Eco.self, id: eco.rawValue).state.integration == .pending, "killed before recording")

            render.holdCreations.withLock { $0 = false }
            let restarted = try RunningProduct("strike-crash-writer", ["render", database])
            #expect(try await restarted.wait(upTo: 30) { $0.lines.contains("caught up") }, "\(restarted.standardError)")
            #expect(render.tasks.withLock { $0.count } == 1)
            let tasked = try await store.load(Eco.self, id: eco.rawValue).state
            #expect(tasked.integration == .tasked)
            #expect(tasked.renderTaskID == "T-1")
        }
    }
}
