import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import StrikeApp
import StrikeCore
import StrikeHTTP
import StrikeIntegrations
import StrikeRuntime
import StrikeSimulator
import StrikeStore
import StrikeTestSupport
import Testing

/// The whole appliance as `strike serve` runs it (HTTP server on a loopback port, workers, the simulators),
/// on a manual clock the test moves forward. The NOC's Twilio account and the OSP's Render instance are
/// `simulated`, so Render and Twilio are the appliance's own `/sim/…`; a pager list around Denver rings
/// three contacts. Everything the test asserts, it reads through the HTTP API.
final class LiveAppliance: @unchecked Sendable {
    static let epoch = Date(timeIntervalSince1970: 1_795_000_000)
    static let contacts = [
        PagerContact(name: "Ana Ortiz", phone: "+13035550101"), PagerContact(name: "Ben Okafor", phone: "+13035550102"),
        PagerContact(name: "Cy Lund", phone: "+13035550103"),
    ]
    static let accountSID = "AC" + String(repeating: "5e", count: 16)

    let directory: TemporaryDirectory
    let driver: ClockDriver
    var clock: ManualClock { driver.clock }
    let port: Int
    let secrets: SecretBox
    private(set) var store: StrikeStore
    private(set) var token = ""
    private(set) var ospToken = ""
    private var running: Task<Void, any Error>?
    private var services: ServiceGroup?
    private let client = URLSessionTransport()

    private init(directory: TemporaryDirectory, store: StrikeStore, secrets: SecretBox, port: Int, driver: ClockDriver) {
        self.driver = driver
        self.directory = directory
        self.store = store
        self.secrets = secrets
        self.port = port
    }

    /// A running appliance with the simulated world set up; `speed` is the simulators' speed factor.
    static func start(speed: Double = 5, defaultScenario: SimulatorScenario = .happyPath) async throws -> LiveAppliance {
        let directory = try TemporaryDirectory()
        let secrets = SecretBox.random()
        let driver = ClockDriver()
        let store = try StrikeStore(path: directory.path("strike.db"), secrets: secrets, clock: driver.applianceClock(from: epoch))
        let live = LiveAppliance(directory: directory, store: store, secrets: secrets, port: try LoopbackPort.free(), driver: driver)
        try await live.seed(speed: speed, defaultScenario: defaultScenario)
        try await live.startServer()
        return live
    }

    private func seed(speed: Double, defaultScenario: SimulatorScenario) async throws {
        let actor = ActorID.system("e2e")
        try await TestWorld.seedTenants(store)
        _ = try await store.setRenderInstance(
            osp: TestWorld.osp,
            RenderInstanceChange(
                mode: .simulated, baseURL: nil, clientID: "test-osp-render", clientSecret: "render-client-secret", projectID: "P-77",
                pollIntervalSeconds: 10, gracePeriodHours: 1),
            actor: actor)
        _ = try await store.setTwilioAccount(
            noc: TestWorld.noc,
            TwilioAccountChange(mode: .simulated, accountSID: Self.accountSID, authToken: "twilio-auth-token", fromNumber: "+13035550199"),
            actor: actor)
        let ring = [(-105.2, 39.5), (-104.7, 39.5), (-104.7, 40.0), (-105.2, 40.0), (-105.2, 39.5)].map { Position(longitude: $0.0, latitude: $0.1) }
        let list = try await store.createPagerList(
            PagerListDraft(ospTenantID: TestWorld.osp, name: "Denver", region: try Region(polygons: [[ring]])), actor: actor)
        _ = try await store.setPagerListContacts(list.id, osp: TestWorld.osp, contacts: Self.contacts, actor: actor)
        try await store.setSimulatorSettings(SimulatorSettings(defaultScenario: defaultScenario.rawValue, speed: speed), noc: TestWorld.noc)
        token = try await APITokens.issue(store, name: "e2e", tenant: TestWorld.noc, role: .admin, actor: actor).secret
        ospToken = try await APITokens.issue(store, name: "e2e-osp", tenant: TestWorld.osp, role: .admin, actor: actor).secret
    }

