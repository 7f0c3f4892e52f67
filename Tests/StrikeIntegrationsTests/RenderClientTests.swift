import Foundation
import StrikeCore
import StrikeIntegrations
import StrikeTestSupport
import Synchronization
import Testing

@Suite struct RenderClientTests {
    static let instance = RenderCredentials(
        instanceKey: "osp-1", baseURL: URL(string: "https://render.example.net/api")!, clientID: "strike", clientSecret: "s3cret",
        projectID: "P-100")
    static let task: [String: any Sendable] = ["id": "T-1", "subsector": "ECO-E2-00001-2026", "taskType": "ECO", "status": "pending"]

    /// A Render that issues tokens (`tok-1`, `tok-2`, …) after a few milliseconds and answers task lists with
    /// `tasks`, unless `listStatus` says otherwise.
    static func render(listStatus: @escaping @Sendable (OutboundRequest) -> Int = { _ in 200 }) -> FakeTransport {
        let issued = Mutex(0)
        return FakeTransport { request in
            if request.url.path.hasSuffix("/oauth/token") {
                try await Task.sleep(for: .milliseconds(20))
                let number = issued.withLock { $0 += 1; return $0 }
                return json(200, ["access_token": "tok-\(number)", "token_type": "Bearer", "expires_in": 3600])
            }
            let status = listStatus(request)
            return status == 200 ? json(200, ["tasks": [task]]) : json(status, ["error": "nope", "message": "HTTP \(status)"])
        }
    }

    @Test func fiftyConcurrentCallsOnAColdCacheMakeOneTokenRequest() async throws {
        let transport = Self.render()
        let client = RenderClient(transport: transport)
        try await withThrowingTaskGroup(of: [RenderTask].self) { group in
            for _ in 0..<50 { group.addTask { try await client.tasks(inSubsector: "ECO-E2-00001-2026", on: Self.instance) } }
            for try await tasks in group { #expect(tasks.map(\.id) == ["T-1"]) }
        }
        #expect(transport.requests(toPathEndingWith: "/oauth/token").count == 1)
        #expect(transport.requests(toPathEndingWith: "/tasks").count == 50)
        #expect(transport.requests(toPathEndingWith: "/tasks").allSatisfy { $0.headers["Authorization"] == "Bearer tok-1" })

        let token = try #require(transport.requests(toPathEndingWith: "/oauth/token").first)
        #expect(token.method == "POST")
        #expect(token.headers["Authorization"] == "Basic " + Data("strike:s3cret".utf8).base64EncodedString())
        #expect(token.headers["Content-Type"] == "application/x-www-form-urlencoded")
        #expect(String(decoding: token.body ?? Data(), as: UTF8.self) == "grant_type=client_credentials")
    }

    @Test func anExpiredTokenIsRefreshedOnceForEveryoneWaiting() async throws {
        let now = ManualNow()
        let transport = Self.render()
        let client = RenderClient(transport: transport, clock: now.clock)
        _ = try await client.tasks(inSubsector: "S", on: Self.instance)
        now.advance(seconds: 3000)
        _ = try await client.tasks(inSubsector: "S", on: Self.instance)
        #expect(transport.requests(toPathEndingWith: "/oauth/token").count == 1, "still fresh 50 minutes into its hour")

        now.advance(seconds: 550)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<10 { group.addTask { _ = try await client.tasks(inSubsector: "S", on: Self.instance) } }
            try await group.waitForAll()
        }
        #expect(transport.requests(toPathEndingWith: "/oauth/token").count == 2, "renewed once, a minute before it expires")
        #expect(transport.requests(toPathEndingWith: "/tasks").suffix(10).allSatisfy { $0.headers["Authorization"] == "Bearer tok-2" })
    }

    @Test func a401LeadsToOneRefreshAndOneRetryNotALoop() async throws {
        let refusing = Self.render { _ in 401 }
        let client = RenderClient(transport: refusing)
        await #expect(throws: RenderError.unauthorized) { try await client.tasks(inSubsector: "S", on: Self.instance) }
        #expect(refusing.requests(toPathEndingWith: "/oauth/token").count == 2)
        #expect(refusing.requests(toPathEndingWith: "/tasks").count == 2)

        let revokedOnce = Mutex(false)
        let healing = Self.render { request in
            request.headers["Authorization"] == "Bearer tok-1" && !revokedOnce.withLock({ $0 }) ? 401 : 200
        }
        let healed = RenderClient(transport: healing)
        #expect(try await healed.tasks(inSubsector: "S", on: Self.instance).count == 1)
        #expect(healing.requests(toPathEndingWith: "/tasks").map { $0.headers["Authorization"] } == ["Bearer tok-1", "Bearer tok-2"])
    }

    @Test func aServerErrorIsReportedAtOnceForAReadAndACreation() async throws {
        let failures = Mutex(1)
        let flaky = Self.render { _ in failures.withLock { $0 -= 1; return $0 >= 0 ? 503 : 200 } }
        let client = RenderClient(transport: flaky)
        await #expect(throws: RenderError.unavailable(status: 503)) { try await client.tasks(inSubsector: "S", on: Self.instance) }
        #expect(flaky.requests(toPathEndingWith: "/tasks").count == 1, "trying again is the caller's to decide")
        #expect(try await client.tasks(inSubsector: "S", on: Self.instance).count == 1)

        let down = Self.render { _ in 503 }
        let creating = RenderClient(transport: down)
        let new = NewRenderTask(
            subsector: "ECO-E2-00001-2026", taskType: "ECO", description: "Fiber cut", location: .point(Position(longitude: -104.9, latitude: 39.7)),
            externalReference: "eco-1")
        await #expect(throws: RenderError.unavailable(status: 503)) { try await creating.createTask(new, on: Self.instance) }
        let posted = down.requests(toPathEndingWith: "/tasks")
        #expect(posted.count == 1)
        #expect(posted.first?.url.absoluteString == "https://render.example.net/api/projects/P-100/tasks")
        let body = try #require(try JSONSerialization.jsonObject(with: posted.first?.body ?? Data()) as? [String: Any])
        #expect(body["subsector"] as? String == "ECO-E2-00001-2026")
        #expect(body["externalReference"] as? String == "eco-1")
        #expect((body["geometry"] as? [String: Any])?["type"] as? String == "Point")
    }

    @Test func refusedCredentialsAreReportedInWordsAndNotRetried() async throws {
        let transport = FakeTransport { _ in json(401, ["error": "invalid_client", "error_description": "unknown client"]) }
        let client = RenderClient(transport: transport)
        await #expect(throws: RenderError.tokenRefused(status: 401, detail: "unknown client")) {
            try await client.tasks(inSubsector: "S", on: Self.instance)
        }
        #expect(transport.requests.count == 1)
    }
}
