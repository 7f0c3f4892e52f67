import Foundation
import StrikeCore
import StrikeRuntime
import StrikeStore
import Synchronization

/// How fast `strike rebuild-projections` and `strike verify` replay the log. The log is made of whole ECO
/// lifecycles through the store's own commands (created, tasked, paged with a missed call and an acceptance,
/// its Render task moving, worked, completed, its grace period, hard complete; some escalated, reopened, stale
/// or cancelled), about fifteen events each. Then each command runs as an admin would run it, and its own
/// closing line gives the replay's time; the whole command's time (start, migrations check, replay, commit or
/// comparison, and for verify the integrity check) is beside it.
struct ReplayScenario: BenchScenario {
    let name = "replay"
    let summary = "rebuild-projections and verify on a log of whole ECO lifecycles (tiny: ~2,000 events, full: ~310,000)"

    func run(_ context: BenchContext) async throws -> BenchFigures {
        let ecos = context.count(tiny: 135, full: 21_000)
        let path = try await ReplayLog.make(context, ecos: ecos)
        var figures = BenchFigures()
        figures.set("ecos", ecos)
        for (command, verb) in [("rebuild-projections", "rebuilt"), ("verify", "replayed")] {
            context.progress("replay: strike \(command)")
            let cpuBefore = ChildCPU.seconds()
            let (output, milliseconds) = try await BenchStatistics.timed {
                try await BenchCommand.run(context.executable, [command, "--db", path], in: context)
            }
            let cpu = ChildCPU.seconds() - cpuBefore
            let replay = try ReplayLine(output, verb: verb)
            let key = command == "verify" ? "verify" : "rebuild"
            if key == "rebuild" { figures.set("events", replay.events) }
            figures.set("\(key)_replay_s", replay.seconds)
            figures.set("\(key)_events_per_s", Double(replay.events) / replay.seconds)
            figures.set("\(key)_command_s", milliseconds / 1000)
            figures.set("\(key)_command_events_per_s", Double(replay.events) / (milliseconds / 1000))
            // On a box busy with other work the times above stretch; the CPU the command used does not.
            figures.set("\(key)_command_cpu_s", cpu)
            figures.set("\(key)_events_per_cpu_s", Double(replay.events) / cpu)
        }
        return figures
    }
}

/// User and system CPU of the children this process has waited for: the difference across one command run to
/// its end is that command's.
private enum ChildCPU {
    static func seconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}

/// The closing progress line of a replay: `rebuilt 3/3 streams, 41 events in 0.02 s (2050 events/s)`.
private struct ReplayLine {
    let events: Int
    let seconds: Double

    init(_ output: String, verb: String) throws {
        guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix(verb) && $0.contains(" events in ") }),
            let head = line.range(of: " events in "),
            let events = Int(line[..<head.lowerBound].split(whereSeparator: { $0 == " " || $0 == "," }).last ?? ""),
            let seconds = Double(line[head.upperBound...].prefix { $0 != " " }), seconds > 0
        else { throw BenchCommand.Failed(description: "no closing replay line in the output: \(output.suffix(500))") }
        self.events = events
        self.seconds = seconds
    }
}

