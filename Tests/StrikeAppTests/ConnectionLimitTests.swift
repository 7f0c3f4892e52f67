import Foundation
import Logging
import ServiceLifecycle
import StrikeApp
import StrikeIntegrations
import StrikeTestSupport
import Testing

/// Idle and half-sent connections cannot pile up: the server closes them after its idle timeout, keeps its
/// connections under a cap below the open-file limit, and `/healthz` answers however many sockets wait.
@Suite struct ConnectionLimitTests {
    /// The appliance serving on a loopback port with this idle timeout and connection cap, until `body` ends.
    private func serving(
        idleTimeout: TimeInterval, maxConnections: Int? = nil, _ body: (_ port: Int) async throws -> Void
    ) async throws {
        let directory = try TemporaryDirectory()
        var configuration = AppConfiguration()
        configuration.databasePath = directory.path("strike.db")
        configuration.port = try LoopbackPort.free()
        configuration.passwordCost = 4
        configuration.logLevel = .warning
        configuration.idleTimeout = idleTimeout
        configuration.maxConnections = maxConnections
        let app = await buildApplication(try await Appliance(configuration: configuration))
        let group = ServiceGroup(configuration: .init(services: [app], logger: Logger(label: "connections")))
        let running = Task { try await group.run() }
        defer { running.cancel() }
        let port = configuration.port
        let deadline = Date().addingTimeInterval(20)
        while try await health(port)?.status != 200, Date() < deadline { try await Task.sleep(for: .milliseconds(5)) }
        try await body(port)
        await group.triggerGracefulShutdown()
        _ = await running.result
    }

    private func health(_ port: Int, path: String = "healthz") async throws -> InboundResponse? {
        try? await URLSessionTransport().send(
            OutboundRequest(method: "GET", url: URL(string: "http://127.0.0.1:\(port)/\(path)")!, timeout: .seconds(5)))
    }

    @Test func anIdleOrHalfSentConnectionIsClosedAfterTheIdleTimeout() async throws {
        try await serving(idleTimeout: 1) { port in
            let opened = Date()
            let idle = try RawConnection(port: port)
            let halfSent = try RawConnection(port: port)
            halfSent.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            #expect(try await idle.closedByServer(within: 10), "an idle connection is closed")
            #expect(try await halfSent.closedByServer(within: 10), "a request whose headers never end is closed too")
            // Seen closed no sooner than the timeout: the idle timeout closed them, not a refusal at once. (A
            // slow machine only sees the close later, so this holds however busy it is.)
            #expect(Date().timeIntervalSince(opened) >= 1, "closed after the idle timeout, not at once")
        }
    }

    @Test func beyondTheConnectionCapTheConnectionQuietLongestMakesRoom() async throws {
        try await serving(idleTimeout: 30, maxConnections: 4) { port in
            var idle: [RawConnection] = []
            for _ in 0..<8 {
                idle.append(try RawConnection(port: port))
                try await Task.sleep(for: .milliseconds(20))
            }
            let answer = try await health(port)
            #expect(answer?.status == 200, "/healthz answers with twice the cap of idle connections open")
            for (index, connection) in idle.prefix(4).enumerated() {
                #expect(try await connection.closedByServer(within: 1), "idle connection \(index), among the oldest, made room")
            }
            #expect(!(idle.last?.isClosedByServer ?? true), "the newest idle connection is still open")
        }
    }

    /// The symptom of the issue: with the open-file limit full of idle sockets, `/healthz` timed out and the
    /// database could not open files. The cap, read from the limit, keeps files free for both.
    @Test func withMoreIdleConnectionsThanTheFileLimitHealthAndTheDatabaseStillAnswer() async throws {
        let directory = try TemporaryDirectory()
        let port = try LoopbackPort.free()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/bin/sh")
        server.arguments = [
            "-c", #"ulimit -n 128 && exec "$0" "$@""#, BuiltProducts.executable("strike").path, "serve", "--db", directory.path("strike.db"),
            "--host", "127.0.0.1", "--port", "\(port)", "--log-level", "warning",
        ]
        server.standardOutput = FileHandle.nullDevice
        try ProcessLaunch.run(server)
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        let deadline = Date().addingTimeInterval(30)
        while try await health(port)?.status != 200, Date() < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(try await health(port)?.status == 200, "the server started under a limit of 128 files")

        var idle: [RawConnection] = []
        for _ in 0..<200 { idle.append(try RawConnection(port: port)) }
        #expect(try await health(port)?.status == 200, "/healthz answers with 200 idle connections open")
        let ready = try await health(port, path: "readyz")
        let readiness = String(decoding: ready?.body ?? Data(), as: UTF8.self)
        #expect(readiness.contains(#""name":"database","ok":true"#), "the database still works: \(readiness)")
        withExtendedLifetime(idle) {}
    }
}
