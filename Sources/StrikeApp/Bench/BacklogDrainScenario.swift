import Foundation
import StrikeStore

/// How fast the running appliance works off what a burst of ECOs left its consumers (the Render integration
/// and the pager): create bursts until the slowest consumer is the target number of log positions behind, then
/// the time until every consumer's checkpoint has passed the last position the burst left, in the same
/// long-running process. The log is read beside it, read-only, as `strike verify` does.
struct BacklogDrainScenario: BenchScenario {
    let name = "backlog_drain"
    let summary = "a burst of creates on strike demo, then the time until every consumer has worked off the backlog it left"

    func run(_ context: BenchContext) async throws -> BenchFigures {
        let target = context.count(tiny: 200, full: 30_000)
        let demo = try await DemoUnderLoad.start(context)
        let log = try StrikeStore(path: context.file("demo.db"), options: DatabaseOptions(readOnly: true))
        func slowest() async throws -> Int64 {
            var lowest = Int64.max
            for consumer in BenchSeed.consumers { lowest = min(lowest, try await log.checkpoint(of: consumer)) }
            return lowest
        }
        var created = 0
        var bursts = 0
        var end: Int64 = 0
        var behind: Int64 = 0
        // Bursts until the slowest consumer is `target` positions behind (twelve at most).
        while behind < target, bursts < 12 {
            let load = CreateLoad(server: demo.server, session: demo.dispatcher, clients: 32, seconds: context.count(tiny: 1, full: 5))
            created += try await load.run(context).created
            end = try await log.lastPosition()
            behind = end - (try await slowest())
            bursts += 1
        }
        context.progress("backlog_drain: \(behind) log positions behind after \(created) ECOs; draining")
        let started = ContinuousClock.now
        let cpuBefore = try demo.server.cpuSeconds()
        let startedAt = try await slowest()
        var reached = startedAt
        // Three minutes at most: a slower drain is reported as the positions it worked off in that time.
        while reached < end, ContinuousClock.now - started < .seconds(180) {
            try await Task.sleep(for: .milliseconds(50))
            reached = try await slowest()
        }
        let seconds = BenchStatistics.milliseconds(ContinuousClock.now - started) / 1000
        let cpu = try demo.server.cpuSeconds() - cpuBefore
        var figures = BenchFigures()
        figures.set("ecos_created", created)
        figures.set("backlog_positions", Int(behind))
        figures.set("drained", reached >= end ? "yes" : "no: \(end - reached) positions left after \(Int(seconds)) s")
        figures.set("drain_s", seconds)
        figures.set("drain_positions_per_s", Double(min(reached, end) - startedAt) / seconds)
        // Cores the server kept busy meanwhile: near the machine's count, the drain is bound by the CPU the whole
        // lifecycle behind each ECO takes, not by waiting.
        figures.set("server_cores_busy", cpu / seconds)
        figures.set("peak_rss_mib", try demo.server.memoryMiB().peak)
        try await demo.server.stop()
        return figures
    }
}