/// A demo database holding `ecos` whole lifecycles, made many at a time so that group commit batches them, each
/// command ten seconds of appliance time after the one before.
enum ReplayLog {
    static func make(_ context: BenchContext, ecos count: Int) async throws -> String {
        let path = context.file("replay.db")
        let demo = try await BenchServer.start(context, arguments: ["demo", "--db", path])
        try await demo.stop()
        context.progress("replay: \(count) ECO lifecycles into replay.db")
        let tick = Atomic<Int>(0)
        let start = Date().addingTimeInterval(-Double(count) * 16 * 10)
        let clock = ApplianceClock(sleeper: ContinuousClock()) { start.addingTimeInterval(Double(tick.add(1, ordering: .relaxed).newValue) * 10) }
        let store = try StrikeStore(path: path, clock: clock)
        let concurrency = 64
        for first in stride(from: 0, to: count, by: concurrency) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for number in first..<min(first + concurrency, count) {
                    group.addTask { try await lifecycle(store, number, at: clock) }
                }
                try await group.waitForAll()
            }
            if first % 2048 == 0, first > 0 { context.progress("replay: \(first) lifecycles written") }
        }
        let last = try await store.lastPosition()
        for consumer in BenchSeed.consumers { try await store.advanceCheckpoint(of: consumer, to: last) }
        try await store.checkpointLog()
        return path
    }

    /// One ECO from creation to its end; every sixth a variation: escalated and cancelled, acceptance overdue,
    /// details edited, reopened, left stale in progress.
    private static func lifecycle(_ store: StrikeStore, _ number: Int, at clock: ApplianceClock) async throws {
        let system = ActorID.system("bench-replay")
        let (longitude, latitude, osp) = DemoPlaces.all[number % DemoPlaces.all.count]
        let draft = EcoDraft(
            location: .point(Position(longitude: longitude + Double(number % 97) * 0.0001, latitude: latitude)),
            jobType: JobType.allCases[number % JobType.allCases.count],
            description: "Replay cut \(number): cable damaged near pole \(number % 1000)", nocTenantID: DemoSeed.noc, ospTenantID: osp)
        guard let id = try await store.createEco(draft, actor: .user("dispatcher")).state.id else { return }
        let variant = number % 6
        try await store.execute(.markTasked(renderTaskID: "RT-\(number)"), on: id, actor: system)
        if variant == 5 {
            try await store.execute(.raiseAttention(.pagingOverdue, detail: "nobody answered in 10 minutes", repage: false), on: id, actor: system)
            try await store.execute(.acknowledgeAttention, on: id, actor: .user("dispatcher"))
            try await store.execute(.failIntegration(.pager, reason: "every contact declined"), on: id, actor: system)
            try await store.execute(.cancel(reason: "a duplicate of another ECO"), on: id, actor: .user("dispatcher"))
            return
        }
        try await page(store, id, number, at: clock)
        if variant == 1 {
            try await store.execute(.raiseAttention(.acceptanceOverdue, detail: "no task moved in 30 minutes", repage: false), on: id, actor: system)
            try await store.execute(.acknowledgeAttention, on: id, actor: .user("supervisor"))
        }
        for (step, status) in [RenderTaskStatus.allocated, .released, .completed].enumerated() {
            let task = EcoTaskChanged(taskID: "RT-\(number)", status: status, assignee: "crew \(number % 7)", fingerprint: "f\(step)")
            try await store.execute(.recordTaskChange(task), on: id, actor: system)
        }
        try await store.execute(.startWork, on: id, actor: system)
        if variant == 2 {
            try await store.execute(.updateDetails(EcoDetailsChange(description: "Replay cut \(number): two cables")), on: id, actor: .user("dispatcher"))
        }
        if variant == 4 {
            try await store.execute(.flagStale(quietSince: clock.now().addingTimeInterval(-7200)), on: id, actor: system)
            return
        }
        try await store.execute(.completeWork, on: id, actor: system)
        if variant == 3 {
            try await store.execute(.reopenWork(reason: "the splice failed its test"), on: id, actor: .user("supervisor"))
            try await store.execute(.completeWork, on: id, actor: system)
        }
        try await store.execute(.startGracePeriod(until: clock.now().addingTimeInterval(86_400)), on: id, actor: system)
        try await store.execute(.hardComplete, on: id, actor: system)
    }

    /// A pager run: the first contact does not answer, the second accepts (which dispatches the ECO).
    private static func page(_ store: StrikeStore, _ id: EcoID, _ number: Int, at clock: ApplianceClock) async throws {
        let contacts = [
            PagerContact(name: "Ana \(number)", phone: "+1720\(String(format: "%07d", number * 2))"),
            PagerContact(name: "Bo \(number)", phone: "+1720\(String(format: "%07d", number * 2 + 1))"),
        ]
        var (process, steps) = try PagerProcess.start(
            runID: .random(), ecoID: id, list: (PagerListID("bench-list"), "Nights"), contacts: contacts,
            message: "Metro NOC: ECO \(number)", rounds: 1, contactTimeoutSeconds: 30, at: clock.now())
        try await store.startPagerRun(process, steps: steps, noc: DemoSeed.noc, actor: .system("pager"), checkpoint: nil)
        let signals: [PagerSignal] = [
            .placed(attempt: 0, callSid: "CA\(number)a"), .status(attempt: 0, callStatus: "no-answer"),
            .placed(attempt: 1, callSid: "CA\(number)b"), .digits(attempt: 1, digits: "1"),
        ]
        for signal in signals {
            let before = process.version
            (process, steps) = process.handle(signal, at: clock.now())
            try await store.advancePagerRun(
                process, from: before, steps: steps, acceptedBy: process.isFinished ? contacts[1].name : nil, actor: .system("pager"))
        }
    }
}
