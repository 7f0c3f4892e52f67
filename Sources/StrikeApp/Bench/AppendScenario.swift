import Foundation
import StrikeCore
import StrikeStore

/// Appends on a fresh database file with the production settings: one-event transactions, each durable on its
/// own, then 100-event transactions; the WAL syncs SQLite made beside the commits (fewer syncs than commits
/// would mean a commit acknowledged before it was on disk).
struct AppendScenario: BenchScenario {
    let name = "append"
    let summary = "one-event and 100-event transactions on a fresh database: events/s, latency, WAL syncs per commit"

    func run(_ context: BenchContext) async throws -> BenchFigures {
        let (singleCount, batchCount, batchSize) = (context.count(tiny: 50, full: 2000), context.count(tiny: 5, full: 100), 100)
        let store = try StrikeStore(path: context.file("append.db"))
        let payload = try Self.samplePayload()
        let syncsBefore = StorageSyncs.wal

        context.progress("append: \(singleCount) one-event transactions")
        var single = BenchFigures()
        let singleLatencies = try await Self.timeEach(singleCount) { index in
            try await store.append(streamID: "bench-single-\(index)", streamType: "eco", expectedVersion: 0, events: [Self.event(payload)])
        }
        single.set("events_per_s", Double(singleCount) / (singleLatencies.reduce(0, +) / 1000))
        BenchStatistics.latencies(singleLatencies, into: &single)

        context.progress("append: \(batchCount) transactions of \(batchSize) events")
        var batch = BenchFigures()
        let batchLatencies = try await Self.timeEach(batchCount) { index in
            let events = (0..<batchSize).map { _ in Self.event(payload) }
            try await store.append(streamID: "bench-batch-\(index)", streamType: "eco", expectedVersion: 0, events: events)
        }
        batch.set("events_per_s", Double(batchCount * batchSize) / (batchLatencies.reduce(0, +) / 1000))
        BenchStatistics.latencies(batchLatencies, into: &batch)
        batch.set("batch_size", batchSize)

        var figures = BenchFigures()
        figures.set("single", single)
        figures.set("batch", batch)
        figures.set("commits", singleCount + batchCount)
        figures.set("wal_syncs", StorageSyncs.wal - syncsBefore)
        try await store.checkpointLog()
        let bytes = try FileManager.default.attributesOfItem(atPath: context.file("append.db"))[.size] as? Int ?? 0
        figures.set("bytes_per_event", Double(bytes) / Double(singleCount + batchCount * batchSize))
        return figures
    }

    private static func timeEach(_ count: Int, _ body: (Int) async throws -> Void) async throws -> [Double] {
        var latencies: [Double] = []
        for index in 0..<count {
            let ((), milliseconds) = try await BenchStatistics.timed { try await body(index) }
            latencies.append(milliseconds)
        }
        return latencies
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
        return try Eco.decide(.create(new), .initial)[0].encodedPayload()
    }
}
