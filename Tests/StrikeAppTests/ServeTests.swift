import Foundation
import Hummingbird
import HummingbirdTesting
import StrikeApp
import StrikeStore
import StrikeTestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@Suite struct ServeTests {
    @Test func healthAndReadinessAnswerInProcess() async throws {
        let directory = try TemporaryDirectory()
        var configuration = AppConfiguration()
        configuration.databasePath = directory.path("app.db")
        let app = await buildApplication(try await Appliance(configuration: configuration))

        try await app.test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == #"{"status":"ok"}"#)
            }
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains(#""name":"database","ok":true"#))
            }
        }
    }

    @Test func invalidConfigurationReportsEveryProblemTogether() {
        var configuration = AppConfiguration()
        configuration.port = 70000
        configuration.host = ""
        configuration.databasePath = " "
        #expect(configuration.problems().count == 3)
        #expect(throws: ConfigurationError.self) { try configuration.validated() }
    }

    @Test func serveAnswersOverHTTPRefusesASecondWriterAndStopsOnSigterm() async throws {
        let directory = try TemporaryDirectory()
        let database = directory.path("served.db")
        let port = Int.random(in: 20000...40000)
        let server = try RunningProduct("strike", ["serve", "--db", database, "--host", "127.0.0.1", "--port", "\(port)"])
        let up = try await server.wait(upTo: 30) { $0.lines.contains { $0.contains("Server started") } }
        #expect(up, "server did not start: \(server.standardError)")

        let (health, healthStatus) = try await get("http://127.0.0.1:\(port)/healthz")
        #expect(healthStatus == 200)
        #expect(health.contains("ok"))
        let (ready, readyStatus) = try await get("http://127.0.0.1:\(port)/readyz")
        #expect(readyStatus == 200, "\(ready)")
        #expect(server.lines.contains { $0.contains("sqlite=3.") && $0.contains("spatialite=") })

        let second = try runProduct("strike", ["serve", "--db", database, "--port", "\(port + 1)"])
        #expect(second.status != 0)
        #expect(second.stderr.contains("another process (pid \(server.pid)) is writing"))

        #expect(server.stop(SIGTERM) == 0)
    }

    private func get(_ url: String) async throws -> (String, Int) {
        let (data, response) = try await URLSession.shared.data(from: URL(string: url)!)
        return (String(decoding: data, as: UTF8.self), (response as? HTTPURLResponse)?.statusCode ?? 0)
    }
}
