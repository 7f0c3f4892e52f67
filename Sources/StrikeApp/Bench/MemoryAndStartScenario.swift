import Foundation

/// What the appliance costs at rest and how soon it serves: resident memory of a fresh `strike demo` after it
/// has settled, and the time from launching `strike serve` to its first `/readyz` 200, on an empty database
/// and on one of many ECOs (best of three starts each, the page cache warm, as on a restart).
struct MemoryAndStartScenario: BenchScenario {
    let name = "memory_and_start"
    let summary = "idle RSS of strike demo; launch to /readyz 200 of strike serve, empty and with many ECOs"

    func run(_ context: BenchContext) async throws -> BenchFigures {
        var figures = BenchFigures()
        let demo = try await BenchServer.start(context, arguments: ["demo", "--db", context.file("demo.db")])
        try await Task.sleep(for: .seconds(context.size == .tiny ? 1 : 10))
        figures.set("idle_rss_mib", try demo.memoryMiB().resident)
        try await demo.stop()

        figures.set("start_empty_ms", try await bestStart(context, database: context.file("empty.db")))
        let ecos = context.count(tiny: 300, full: 100_000)
        let seeded = try await BenchSeed.demoDatabase(context, ecos: ecos)
        figures.set("ecos", ecos)
        figures.set("start_with_ecos_ms", try await bestStart(context, database: seeded))
        return figures
    }

    private func bestStart(_ context: BenchContext, database: String) async throws -> Double {
        var best = Double.infinity
        for _ in 0..<3 {
            let server = try await BenchServer.start(context, arguments: ["serve", "--db", database, "--backup-dir", context.file("backups")])
            best = min(best, server.startMilliseconds)
            try await server.stop()
        }
        return best
    }
}
