import Foundation
import StrikeApp
import StrikeCore
import StrikeIntegrations
import StrikeTestSupport
import Testing

/// `strike demo`: a fresh database with the demo world, and the sign-ins it prints working as printed.
@Suite struct DemoTests {
    @Test func theDemoPrintsItsSignInsAndEachOneWorks() async throws {
        let directory = try TemporaryDirectory()
        let port = try LoopbackPort.free()
        let demo = try RunningProduct("strike", ["demo", "--db", directory.path("demo.db"), "--host", "127.0.0.1", "--port", "\(port)"])
        defer { demo.stop(SIGTERM) }
        let up = try await demo.wait(upTo: 60) { product in
            product.lines.contains { $0.contains("Server started") } && product.lines.contains { $0.contains("supervisor") }
        }
        #expect(up, "the demo did not start: \(demo.standardError)")
        #expect(demo.lines.contains("Osprey Strike demo on http://localhost:\(port) (database \(directory.path("demo.db")))"))

        let http = URLSessionTransport()
        for credential in DemoSeed.credentials {
            let printed = demo.lines.first { $0.split(separator: " ").first.map(String.init) == credential.username }
            #expect(printed?.contains(credential.password) == true, "\(credential.username) is printed with its password")
            let answer = try await http.send(
                OutboundRequest(
                    method: "POST", url: URL(string: "http://127.0.0.1:\(port)/api/session")!, headers: ["Content-Type": "application/json"],
                    body: try JSONSerialization.data(withJSONObject: ["username": credential.username, "password": credential.password])))
            #expect(answer.status == 200, "\(credential.username) signs in: \(String(decoding: answer.body, as: UTF8.self))")
        }
    }

