import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import StrikeCore
import StrikeStore
import StrikeIntegrations
import StrikeSimulator

/// The demo's past: a day's ECOs in varied end states, made the way every ECO is made. The dispatcher opens
/// each one, and the appliance's own workers and simulators play it through Render and Twilio to its end, on a
/// clock that starts hours ago and runs ahead as fast as the appliance keeps up. Nothing is inserted by hand:
/// each past ECO is its events, as a real one would be.
public enum DemoHistory {
    /// One past ECO: when it was opened, where, for which OSP, the scenario it played and how it ended.
    struct PastEco {
        let hoursAgo: Double
        let osp: TenantID
        let longitude: Double
        let latitude: Double
        let jobType: JobType
        let description: String
        let scenario: SimulatorScenario
        /// Its display status at the end of the history.
        let end: DisplayStatus
    }

    static let past = [
        PastEco(
            hoursAgo: 9, osp: DemoSeed.northOSP, longitude: -104.995, latitude: 39.752, jobType: .cmr,
            description: "Backhoe cut the conduit at Blake and 20th; 144-count feeder down", scenario: .happyPath, end: .closed),
        PastEco(
            hoursAgo: 8, osp: DemoSeed.southOSP, longitude: -104.987, latitude: 39.625, jobType: .mfr,
            description: "Aerial span on S Broadway torn down by a box truck", scenario: .secondAccepts, end: .closed),
        PastEco(
            hoursAgo: 6.5, osp: DemoSeed.northOSP, longitude: -105.02, latitude: 39.80, jobType: .cmr,
            description: "Splice case flooded at Federal and 52nd", scenario: .pagerDeclined, end: .needsEscalation),
        PastEco(
            hoursAgo: 5, osp: DemoSeed.southOSP, longitude: -104.93, latitude: 39.58, jobType: .fnol,
            description: "Vandalised cabinet on County Line Rd", scenario: .renderFails, end: .needsEscalation),
        PastEco(
            hoursAgo: 3, osp: DemoSeed.northOSP, longitude: -104.90, latitude: 39.70, jobType: .mfr,
            description: "Drop cable cut by landscapers on E Alameda", scenario: .pagerExhausted, end: .needsEscalation),
        PastEco(
            hoursAgo: 0.75, osp: DemoSeed.southOSP, longitude: -105.0, latitude: 39.64, jobType: .cmr,
            description: "Directional drill hit the duct bank at Hampden and Santa Fe", scenario: .happyPath, end: .complete),
    ]

    /// How much faster than real time the simulators play the past: calls and field work in a fraction of a second.
    static let speed = 20.0

    /// Seeds the demo world into the fresh database at `configuration.databasePath` and plays its past ECOs,
    /// running the appliance meanwhile on a private loopback port, so the configured port answers nobody until
    /// the demo is ready; stops it before returning. A database that already has the demo world is left as it is.
    public static func record(_ configuration: AppConfiguration, passwordCost: UInt8) async throws {
        let lock = try WriterLock(databasePath: configuration.databasePath)
        defer { withExtendedLifetime(lock) {} }
        let driver = ClockDriver()
        let started = Date().addingTimeInterval(-((past.map(\.hoursAgo).max() ?? 0) + 1) * 3600)
        let store = try StrikeStore(
            path: configuration.databasePath, snapshotThreshold: configuration.snapshotThreshold,
            secrets: try KeyFile.loadOrCreate(at: configuration.resolvedKeyFilePath), clock: driver.applianceClock(from: started))
        guard try await DemoSeed.seed(store, passwordCost: passwordCost) else { return }

        var quiet = configuration
        quiet.host = "127.0.0.1"
        quiet.port = try LoopbackPort.free()
        quiet.logLevel = .warning
        let appliance = try await Appliance(
            configuration: quiet, store: store, transport: driver.transport, simulatorTransport: driver.simulatorTransport)
        let services = ServiceGroup(configuration: .init(services: [await buildApplication(appliance)], logger: Logger.strike("demo")))
        let running = Task { try await services.run() }
        let played: Result<Void, any Error>
        do {
            try await waitUntilListening(quiet)
            try await play(store, driver: driver)
            played = .success(())
        } catch {
            played = .failure(error)
        }
        await services.triggerGracefulShutdown()
        _ = await running.result
        try played.get()
    }

    /// Opens each past ECO at its hour as the dispatcher, runs the appliance until it reaches its end (its
    /// completed ones through their grace period to Closed), then puts the simulators back as they were.
    private static func play(_ store: StrikeStore, driver: ClockDriver) async throws {
        let settings = try await store.simulatorSettings(noc: DemoSeed.noc)
        guard let dispatcher = try await store.credentials(username: "dispatcher")?.user else {
            throw DemoHistoryError(message: "the demo dispatcher is missing")
        }
        let actor = ActorID.user(dispatcher.id)
        let visibility = Visibility(tenantID: DemoSeed.noc, kind: .noc)
        let now = store.clock.now
        var opened: [(EcoID, PastEco)] = []
        func displayStatus(_ id: EcoID) async throws -> DisplayStatus? { try await store.eco(id, visibleTo: visibility)?.displayStatus }
        func run(until what: String, _ condition: () async throws -> Bool) async throws {
            guard try await driver.run(limit: .seconds(1800), until: condition) else {
                throw DemoHistoryError(message: "the demo's past did not play out: \(what)")
            }
        }

        for eco in past {
            // A minute at a time, so the workers act about when they would have: a grace period ends on time.
            let at = Date().addingTimeInterval(-eco.hoursAgo * 3600)
            _ = try await driver.run(step: .seconds(60), limit: .seconds(max(0, at.timeIntervalSince(now())))) { now() >= at }
            try await store.setSimulatorSettings(SimulatorSettings(defaultScenario: eco.scenario.rawValue, speed: speed), noc: DemoSeed.noc)
            let draft = EcoDraft(
                location: .point(Position(longitude: eco.longitude, latitude: eco.latitude)), jobType: eco.jobType,
                description: eco.description, nocTenantID: DemoSeed.noc, ospTenantID: eco.osp)
            let id = EcoID.random()
            _ = try await store.createEco(draft, actor: actor, ecoID: id)
            opened.append((id, eco))
            let first = eco.end == .closed ? DisplayStatus.complete : eco.end
            try await run(until: "\(eco.description) \(first.rawValue)") { try await displayStatus(id) == first }
        }
        try await run(until: "every past ECO at its end") {
            for (id, eco) in opened where try await displayStatus(id) != eco.end { return false }
            return true
        }
        try await store.setSimulatorSettings(settings, noc: DemoSeed.noc)
    }

    private static func waitUntilListening(_ configuration: AppConfiguration) async throws {
        let health = OutboundRequest(method: "GET", url: configuration.localBaseURL.appending(path: "healthz"), headers: [:], body: nil)
        let http = URLSessionTransport()
        for _ in 0..<2000 {
            if (try? await http.send(health))?.status == 200 { return }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw DemoHistoryError(message: "the appliance did not start on \(configuration.localBaseURL)")
    }
}

struct DemoHistoryError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
