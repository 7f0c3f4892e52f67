import Foundation
import StrikeCore
import StrikeStore

/// How long a dispatcher's ECO waits for its first phone to ring: from the ECO's commit to the pager recording
/// the call Twilio (here its simulator, at speed 1000) accepted, both read from the log afterwards. ECOs are
/// created one at a time, a tenth of a second apart, in turn over the demo's five pager lists.
struct CreateToFirstCallScenario: BenchScenario {
    let name = "create_to_first_call"
    let summary = "one ECO at a time on strike demo: commit of the ECO to its first call placed"

    func run(_ context: BenchContext) async throws -> BenchFigures {
        let count = context.count(tiny: 5, full: 200)
        let demo = try await DemoUnderLoad.start(context)
        var ecoIDs: [EcoID] = []
        for number in 0..<count {
            let (longitude, latitude, osp) = DemoPlaces.all[number % DemoPlaces.all.count]
            let eco: [String: Any] = [
                "location": ["type": "Point", "coordinates": [longitude + Double(number % 40) * 0.0001, latitude]],
                "jobType": "CMR", "description": "Bench first call \(number)", "ospTenantID": osp.rawValue,
            ]
            let created = try await demo.server.json("POST", "/api/ecos", eco, headers: demo.dispatcher, expecting: 201)
            guard let id = ((created as? [String: Any])?["eco"] as? [String: Any])?["id"] as? String else { throw BenchCommand.Failed(description: "a created ECO without an id") }
            ecoIDs.append(EcoID(id))
            try await Task.sleep(for: .milliseconds(100))
        }
        try await Task.sleep(for: .seconds(2))
        try await demo.server.stop()

        // Each ECO's way to its first call in three legs, read from the log: Render's task recorded (the
        // integration's round trips to the Render simulator), the pager run started, the call placed (Twilio's).
        let store = try StrikeStore(path: context.file("demo.db"), options: DatabaseOptions(readOnly: true))
        var latencies: [Double] = []
        var legs: [[Double]] = [[], [], []]
        for id in ecoIDs {
            let events = try await store.stream(id.rawValue)
            guard let created = events.first?.recordedAt,
                let tasked = events.first(where: { $0.type == "EcoIntegrationStatusChanged" })?.recordedAt,
                let runID = try await store.pagerRuns(of: id).first?.run.runID
            else { continue }
            let run = try await store.stream(runID.rawValue)
            guard let started = run.first?.recordedAt,
                let placed = run.first(where: { $0.type == "PagerAttemptRecorded" && String(decoding: $0.payload, as: UTF8.self).contains("\"CALLING\"") })?.recordedAt
            else { continue }
            latencies.append(placed.timeIntervalSince(created) * 1000)
            for (index, (from, to)) in [(created, tasked), (tasked, started), (started, placed)].enumerated() {
                legs[index].append(to.timeIntervalSince(from) * 1000)
            }
        }
        var figures = BenchFigures()
        figures.set("ecos", count)
        figures.set("called", latencies.count)
        BenchStatistics.latencies(latencies, into: &figures)
        for (name, values) in zip(["to_render_task", "to_pager_run", "to_call_placed"], legs) {
            figures.set(name + "_p50_ms", BenchStatistics.percentile(values, 0.5))
        }
        return figures
    }
}
