import Foundation
public import Hummingbird
import HummingbirdCore
import NIOCore
import Logging
import ServiceLifecycle
import StrikeCore
public import StrikeIntegrations
public import StrikeRuntime
public import StrikeWorkers
public import StrikeStore
public import StrikeHTTP
public import StrikeSimulator

/// The appliance's parts, built once from the configuration.
public struct Appliance: Sendable {
    public let configuration: AppConfiguration
    public let store: StrikeStore
    public let runner: ConsumerRunner
    /// Rings the contacts, takes Twilio's webhooks, and moves on from contacts who do not answer in time.
    public let pager: PagerManager
    /// The built-in Render and Twilio, for the tenants set to `simulated`.
    public let renderSimulator: RenderSimulator
    public let twilioSimulator: TwilioSimulator
    /// The deadline worker, the Render poller and the attention watcher.
    let periodic: [Periodic]
    /// Every long-running worker's last sign of progress, for `/readyz` and the systemd watchdog.
    public let heartbeats: Heartbeats
    /// The appliance's own backups, offline base map and Twilio setup check.
    public let upkeep: ApplianceUpkeep

    /// Opens and migrates the database and prepares the workers; logs the SQLite and SpatiaLite versions.
    /// A database that already holds sealed secrets starts only with the key file that opens them: it is
    /// checked before the database is opened for writing, and no new key is made for it.
    public init(configuration: AppConfiguration, clock: ApplianceClock = .system) async throws {
        let configuration = try configuration.validated()
        let keyFile = configuration.resolvedKeyFilePath
        let existed = FileManager.default.fileExists(atPath: keyFile)
        let sealed = try StrikeStore.sealedSecrets(inDatabaseAt: configuration.databasePath)
        let secrets = try KeyFile.loadOrCreate(at: keyFile, opening: sealed, database: configuration.databasePath)
        if !existed {
            Logger.strike("store").notice("key file created: back it up beside the database", metadata: ["path": "\(keyFile)"])
        }
        let store = try StrikeStore(
            path: configuration.databasePath, snapshotThreshold: configuration.snapshotThreshold, secrets: secrets, clock: clock)
        try await self.init(configuration: configuration, store: store)
    }

    /// The appliance around a store that is already open (tests share theirs). Without `workers`, nothing acts
    /// on the log: the API's own tests run so, while the workers have theirs. Every part is given the store's
    /// clock, for instants and waits alike, so a test can run the whole appliance on its own time.
    public init(
        configuration: AppConfiguration, store: StrikeStore, workers: Bool = true,
        transport: any HTTPTransport = URLSessionTransport(), simulatorTransport: any HTTPTransport = URLSessionTransport()
    ) async throws {
        let configuration = try configuration.validated()
        let versions = try await store.versions()
        Logger.strike("store").info(
            "database open",
            metadata: ["path": "\(configuration.databasePath)", "sqlite": "\(versions.sqlite)", "spatialite": "\(versions.spatialite)"])
        self.configuration = configuration
        self.store = store
        // One Render client, so every worker shares its token per instance.
        let clock = store.clock
        let renderClient = RenderClient(transport: transport, clock: clock)
        let render = RenderIntegration(store: store, client: renderClient, endpoints: configuration.endpoints, clock: clock)
        let poller = RenderPoller(store: store, client: renderClient, endpoints: configuration.endpoints, clock: clock)
        let attention = AttentionWatcher(store: store, clock: clock)
        pager = PagerManager(
            store: store, twilio: TwilioClient(transport: transport, clock: clock),
            endpoints: configuration.endpoints, clock: clock)
        renderSimulator = RenderSimulator(store: store, clock: clock)
        let heartbeats = Heartbeats(clock: clock)
        self.heartbeats = heartbeats
        // The simulated phone network posts its callbacks through connections of its own, as Twilio would: a
        // webhook that places or ends a call must never wait for a connection its own callback holds.
        twilioSimulator = TwilioSimulator(store: store, transport: simulatorTransport, clock: clock, heartbeats: heartbeats)
        let pager = self.pager
        let backups = ScheduledBackups(
            store: store, commandLine: configuration.backupSchedule, fallback: configuration.defaultBackupSchedule,
            keyFile: configuration.resolvedKeyFilePath)
        let pings = PingNonces(clock: clock)
        let twilioCheck = TwilioSetupCheck(
            store: store, client: TwilioClient(transport: transport, clock: clock), transport: transport, endpoints: configuration.endpoints,
            pings: pings)
        upkeep = ApplianceUpkeep(
            backups: backups, tiles: TileArchive(databasePath: configuration.databasePath), pings: pings,
            checkTwilioSetup: { try await twilioCheck.run(noc: $0) })
        periodic = workers
            ? [
                Periodic(name: "pager deadlines", every: .seconds(5), clock: clock, heartbeats: heartbeats) { await pager.checkDeadlines() },
                Periodic(name: "render poller", every: .seconds(5), clock: clock, heartbeats: heartbeats) { await poller.pollDue() },
                Periodic(name: "attention watcher", every: .seconds(15), clock: clock, heartbeats: heartbeats) { await attention.check() },
                Periodic(name: "backup scheduler", every: .seconds(60), clock: clock, heartbeats: heartbeats) { await backups.runIfDue() },
            ] : []
        runner = ConsumerRunner(store: store, consumers: workers ? [render, pager] : [], heartbeats: heartbeats)
    }

