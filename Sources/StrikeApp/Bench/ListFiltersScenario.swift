import Foundation
import StrikeCore
import StrikeStore

/// `GET /api/ecos` on a large database, one filter at a time: every filter the API offers, the text `q` with a
/// selective and a common word, a text too short for the trigram index, and no filter at all. Each is asked
/// `rounds` times in turn by the NOC's dispatcher (who sees every ECO) over HTTP, and once more per round in
/// process through `StrikeStore.ecos`, so the HTTP figures can be told from the query's own.
struct ListFiltersScenario: BenchScenario {
    let name = "list_filters"
    let summary = "GET /api/ecos p50/p99 per filter (status, display status, job type, created range, q) over many ECOs"

    /// A named query: its URL query items and the same as a store filter.
    private struct Case {
        let name: String
        let items: [URLQueryItem]
        let filter: EcoFilter
    }

    func run(_ context: BenchContext) async throws -> BenchFigures {
        let ecos = context.count(tiny: 500, full: 100_000)
        let rounds = context.count(tiny: 10, full: 200)
        let seededFrom = Date().addingTimeInterval(-Double(ecos) * 60)
        let path = try await BenchSeed.demoDatabase(context, ecos: ecos)
        var figures = BenchFigures()
        figures.set("ecos", ecos)
        figures.set("rounds", rounds)

        // A tenth of the ECOs, from the middle of the seeded time; the seed's descriptions are
        // "Seeded cut N: <one of ten words> near pole M", so "squirrel" is in a tenth of them.
        let from = seededFrom.addingTimeInterval(Double(ecos) * 60 * 0.45)
        let before = seededFrom.addingTimeInterval(Double(ecos) * 60 * 0.55)
        let cases = [
            Case(name: "none", items: [], filter: EcoFilter()),
            Case(name: "status", items: [.init(name: "status", value: EcoStatus.open.rawValue)], filter: with { $0.status = .open }),
            Case(name: "status_none_match", items: [.init(name: "status", value: EcoStatus.cancelled.rawValue)], filter: with { $0.status = .cancelled }),
            Case(name: "display_status", items: [.init(name: "displayStatus", value: DisplayStatus.pending.rawValue)], filter: with { $0.displayStatus = .pending }),
            Case(name: "job_type", items: [.init(name: "jobType", value: JobType.fnol.rawValue)], filter: with { $0.jobType = .fnol }),
            Case(
                name: "created_range",
                items: [.init(name: "createdFrom", value: ISO8601.string(from: from)), .init(name: "createdBefore", value: ISO8601.string(from: before))],
                filter: with { $0.createdFrom = from; $0.createdBefore = before }),
            Case(name: "q_selective", items: [.init(name: "q", value: "cut \(ecos / 3):")], filter: with { $0.text = "cut \(ecos / 3):" }),
            Case(name: "q_common", items: [.init(name: "q", value: "squirrel")], filter: with { $0.text = "squirrel" }),
            Case(name: "q_absent", items: [.init(name: "q", value: "nowhere")], filter: with { $0.text = "nowhere" }),
            Case(name: "q_short_absent", items: [.init(name: "q", value: "qz")], filter: with { $0.text = "qz" }),
        ]

        context.progress("list_filters: \(cases.count) queries × \(rounds) in process")
        var inProcess: [String: [Double]] = [:]
        do {
            let store = try StrikeStore(path: path)
            let visibility = Visibility(tenantID: DemoSeed.noc, kind: .noc)
            for _ in 0..<rounds {
                for query in cases {
                    let (_, milliseconds) = try await BenchStatistics.timed {
                        try await store.ecos(visibleTo: visibility, filter: query.filter, cursor: nil, limit: 50)
                    }
                    inProcess[query.name, default: []].append(milliseconds)
                }
            }
        }

        context.progress("list_filters: the same over HTTP")
        let server = try await BenchServer.start(context, arguments: ["serve", "--db", path, "--backup-dir", context.file("backups")])
        let dispatcher = try await server.signIn("dispatcher", "osprey-dispatch-demo")
        var overHTTP: [String: [Double]] = [:]
        var firstPage: [String: Int] = [:]
        for _ in 0..<rounds {
            for query in cases {
                var url = URLComponents()
                url.path = "/api/ecos"
                url.queryItems = query.items + [URLQueryItem(name: "limit", value: "50")]
                let answer = try await server.request("GET", url.string!, headers: dispatcher)
                guard answer.status == 200 else {
                    throw BenchServer.Failure(description: "GET \(url.string!) answered \(answer.status): \(String(decoding: answer.body.prefix(300), as: UTF8.self))")
                }
                overHTTP[query.name, default: []].append(answer.milliseconds)
                if firstPage[query.name] == nil {
                    let page = try JSONSerialization.jsonObject(with: answer.body) as? [String: Any]
                    firstPage[query.name] = (page?["items"] as? [Any])?.count ?? 0
                }
            }
        }
        try await server.stop()

        for query in cases {
            var row = BenchFigures()
            row.set("items", firstPage[query.name] ?? 0)
            BenchStatistics.latencies(overHTTP[query.name] ?? [], prefix: "http_", into: &row)
            BenchStatistics.latencies(inProcess[query.name] ?? [], prefix: "store_", into: &row)
            figures.set(query.name, row)
        }
        return figures
    }

    private func with(_ change: (inout EcoFilter) -> Void) -> EcoFilter {
        var filter = EcoFilter()
        change(&filter)
        return filter
    }
}
