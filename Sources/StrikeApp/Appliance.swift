import Foundation
public import Hummingbird
import Logging
import ServiceLifecycle
public import StrikeStore
public import StrikeHTTP

/// The appliance's parts, built once from the configuration.
public struct Appliance: Sendable {
    public let configuration: AppConfiguration
    public let store: StrikeStore
    public let runner: ConsumerRunner

    /// Opens and migrates the database and prepares the workers; logs the SQLite and SpatiaLite versions.
    public init(configuration: AppConfiguration, clock: any Clock<Duration> = ContinuousClock()) async throws {
        let configuration = try configuration.validated()
        let keyFile = configuration.resolvedKeyFilePath
        let existed = FileManager.default.fileExists(atPath: keyFile)
        let secrets = try KeyFile.loadOrCreate(at: keyFile)
        if !existed {
            Logger.strike("store").notice("key file created: back it up beside the database", metadata: ["path": "\(keyFile)"])
        }
        let store = try StrikeStore(
            path: configuration.databasePath, snapshotThreshold: configuration.snapshotThreshold, secrets: secrets)
        try await self.init(configuration: configuration, store: store, clock: clock)
    }

    /// The appliance around a store that is already open (tests share theirs).
    public init(configuration: AppConfiguration, store: StrikeStore, clock: any Clock<Duration> = ContinuousClock()) async throws {
        let configuration = try configuration.validated()
        let versions = try await store.versions()
        Logger.strike("store").info(
            "database open",
            metadata: ["path": "\(configuration.databasePath)", "sqlite": "\(versions.sqlite)", "spatialite": "\(versions.spatialite)"])
        self.configuration = configuration
        self.store = store
        self.runner = ConsumerRunner(store: store, consumers: [], clock: clock)
    }

    /// Database writable, every consumer's heartbeat recent, consumer lag small.
    public func readiness() async -> Readiness {
        var checks: [Readiness.Check] = []
        do {
            try await store.writer.write { db in try db.execute(sql: "SELECT 1") }
            checks.append(.init(name: "database", ok: true, detail: "writable"))
        } catch {
            checks.append(.init(name: "database", ok: false, detail: "not writable: \(error)"))
        }
        let now = store.now()
        for beat in runner.heartbeatsNow() {
            let age = now.timeIntervalSince(beat.at)
            checks.append(.init(name: "consumer \(beat.consumer)", ok: age < 10, detail: age < 10 ? "alive" : "no heartbeat for \(Int(age)) s"))
        }
        if let lags = try? await store.consumerLag() {
            for lag in lags where runner.consumerNames.contains(lag.consumer) {
                let ok = lag.lag <= configuration.maxReadyLag
                checks.append(.init(name: "lag \(lag.consumer)", ok: ok, detail: "\(lag.lag) events behind"))
            }
        }
        return Readiness(checks: checks)
    }
}

/// The HTTP application with the appliance's workers as services, ready to `runService()` or to test.
public func buildApplication(_ appliance: Appliance) async -> some ApplicationProtocol {
    var logger = Logger.strike("http")
    logger.logLevel = appliance.configuration.logLevel
    let api = await StrikeAPI.build(store: appliance.store, settings: appliance.configuration.apiSettings) {
        await appliance.readiness()
    }
    var app = Application(
        router: api.router,
        configuration: .init(address: .hostname(appliance.configuration.host, port: appliance.configuration.port), serverName: "strike"),
        logger: logger)
    app.addServices(appliance.runner)
    return app
}