    /// The demo's past ECOs are real ones: opened by the dispatcher, played by the simulators through the
    /// workers to varied ends, each with the timeline that tells it; `strike verify` finds the log and the
    /// projections in agreement, and the simulators are back at their defaults for the live demo.
    @Test func theDemoHasAPastOfEcosPlayedThroughToVariedEnds() async throws {
        let directory = try TemporaryDirectory()
        let port = try LoopbackPort.free()
        let demo = try RunningProduct("strike", ["demo", "--db", directory.path("demo.db"), "--host", "127.0.0.1", "--port", "\(port)"])
        let up = try await demo.wait(upTo: 90) { $0.lines.contains { $0.contains("supervisor") } }
        #expect(up, "the demo did not start: \(demo.standardError)")

        let http = URLSessionTransport()
        let base = "http://127.0.0.1:\(port)"
        let signIn = try await http.send(
            OutboundRequest(
                method: "POST", url: URL(string: "\(base)/api/session")!, headers: ["Content-Type": "application/json"],
                body: try JSONSerialization.data(withJSONObject: ["username": "dispatcher", "password": "osprey-dispatch-demo"])))
        let cookie = try #require(signIn.headers.first { $0.key.lowercased() == "set-cookie" }?.value.split(separator: ";").first)
        func get(_ path: String) async throws -> Any {
            let answer = try await http.send(
                OutboundRequest(
                    method: "GET", url: URL(string: base + path)!, headers: ["Cookie": String(cookie), "X-Tenant-ID": DemoSeed.noc.rawValue],
                    body: nil))
            #expect(answer.status == 200, "\(path): \(String(decoding: answer.body, as: UTF8.self))")
            return try JSONSerialization.jsonObject(with: answer.body)
        }

        let ecos = try #require((try await get("/api/ecos?limit=50") as? [String: Any])?["items"] as? [[String: Any]])
        let statuses = ecos.compactMap { $0["displayStatus"] as? String }
        #expect(ecos.count >= 5)
        #expect(Set(statuses).isSuperset(of: ["Closed", "Needs escalation", "Complete"]), "\(statuses)")
        #expect(Set(ecos.compactMap { $0["ospTenantID"] as? String }) == [DemoSeed.northOSP.rawValue, DemoSeed.southOSP.rawValue])
        let newest = ecos.compactMap { ($0["createdAt"] as? String).flatMap(ISO8601.date(from:)) }.max() ?? .distantFuture
        #expect(newest < Date(), "every past ECO was opened before the demo started")

        for eco in ecos {
            let id = try #require(eco["id"] as? String)
            let entries = try #require((try await get("/api/ecos/\(id)/timeline") as? [String: Any])?["entries"] as? [[String: Any]])
            let types = entries.compactMap { $0["type"] as? String }
            #expect(types.first == "EcoCreated")
            #expect(entries.first?["actorName"] as? String == "Metro NOC dispatcher")
            switch eco["displayStatus"] as? String {
            case "Closed":
                #expect(types.contains("PagerRunCompleted") && types.contains("EcoGracePeriodStarted") && types.contains("EcoHardCompleted"), "\(types)")
            case "Complete":
                #expect(types.contains("EcoGracePeriodStarted") && !types.contains("EcoHardCompleted"), "\(types)")
            case "Needs escalation":
                #expect((eco["displayReason"] as? String)?.isEmpty == false)
            default:
                Issue.record("a past ECO is still \(eco["displayStatus"] ?? "?")")
            }
        }
        let simulator = try #require(try await get("/api/simulator") as? [String: Any])
        #expect(simulator["defaultScenario"] as? String == "happy-path")
        #expect(simulator["speed"] as? Double == 1)

        #expect(demo.stop(SIGTERM) == 0)
        let verify = try runProduct("strike", ["verify", "--db", directory.path("demo.db")])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    /// The demo's sign-ins are for a demo on this machine: without `--host` it listens on loopback only.
    @Test func theDemoListensOnLoopbackOnlyByDefault() async throws {
        let directory = try TemporaryDirectory()
        let port = try LoopbackPort.free()
        let demo = try RunningProduct("strike", ["demo", "--db", directory.path("demo.db"), "--port", "\(port)"])
        defer { demo.stop(SIGTERM) }
        let up = try await demo.wait(upTo: 90) { $0.lines.contains { $0.contains("Demo sign-ins") } }
        #expect(up, "the demo did not start: \(demo.standardError)")
        #expect(try listeningAddresses(port: port) == ["0100007F"], "listening on 127.0.0.1 and nowhere else")
        let health = try await URLSessionTransport().send(
            OutboundRequest(method: "GET", url: URL(string: "http://127.0.0.1:\(port)/healthz")!))
        #expect(health.status == 200)
    }

    /// While the demo plays its past on a clock hours ago, its port accepts nothing: the first connection it
    /// ever takes is the ready demo's, which prints its sign-ins as it starts listening and stays up.
    @Test func theDemoPortAcceptsNothingUntilTheDemoIsReady() async throws {
        let directory = try TemporaryDirectory()
        let port = try LoopbackPort.free()
        let demo = try RunningProduct("strike", ["demo", "--db", directory.path("demo.db"), "--host", "127.0.0.1", "--port", "\(port)"])
        defer { demo.stop(SIGTERM) }
        func ready() -> Bool { demo.lines.contains { $0.contains("Demo sign-ins") } }
        let deadline = Date().addingTimeInterval(90)
        var firstAccepted: Date?
        var readyAt: Date?
        var refusedAfterAccepting = false
        while Date() < deadline, readyAt.map({ Date().timeIntervalSince($0) < 1 }) ?? true {
            let accepted = RawConnection.accepts(port: port)
            if accepted, firstAccepted == nil { firstAccepted = Date() }
            if !accepted, firstAccepted != nil { refusedAfterAccepting = true }
            if readyAt == nil, ready() { readyAt = Date() }
            try await Task.sleep(for: .milliseconds(3))
        }
        let accepted = try #require(firstAccepted, "the demo never listened: \(demo.standardError)")
        let printed = try #require(readyAt, "the demo never printed its sign-ins: \(demo.standardError)")
        #expect(printed.timeIntervalSince(accepted) < 2, "the port first accepted \(printed.timeIntervalSince(accepted)) s before the demo was ready")
        #expect(!refusedAfterAccepting, "once the port accepts, it keeps accepting")
        let health = try await URLSessionTransport().send(
            OutboundRequest(method: "GET", url: URL(string: "http://127.0.0.1:\(port)/healthz")!))
        #expect(health.status == 200)
    }

    /// The README's demo section lists every printed sign-in and shows the board.
    @Test func theReadmeListsTheDemoSignInsAndShowsTheBoard() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appending(path: "README.md"), encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "\n## The demo\n").dropFirst().first?.components(separatedBy: "\n## ").first)
        for credential in DemoSeed.credentials {
            #expect(section.contains("| `\(credential.username)` | `\(credential.password)` |"), "\(credential.username)")
        }
        let image = try #require(section.firstMatch(of: /!\[[^\]]+\]\(([^)]+\.png)\)/)?.1)
        let png = try Data(contentsOf: root.appending(path: String(image)))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(image) is a PNG")
    }
}
