import Foundation

/// Dispatchers creating ECOs over HTTP as fast as the appliance answers: wrk, `clients` keep-alive connections
/// for `seconds`, each request a `POST /api/ecos` whose point falls in one of the demo's five pager lists in
/// turn (`DemoPlaces`). A 201 comes only after the ECO's commit is synced.
struct CreateLoad {
    struct Outcome {
        let created: Int
        let refused: Int
        let socketErrors: Int
        let seconds: Double
        let p50Milliseconds: Double
        let p99Milliseconds: Double
        let maxMilliseconds: Double

        var createdPerSecond: Double { Double(created) / seconds }

        func add(to figures: inout BenchFigures) {
            figures.set("created", created)
            figures.set("refused", refused + socketErrors)
            figures.set("creates_per_s", createdPerSecond)
            figures.set("p50_ms", p50Milliseconds)
            figures.set("p99_ms", p99Milliseconds)
            figures.set("max_ms", maxMilliseconds)
        }
    }

    let server: BenchServer
    /// A dispatcher's session headers (cookie and CSRF token).
    let session: [String: String]
    let clients: Int
    let seconds: Int

    func run(_ context: BenchContext) async throws -> Outcome {
        let script = context.file("create-eco.lua")
        try Self.script(session).write(toFile: script, atomically: true, encoding: .utf8)
        let threads = min(clients, max(1, ProcessInfo.processInfo.activeProcessorCount))
        context.progress("creating ECOs: \(clients) clients for \(seconds) s (wrk)")
        let output = try await BenchCommand.run(
            "wrk", ["-t\(threads)", "-c\(clients)", "-d\(seconds)s", "--timeout", "30s", "-s", script, server.baseURL.absoluteString],
            in: context)
        guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix("{\"created\"") }),
            let result = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Double]
        else { throw BenchCommand.Failed(description: "wrk printed no figures: \(output.suffix(800))") }
        return Outcome(
            created: Int(result["created"] ?? 0), refused: Int(result["refused"] ?? 0),
            socketErrors: Int(result["socket_errors"] ?? 0), seconds: (result["duration_us"] ?? 1) / 1e6,
            p50Milliseconds: (result["p50_us"] ?? 0) / 1000, p99Milliseconds: (result["p99_us"] ?? 0) / 1000,
            maxMilliseconds: (result["max_us"] ?? 0) / 1000)
    }

    /// wrk's Lua: each thread counts its 201s and everything else; `done` sums them and prints one JSON line.
    private static func script(_ session: [String: String]) -> String {
        let headers = session.map { "[\"\($0.key)\"] = \"\($0.value)\"" }.joined(separator: ", ")
        let places = DemoPlaces.all.map { "{ \($0.longitude), \($0.latitude), \"\($0.osp.rawValue)\" }" }.joined(separator: ", ")
        return """
            local threads = {}
            local number = 0
            function setup(thread)
              number = number + 1
              thread:set("id", number)
              table.insert(threads, thread)
            end
            function init(args)
              created = 0
              refused = 0
              sent = 0
            end
            local headers = { \(headers), ["Content-Type"] = "application/json" }
            local places = { \(places) }
            local types = { "CMR", "MFR", "FNOL" }
            request = function()
              sent = sent + 1
              local place = places[(sent + id) % #places + 1]
              local body = string.format(
                '{"location":{"type":"Point","coordinates":[%.6f,%.6f]},"jobType":"%s","description":"Bench cut %d-%d: backhoe strike on the feeder, 288-count cable, two splice cases exposed","ospTenantID":"%s"}',
                place[1] + (sent % 40) * 0.0001, place[2] + id * 0.0001, types[sent % 3 + 1], id, sent, place[3])
              return wrk.format("POST", "/api/ecos", headers, body)
            end
            response = function(status, headers, body)
              if status == 201 then created = created + 1 else refused = refused + 1 end
            end
            done = function(summary, latency, requests)
              local c, r = 0, 0
              for _, thread in ipairs(threads) do
                c = c + thread:get("created")
                r = r + thread:get("refused")
              end
              local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
              io.write(string.format('{"created":%d,"refused":%d,"socket_errors":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d}\\n',
                c, r, errors, summary.duration, latency:percentile(50), latency:percentile(99), latency.max))
            end
            """
    }
}
