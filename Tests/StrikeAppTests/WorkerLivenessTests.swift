import Foundation
import Logging
import ServiceLifecycle
import StrikeApp
import StrikeCore
import StrikeIntegrations
import StrikeRuntime
import StrikeStore
import StrikeTestSupport
import Synchronization
import Testing

/// A worker is reported stuck only when it is: one busy for minutes on a slow Render stays alive on `/readyz`,
/// one whose call never returns is reported stuck after the stall limit, and the systemd watchdog stops being
/// fed then, so systemd restarts the appliance. Everything runs on a manual clock.
@Suite struct WorkerLivenessTests {
    static let epoch = Date(timeIntervalSince1970: 1_795_000_000)

    /// Render as the appliance sees it through this transport: each call answered with a timeout after
    /// `delay` of the test's clock (slow), or never answered (hung).
    final class StallingRender: HTTPTransport {
        enum Behaviour { case slow(Duration), hung }
        let behaviour: Behaviour
        let clock: ManualClock
        private let count = Atomic(0)

        init(_ behaviour: Behaviour, clock: ManualClock) {
            self.behaviour = behaviour
            self.clock = clock
        }

        var calls: Int { count.load(ordering: .relaxed) }

        func send(_ request: OutboundRequest) async throws -> InboundResponse {
            count.add(1, ordering: .relaxed)
            switch behaviour {
            case .slow(let delay):
                try await clock.sleep(for: delay)
                throw URLError(.timedOut)
            case .hung:
                while true { try await Task.sleep(for: .seconds(3600)) }
            }
        }
    }

    /// A running appliance (HTTP on a loopback port, every worker) on `clock`, with a simulated Render instance
    /// reached through `render`; `systemd` plays the service manager.
    struct Running {
        let directory: TemporaryDirectory
        let store: StrikeStore
        let port: Int
        let group: ServiceGroup
        let task: Task<Void, any Error>

        func readiness() async throws -> (status: Int, text: String) {
            let answer = try await URLSessionTransport().send(
                OutboundRequest(method: "GET", url: URL(string: "http://127.0.0.1:\(port)/readyz")!, timeout: .seconds(10)))
            return (answer.status, String(decoding: answer.body, as: UTF8.self))
        }

        func stop() async {
            await group.triggerGracefulShutdown()
            _ = await task.result
        }
    }

    private func start(render: StallingRender, systemd: SystemdSupervision? = nil) async throws -> Running {
        let directory = try TemporaryDirectory()
        let clock = render.clock
        let driver = ClockDriver(clock: clock)
        let store = try StrikeStore(path: directory.path("strike.db"), secrets: .random(), clock: driver.applianceClock(from: Self.epoch))
        try await TestWorld.seedTenants(store)
        _ = try await store.setRenderInstance(
            osp: TestWorld.osp,
            RenderInstanceChange(
                mode: .simulated, baseURL: nil, clientID: "osp-render", clientSecret: "render-secret", projectID: "P-1", pollIntervalSeconds: 60),
            actor: .system("test"))
        var configuration = AppConfiguration()
        configuration.databasePath = directory.path("strike.db")
        configuration.port = try LoopbackPort.free()
        configuration.passwordCost = 4
        configuration.logLevel = .error
        let appliance = try await Appliance(configuration: configuration, store: store, transport: render)
        let group = ServiceGroup(
            configuration: .init(services: [await buildApplication(appliance, systemd: systemd)], logger: Logger(label: "liveness")))
        let task = Task { try await group.run() }
        let running = Running(directory: directory, store: store, port: configuration.port, group: group, task: task)
        let deadline = Date().addingTimeInterval(20)
        while (try? await running.readiness())?.status != 200, Date() < deadline { try await Task.sleep(for: .milliseconds(5)) }
        return running
    }

    /// Moves the clock a second at a time, letting the appliance work a few real milliseconds after each.
    private func advance(_ clock: ManualClock, seconds: Int, each: (Int) async throws -> Void = { _ in }) async throws {
        for second in 1...seconds {
            clock.advance(by: .seconds(1))
            try await Task.sleep(for: .milliseconds(2))
            try await each(second)
        }
    }

