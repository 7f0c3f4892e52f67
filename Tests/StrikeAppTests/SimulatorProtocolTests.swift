import Foundation
import StrikeCore
import StrikeIntegrations
import StrikeTestSupport
import Testing

/// The simulators check credentials as the services they stand in for: nothing answers without the simulated
/// instance's own client secret, and a token reaches only its own project.
@Suite struct SimulatorProtocolTests {
    @Test func theRenderSimulatorChecksTheClientAndItsToken() async throws {
        let live = try await LiveAppliance.start()
        defer { Task { await live.stop() } }
        let base = "http://127.0.0.1:\(live.port)/sim/render"
        let http = URLSessionTransport()
        func token(_ secret: String, grant: String = "client_credentials") async throws -> InboundResponse {
            try await http.send(
                OutboundRequest(
                    method: "POST", url: URL(string: base + "/oauth/token")!,
                    headers: [
                        "Authorization": basicAuthorization(user: "test-osp-render", password: secret),
                        "Content-Type": "application/x-www-form-urlencoded",
                    ],
                    body: FormEncoding.encode([("grant_type", grant)])))
        }
        func tasks(_ path: String, bearer: String?) async throws -> Int {
            try await http.send(
                OutboundRequest(method: "GET", url: URL(string: base + path)!, headers: bearer.map { ["Authorization": "Bearer \($0)"] } ?? [:])
            ).status
        }

        #expect(try await token("not-the-secret").status == 401)
        #expect(try await token("render-client-secret", grant: "password").status == 400)
        let granted = try await token("render-client-secret")
        #expect(granted.status == 200)
        let access = try #require((try JSONSerialization.jsonObject(with: granted.body) as? [String: Any])?["access_token"] as? String)

        #expect(try await tasks("/projects/P-77/tasks?subsector=ECO-E2-00001-2026", bearer: nil) == 401)
        #expect(try await tasks("/projects/P-77/tasks?subsector=ECO-E2-00001-2026", bearer: "made-up") == 401)
        #expect(try await tasks("/projects/P-77/tasks?subsector=ECO-E2-00001-2026", bearer: access) == 200)
        #expect(try await tasks("/projects/P-78/tasks?subsector=ECO-E2-00001-2026", bearer: access) == 404, "another project")
        #expect(try await tasks("/projects/P-77/tasks", bearer: access) == 400, "no subsector")
    }
}