    /// Database writable, no worker stuck (see `Heartbeats`), consumer lag small.
    public func readiness() async -> Readiness {
        var checks: [Readiness.Check] = []
        do {
            try await store.checkWritable()
            checks.append(.init(name: "database", ok: true, detail: "writable"))
        } catch {
            checks.append(.init(name: "database", ok: false, detail: "not writable: \(error)"))
        }
        let now = store.now()
        for beat in heartbeats.all() {
            let stuck = beat.isStalled(at: now, limit: configuration.workerStallLimit)
            checks.append(
                .init(name: beat.worker, ok: !stuck, detail: stuck ? "stuck: no progress for \(Int(now.timeIntervalSince(beat.at))) s" : "alive"))
        }
        if let lags = try? await store.consumerLag() {
            for lag in lags where runner.consumerNames.contains(lag.consumer) {
                let ok = lag.lag <= configuration.maxReadyLag
                checks.append(.init(name: "lag \(lag.consumer)", ok: ok, detail: "\(lag.lag) events behind"))
            }
        }
        checks.append(await backupCheck())
        return Readiness(checks: checks)
    }

    /// The last backup's outcomes, for the admin reading `/readyz`. Always ok: the appliance serves and pages
    /// whatever became of its last backup (the owner's dashboard and `/metrics` raise a failure).
    private func backupCheck() async -> Readiness.Check {
        guard let outcomes = try? await store.backupOutcomes() else {
            return .init(name: "backups", ok: true, detail: "the last outcomes could not be read")
        }
        var said = [outcomes.lastSuccess.map { "last success at \($0.at) (\($0.file))" } ?? "no backup has succeeded yet"]
        if let failure = outcomes.lastFailure { said.append("last failure at \(failure.at): \(failure.error)") }
        return .init(name: "backups", ok: true, detail: said.joined(separator: "; "))
    }
}

/// The HTTP application with the appliance's workers as services, ready to `runService()` or to test;
/// `listening` runs once the server accepts connections. Under systemd (`systemd`), it is then told the appliance
/// is ready, and its watchdog is fed while every worker makes progress.
public func buildApplication(
    _ appliance: Appliance, systemd: SystemdSupervision? = nil, listening: @escaping @Sendable () async -> Void = {}
) async -> some ApplicationProtocol {
    var logger = Logger.strike("http")
    logger.logLevel = appliance.configuration.logLevel
    let configuration = appliance.configuration
    let api = await StrikeAPI.build(
        store: appliance.store, settings: configuration.apiSettings, signalPager: appliance.pager.signal,
        callbackBases: configuration.endpoints.callbackBases, upkeep: appliance.upkeep
    ) {
        await appliance.readiness()
    }
    appliance.renderSimulator.register(on: api.router)
    appliance.twilioSimulator.register(on: api.router)
    var app = Application(
        router: api.router,
        server: httpServer(configuration, logger: logger),
        configuration: .init(address: .hostname(appliance.configuration.host, port: appliance.configuration.port), serverName: "strike"),
        onServerRunning: { _ in
            systemd?.ready()
            await listening()
        },
        logger: logger)
    app.addServices(appliance.runner, appliance.twilioSimulator)
    for service in appliance.periodic { app.addServices(service) }
    if let systemd, let interval = systemd.watchdogInterval {
        app.addServices(
            Watchdog(
                supervision: systemd, interval: interval, heartbeats: appliance.heartbeats,
                stallLimit: configuration.workerStallLimit, clock: systemd.clock))
    }
    return app
}

/// HTTP/1 with the idle timeout (which also bounds how long a request's headers may take to arrive) and the
/// connection cap, so idle and half-sent connections cannot hold the process's files.
private func httpServer(_ configuration: AppConfiguration, logger: Logger) -> HTTPServerBuilder {
    let limiter = ConnectionLimiter(capacity: configuration.resolvedMaxConnections, logger: logger)
    let idle = TimeAmount.nanoseconds(Int64(configuration.idleTimeout * 1_000_000_000))
    return .http1(configuration: .init(additionalChannelHandlers: [limiter.handler()], idleTimeout: idle))
}