    private func startServer() async throws {
        var configuration = AppConfiguration()
        configuration.databasePath = directory.path("strike.db")
        configuration.port = port
        configuration.passwordCost = 4
        let appliance = try await Appliance(
            configuration: configuration, store: store, transport: driver.transport, simulatorTransport: driver.simulatorTransport)
        let app = await buildApplication(appliance)
        let group = ServiceGroup(configuration: .init(services: [app], logger: Logger(label: "e2e")))
        services = group
        running = Task { try await group.run() }
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if (try? await request("GET", "/healthz"))?.status == 200 { return }
            try await Task.sleep(for: .milliseconds(5))
        }
        Issue.record("the appliance did not start on port \(port)")
    }

    /// Stops the appliance as a restart does, and starts it again on the same database and port.
    func restart() async throws {
        await stop()
        store = try StrikeStore(path: directory.path("strike.db"), secrets: secrets, clock: driver.applianceClock(from: Self.epoch))
        try await startServer()
    }

    /// Stops the appliance as `SIGTERM` does: the server and every worker wind down.
    func stop() async {
        await services?.triggerGracefulShutdown()
        _ = await running?.result
    }

    // MARK: HTTP

    struct Answer {
        let status: Int
        let body: Data
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:] }
    }

    /// A request with the NOC admin's token, or the OSP admin's with `asOSP`.
    func request(_ method: String, _ path: String, _ body: [String: Any]? = nil, asOSP: Bool = false) async throws -> Answer {
        var headers = ["Accept": "application/json"]
        let token = asOSP ? ospToken : token
        if !token.isEmpty { headers["Authorization"] = "Bearer \(token)" }
        if body != nil { headers["Content-Type"] = "application/json" }
        let response = try await client.send(
            OutboundRequest(
                method: method, url: URL(string: "http://127.0.0.1:\(port)\(path)")!, headers: headers,
                body: try body.map { try JSONSerialization.data(withJSONObject: $0) }))
        return Answer(status: response.status, body: response.body)
    }

    /// Opens an ECO through the API, in the pager list's region; its id.
    func createEco(_ description: String, longitude: Double = -104.99, latitude: Double = 39.74) async throws -> String {
        let answer = try await request(
            "POST", "/api/ecos",
            [
                "location": ["type": "Point", "coordinates": [longitude, latitude]], "jobType": "CMR", "description": description,
                "ospTenantID": TestWorld.osp.rawValue,
            ])
        #expect(answer.status == 201, "create: \(String(decoding: answer.body, as: UTF8.self))")
        return try #require((answer.json["eco"] as? [String: Any])?["id"] as? String)
    }

    func setScenario(_ scenario: SimulatorScenario, eco: String) async throws {
        let answer = try await request("PUT", "/api/simulator/ecos/\(eco)", ["scenario": scenario.rawValue])
        #expect(answer.status == 200, "scenario: \(String(decoding: answer.body, as: UTF8.self))")
    }

    func eco(_ id: String) async throws -> [String: Any] {
        try await request("GET", "/api/ecos/\(id)").json["eco"] as? [String: Any] ?? [:]
    }

    /// The ECO's status and integration status, such as `HARD_COMPLETE` and `DISPATCHED`.
    func state(_ id: String) async throws -> (status: String, integration: String) {
        let eco = try await eco(id)
        return (eco["status"] as? String ?? "", (eco["integration"] as? [String: Any])?["status"] as? String ?? "")
    }

    /// The status and integration status of each of these ECOs, from one page of the list.
    func states(_ ids: [String]) async throws -> [String: (status: String, integration: String)] {
        let items = try await request("GET", "/api/ecos?limit=200").json["items"] as? [[String: Any]] ?? []
        var states: [String: (status: String, integration: String)] = [:]
        for item in items {
            guard let id = item["id"] as? String, ids.contains(id) else { continue }
            states[id] = (item["status"] as? String ?? "", (item["integration"] as? [String: Any])?["status"] as? String ?? "")
        }
        return states
    }

    func timelineEntries(_ id: String) async throws -> [[String: Any]] {
        try await request("GET", "/api/ecos/\(id)/timeline").json["entries"] as? [[String: Any]] ?? []
    }

    /// Every pager run of the ECO, each with its attempts' kinds in order.
    func pagerRuns(_ id: String) async throws -> [[String: Any]] {
        let answer = try await request("GET", "/api/ecos/\(id)/pager-runs")
        return (answer.json["runs"] as? [[String: Any]]) ?? ((try? JSONSerialization.jsonObject(with: answer.body) as? [[String: Any]]) ?? [])
    }

    /// The simulator's state of one ECO: its calls and Render tasks.
    func simulated(_ id: String) async throws -> [String: Any] {
        let ecos = try await request("GET", "/api/simulator").json["ecos"] as? [[String: Any]] ?? []
        return ecos.first { $0["ecoID"] as? String == id } ?? [:]
    }

    // MARK: Time

    /// Moves the appliance's clock `step` at a time until `condition` holds (`ClockDriver.run`); records an
    /// issue if `limit` of appliance time passes first.
    func run(
        until what: String, step: Duration = .milliseconds(100), limit: Duration = .seconds(900),
        _ condition: () async throws -> Bool
    ) async throws {
        let reached = try await driver.run(step: step, limit: limit, until: condition)
        if !reached { Issue.record("not reached within \(limit) of appliance time: \(what)") }
    }

    /// Runs until the ECO's status and integration status are these.
    func run(
        _ id: String, to status: String, _ integration: String? = nil, step: Duration = .milliseconds(100), limit: Duration = .seconds(900)
    ) async throws {
        try await run(until: "ECO \(id) \(status) \(integration ?? "")", step: step, limit: limit) {
            let state = try await state(id)
            return state.status == status && (integration == nil || state.integration == integration)
        }
    }
}
