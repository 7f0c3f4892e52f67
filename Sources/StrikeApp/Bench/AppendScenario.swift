public import Foundation
import StrikeCore
import StrikeStore

/// `strike bench`: append throughput and latency on a fresh database file with the production settings.
public enum Benchmark {
    public struct Figures: Codable, Sendable {
        public let events_per_s: Double
        public let p50_ms: Double
        public let p99_ms: Double
        public let batch_size: Int?
    }

    /// What durability cost: the write transactions the benchmark committed, and the WAL syncs SQLite made
    /// meanwhile (counted under it by the sync-counting VFS). Fewer syncs than commits means some commit was
    /// acknowledged before it was on disk.
    public struct Durability: Codable, Sendable {
        public let commits: Int
        public let wal_syncs: Int
    }

    public struct Result: Codable, Sendable {
        public let single: Figures
        public let batch: Figures
        public let durability: Durability
        public let db_bytes: Int64
        public let sqlite_version: String
    }

    /// Appends `singleCount` one-event transactions, then `batchCount` transactions of `batchSize` events,
    /// each event an `EcoCreated`-sized payload on its own or a shared stream.
    public static func run(
        directory: URL, singleCount: Int = 2000, batchCount: Int = 100, batchSize: Int = 100,
        progress: @Sendable (String) -> Void = { _ in }
    ) async throws -> Result {
        let path = directory.appendingPathComponent("bench-\(UUID().uuidString).db").path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let store = try StrikeStore(path: path)
        let payload = try samplePayload()
        let syncsBefore = StorageSyncs.wal

        progress("appending \(singleCount) single-event transactions")
        var singleLatencies: [Double] = []
        let singleStart = ContinuousClock.now
        for index in 0..<singleCount {
            let started = ContinuousClock.now
            try await store.append(
                streamID: "bench-single-\(index)", streamType: "eco", expectedVersion: 0,
                events: [event(payload)])
            singleLatencies.append(milliseconds(ContinuousClock.now - started))
        }
        let singleSeconds = milliseconds(ContinuousClock.now - singleStart) / 1000

        progress("appending \(batchCount) transactions of \(batchSize) events")
        var batchLatencies: [Double] = []
        let batchStart = ContinuousClock.now
        for index in 0..<batchCount {
            let events = (0..<batchSize).map { _ in event(payload) }
            let started = ContinuousClock.now
            try await store.append(streamID: "bench-batch-\(index)", streamType: "eco", expectedVersion: 0, events: events)
            batchLatencies.append(milliseconds(ContinuousClock.now - started))
        }
        let batchSeconds = milliseconds(ContinuousClock.now - batchStart) / 1000

        let walSyncs = StorageSyncs.wal - syncsBefore
        let sqlite = try await store.versions().sqlite
        try await store.checkpointLog()
        let bytes = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
        return Result(
            single: Figures(
                events_per_s: Double(singleCount) / singleSeconds, p50_ms: percentile(singleLatencies, 0.50),
                p99_ms: percentile(singleLatencies, 0.99), batch_size: nil),
            batch: Figures(
                events_per_s: Double(batchCount * batchSize) / batchSeconds, p50_ms: percentile(batchLatencies, 0.50),
                p99_ms: percentile(batchLatencies, 0.99), batch_size: batchSize),
            durability: Durability(commits: singleCount + batchCount, wal_syncs: walSyncs),
            db_bytes: bytes, sqlite_version: sqlite)
    }

    private static func event(_ payload: Data) -> NewEvent {
        NewEvent(type: "EcoCreated", schemaVersion: 2, payload: payload, actor: .system("bench"), occurredAt: Date())
    }

    private static func samplePayload() throws -> Data {
        let draft = EcoDraft(
            location: .lineString([Position(longitude: -104.99, latitude: 39.74), Position(longitude: -104.98, latitude: 39.75)]),
            jobType: .cmr,
            description: "Fiber cut on Main St between 5th and 7th; backhoe strike, 288-count cable, two splice cases exposed",
            nocTenantID: TenantID("bench-noc"), ospTenantID: TenantID("bench-osp"))
        let new = try NewEco(ecoID: .random(), draft: draft, jobID: JobID(prefix: "E2", number: 524, year: 2026))
        let created = try Eco.decide(.create(new), .initial)[0]
        return try created.encodedPayload()
    }

    private static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    static func percentile(_ values: [Double], _ fraction: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let index = min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)
        return (sorted[max(0, index)] * 1000).rounded() / 1000
    }
}
