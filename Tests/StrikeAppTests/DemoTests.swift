import Foundation
import StrikeApp
import StrikeIntegrations
import StrikeTestSupport
import Testing

/// `strike demo`: a fresh database with the demo world, and the sign-ins it prints working as printed.
@Suite struct DemoTests {
    @Test func theDemoPrintsItsSignInsAndEachOneWorks() async throws {
        let directory = try TemporaryDirectory()
        let port = try freeLoopbackPort()
        let demo = try RunningProduct("strike", ["demo", "--db", directory.path("demo.db"), "--host", "127.0.0.1", "--port", "\(port)"])
        defer { demo.stop(SIGTERM) }
        let up = try await demo.wait(upTo: 60) { product in
            product.lines.contains { $0.contains("Server started") } && product.lines.contains { $0.contains("supervisor") }
        }
        #expect(up, "the demo did not start: \(demo.standardError)")
        #expect(demo.lines.contains("Osprey Strike demo on http://localhost:\(port) (database \(directory.path("demo.db")))"))

        let http = URLSessionTransport()
        for credential in DemoSeed.credentials {
            let printed = demo.lines.first { $0.split(separator: " ").first.map(String.init) == credential.username }
            #expect(printed?.contains(credential.password) == true, "\(credential.username) is printed with its password")
            let answer = try await http.send(
                OutboundRequest(
                    method: "POST", url: URL(string: "http://127.0.0.1:\(port)/api/session")!, headers: ["Content-Type": "application/json"],
                    body: try JSONSerialization.data(withJSONObject: ["username": credential.username, "password": credential.password])))
            #expect(answer.status == 200, "\(credential.username) signs in: \(String(decoding: answer.body, as: UTF8.self))")
        }
    }
}