    @Test func aWorkerBusyForMinutesOnASlowRenderIsReportedAliveThroughout() async throws {
        // Each of the integration's three attempts waits 50 s on Render: busy well past the stall limit.
        let render = StallingRender(.slow(.seconds(50)), clock: ManualClock())
        let running = try await start(render: render)
        let eco = try await running.store.createEco(TestWorld.draft(), actor: TestWorld.actor).state
        var busySeconds = 0
        for second in 1...600 {
            render.clock.advance(by: .seconds(1))
            try await Task.sleep(for: .milliseconds(2))
            let state = try await running.store.load(Eco.self, id: try #require(eco.id).rawValue).state
            if state.integration != .pending { break }
            busySeconds = second
            let (status, text) = try await running.readiness()
            #expect(status == 200, "after \(second) s of a busy Render integration: \(text)")
            #expect(text.contains(#""name":"consumer render-integration","ok":true"#), "\(text)")
            if status != 200 { break }
        }
        #expect(busySeconds > 120, "the worker was busy past the stall limit (\(busySeconds) s)")
        #expect(render.calls == 3, "every attempt called Render, once each (\(render.calls) calls)")
        let settled = try await running.store.load(Eco.self, id: try #require(eco.id).rawValue).state
        #expect(settled.integration == .failed(.render), "Render never answered, so the ECO failed its integration")
        #expect(settled.integrationReason?.contains("Render could not be reached") == true, "\(settled.integrationReason ?? "")")
        await running.stop()
    }

    @Test func aWorkerWhoseCallNeverReturnsIsReportedStuckAndTheWatchdogStops() async throws {
        let directory = try TemporaryDirectory()
        let systemd = try NotifySocket(path: directory.path("notify"))
        let render = StallingRender(.hung, clock: ManualClock())
        let supervision = SystemdSupervision(
            notifier: try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": systemd.path])), watchdogInterval: .seconds(5),
            clock: .stepped(render.clock, from: Self.epoch))
        let running = try await start(render: render, systemd: supervision)
        #expect(systemd.received().first == "READY=1", "systemd is told once the appliance serves")

        _ = try await running.store.createEco(TestWorld.draft(), actor: TestWorld.actor)
        // The commit wakes the Render integration, which calls Render before the clock moves at all.
        let called = Date().addingTimeInterval(20)
        while render.calls == 0, Date() < called { try await Task.sleep(for: .milliseconds(1)) }
        try await advance(render.clock, seconds: 60)
        #expect(render.calls == 1, "the Render integration is waiting on its first call")
        #expect(systemd.received().filter { $0 == "WATCHDOG=1" }.count >= 10, "the watchdog is fed while no worker is stuck")
        let (statusBefore, textBefore) = try await running.readiness()
        #expect(statusBefore == 200, "60 s without progress is within the limit: \(textBefore)")

        try await advance(render.clock, seconds: 35)
        let (status, text) = try await running.readiness()
        #expect(status == 503)
        #expect(text.contains(#"{"detail":"stuck: no progress for 9"#), "\(text)")
        #expect(text.contains(#""name":"consumer render-integration","ok":false}"#), "\(text)")
        for alive in ["consumer pager", "pager deadlines", "render poller", "twilio simulator"] {
            #expect(text.contains(#""name":"\#(alive)","ok":true"#), "\(alive) is still alive: \(text)")
        }
        _ = systemd.received()
        try await advance(render.clock, seconds: 60)
        #expect(!systemd.received().contains("WATCHDOG=1"), "no watchdog ping while a worker is stuck")
        await running.stop()
    }

    /// `strike serve` under a (played) systemd: `READY=1` once it serves, then `WATCHDOG=1` every half of
    /// `$WATCHDOG_USEC`.
    @Test func serveTellsSystemdItIsReadyAndFeedsItsWatchdog() async throws {
        let directory = try TemporaryDirectory()
        let systemd = try NotifySocket(path: directory.path("notify"))
        let server = try RunningProduct(
            "strike", ["serve", "--db", directory.path("strike.db"), "--host", "127.0.0.1", "--port", "\(try LoopbackPort.free())"],
            environment: ["NOTIFY_SOCKET": systemd.path, "WATCHDOG_USEC": "100000"])
        defer { server.stop(SIGTERM) }
        var messages: [String] = []
        let deadline = Date().addingTimeInterval(30)
        while messages.filter({ $0 == "WATCHDOG=1" }).count < 3, Date() < deadline {
            messages += systemd.received()
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(messages.first == "READY=1", "\(messages) \(server.standardError)")
        #expect(messages.filter { $0 == "WATCHDOG=1" }.count >= 3, "\(messages)")
    }
}

/// The service manager's end of `$NOTIFY_SOCKET`: a Unix datagram socket whose messages the test reads.
final class NotifySocket {
    let path: String
    private let descriptor: Int32

    init(path: String) throws {
        self.path = path
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8) + [0]) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard descriptor >= 0, bound == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    deinit { close(descriptor) }

    /// Every message that arrived since the last call, oldest first, without waiting.
    func received() -> [String] {
        var messages: [String] = []
        var buffer = [UInt8](repeating: 0, count: 512)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            guard count > 0 else { return messages }
            messages.append(String(decoding: buffer[0..<count], as: UTF8.self))
        }
    }
}
