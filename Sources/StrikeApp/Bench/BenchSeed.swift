import Foundation
import StrikeCore
import StrikeRuntime
import StrikeStore
import Synchronization

/// A large demo database, made fast but only through the appliance's own paths: `strike demo` makes the demo
/// world (and its key file) once, then `count` ECOs are created by the store's own command, many at a time so
/// that group commit batches them, one a minute of appliance time back from now over the five demo lists, and
/// every consumer is moved past them, as past ECOs whose handling is over. `strike serve --db` then opens it
/// with nothing to catch up on.
enum BenchSeed {
    static let consumers = ["render-integration", "pager"]

    static func demoDatabase(_ context: BenchContext, ecos count: Int, name: String = "seeded.db") async throws -> String {
        let path = context.file(name)
        let demo = try await BenchServer.start(context, arguments: ["demo", "--db", path])
        try await demo.stop()
        context.progress("seeding \(count) ECOs into \(name)")
        let minute = Atomic<Int>(0)
        let start = Date().addingTimeInterval(-Double(count) * 60)
        let clock = ApplianceClock(sleeper: ContinuousClock()) { start.addingTimeInterval(Double(minute.add(1, ordering: .relaxed).newValue) * 60) }
        let store = try StrikeStore(path: path, clock: clock)
        let words = ["backhoe", "conduit", "splice", "aerial", "vandalised", "drill", "flooded", "squirrel", "storm", "truck"]
        let dispatcher = ActorID.system("bench-seed")
        let concurrency = 64
        for first in stride(from: 0, to: count, by: concurrency) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for number in first..<min(first + concurrency, count) {
                    let (longitude, latitude, osp) = DemoPlaces.all[number % DemoPlaces.all.count]
                    let draft = EcoDraft(
                        location: .point(Position(longitude: longitude + Double(number % 97) * 0.0001, latitude: latitude)),
                        jobType: JobType.allCases[number % JobType.allCases.count],
                        description: "Seeded cut \(number): \(words[number % words.count]) near pole \(number % 1000)",
                        nocTenantID: DemoSeed.noc, ospTenantID: osp)
                    group.addTask { _ = try await store.createEco(draft, actor: dispatcher) }
                }
                try await group.waitForAll()
            }
        }
        let last = try await store.lastPosition()
        for consumer in consumers { try await store.advanceCheckpoint(of: consumer, to: last) }
        try await store.checkpointLog()
        return path
    }
}
