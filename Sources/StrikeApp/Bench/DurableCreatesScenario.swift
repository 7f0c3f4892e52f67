import Foundation

/// ECO creations through HTTP with many dispatchers at once on the whole appliance (`strike demo`, its workers
/// and simulators running), each 201 after its commit's fsync: the rate, the latency, the write transactions
/// and WAL syncs they took, and the server's CPU per ECO.
struct DurableCreatesScenario: BenchScenario {
    static let name = "durable_creates"
    var name: String { Self.name }
    let summary = "POST /api/ecos from 32 clients on strike demo: creates/s, latency, syncs per commit, CPU per ECO"

    func run(_ context: BenchContext) async throws -> BenchFigures {
        let demo = try await DemoUnderLoad.start(context)
        let before = try await demo.metrics()
        let cpuBefore = try demo.server.cpuSeconds()
        let load = CreateLoad(server: demo.server, session: demo.dispatcher, clients: 32, seconds: context.count(tiny: 2, full: 20))
        let outcome = try await load.run(context)
        let cpu = try demo.server.cpuSeconds() - cpuBefore
        let after = try await demo.metrics()
        func delta(_ name: String) -> Int { Int((after[name] ?? 0) - (before[name] ?? 0)) }

        var figures = BenchFigures()
        figures.set("clients", load.clients)
        outcome.add(to: &figures)
        figures.set("write_transactions", delta("strike_write_transactions"))
        figures.set("writes", delta("strike_writes"))
        figures.set("wal_syncs", delta("strike_wal_syncs"))
        figures.set("server_cpu_ms_per_eco", outcome.created > 0 ? cpu * 1000 / Double(outcome.created) : 0)
        figures.set("peak_rss_mib", try demo.server.memoryMiB().peak)
        try await demo.server.stop()
        guard delta("strike_wal_syncs") >= delta("strike_write_transactions") else {
            throw BenchCommand.Failed(description: "fewer WAL syncs than write transactions: some commit was not durable")
        }
        return figures
    }
}
