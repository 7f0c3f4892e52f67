import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import StrikeApp
import StrikeCore
import StrikeHTTP
import StrikeStore
import StrikeTestSupport
import Testing

@Suite struct EcoAPITests {
    static let cut: [String: any Sendable] = [
        "location": ["type": "Point", "coordinates": [-104.99, 39.74]] as [String: any Sendable],
        "jobType": "CMR", "description": "Fiber cut on Main St", "ospTenantID": "test-osp",
    ]

    static func cut(_ description: String, osp: String = "test-osp") -> [String: any Sendable] {
        var body = cut
        body["description"] = description
        body["ospTenantID"] = osp
        return body
    }

    /// A second NOC with its own dispatcher, and a second OSP linked to the test NOC.
    private func create(_ client: any TestClientProtocol, _ session: Session, _ body: [String: any Sendable] = cut) async throws -> String {
        let response = try await client.post("/api/ecos", body, headers: session.headers)
        #expect(response.status == .created, "\(response.text)")
        return try #require((response.json["eco"] as? [String: Any])?["id"] as? String)
    }

    @Test func aDispatcherOpensAnEcoAndOnlyAdminsSeeTheIntegrationStatus() async throws {
        let api = try await APIWorld.make()
        try await api.test { client in
            let dispatcher = try await client.signIn("noc-dispatcher")
            let response = try await client.post("/api/ecos", Self.cut, headers: dispatcher.headers)
            #expect(response.status == .created)
            let eco = try #require(response.json["eco"] as? [String: Any])
            #expect((eco["jobID"] as? String)?.hasPrefix("E2-00001-") == true)
            #expect(eco["displayStatus"] as? String == "Pending")
            #expect(eco["integration"] == nil)

            let admin = try await client.signIn("noc-admin")
            let seen = try await client.get("/api/ecos/\(eco["id"] as! String)", headers: admin.headers)
            let integration = (seen.json["eco"] as? [String: Any])?["integration"] as? [String: String]
            #expect(integration?["status"] == "PENDING")
            #expect(integration?["changedAt"] == (seen.json["eco"] as? [String: Any])?["createdAt"] as? String)
            #expect(Set(integration?.keys ?? [:].keys) == ["status", "changedAt"])
        }
    }

    @Test func oneIdempotencyKeyMakesOneEcoSequentiallyAndConcurrently() async throws {
        let api = try await APIWorld.make()
        try await api.test { client in
            var headers = try await client.signIn("noc-dispatcher").headers
            headers[HTTPField.Name("Idempotency-Key")!] = "form-7f3a"
            let first = try await client.post("/api/ecos", Self.cut, headers: headers)
            let second = try await client.post("/api/ecos", Self.cut, headers: headers)
            #expect(first.status == .created)
            #expect(second.status == .created)
            #expect(first.text == second.text)

            let different = try await client.post("/api/ecos", Self.cut("Another cut"), headers: headers)
            #expect(different.status == .unprocessableContent)

            headers[HTTPField.Name("Idempotency-Key")!] = "double-click"
            let burstHeaders = headers
            let burst = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<6 {
                    group.addTask { try await client.post("/api/ecos", Self.cut("Burst"), headers: burstHeaders).text }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(burst.count == 1)
            let list = try await client.get("/api/ecos", headers: headers)
            #expect((list.json["items"] as? [Any])?.count == 2)
        }
    }

    @Test func everyEcoRouteAnswers404ToAnotherTenantAndAnOSPSeesOnlyItsOwn() async throws {
        let api = try await APIWorld.make()
        try await api.addOtherTenants()
        let routes = await api.routes()
        try await api.test { client in
            let noc = try await client.signIn("noc-dispatcher")
            let ours = try await create(client, noc, Self.cut("For test OSP"))
            let theirs = try await create(client, noc, Self.cut("For other OSP", osp: "other-osp"))

            let stranger = try await client.signIn("other-noc-admin")
            let idRoutes = routes.filter { $0.path.contains("{id}") && $0.path.hasPrefix("/api/ecos") }
            #expect(idRoutes.count >= 7)
            for route in idRoutes {
                let uri = route.path.replacingOccurrences(of: "{id}", with: ours) + (route.path.hasSuffix("as-of") ? "?at=2030-01-01T00:00:00Z" : "")
                let response = try await client.execute(uri: uri, method: route.method, headers: stranger.headers, body: ByteBuffer(string: "{\"reason\":\"x\"}"))
                #expect(response.status == .notFound, "\(route.method) \(route.path) answered \(response.status)")
            }

            let osp = try await client.signIn("osp-viewer")
            let seen = try await client.get("/api/ecos", headers: osp.headers)
            let ids = (seen.json["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
            #expect(ids == [ours])
            #expect(try await client.get("/api/ecos/\(theirs)", headers: osp.headers).status == .notFound)
            let otherOSP = try await client.signIn("other-osp-admin")
            #expect(try await client.get("/api/ecos/\(theirs)", headers: otherOSP.headers).status == .ok)
            // The OSP follows the ECO but does not change it.
            let admin = try await client.signIn("osp-admin")
            #expect(try await client.post("/api/ecos/\(ours)/cancel", ["reason": "no"], headers: admin.headers).status == .forbidden)
        }
    }

    @Test func listsAreNewestFirstInCursorPagesAndFilter() async throws {
        let api = try await APIWorld.make()
        try await api.test { client in
            let noc = try await client.signIn("noc-dispatcher")
            var made: [String] = []
            for n in 1...5 { made.append(try await create(client, noc, Self.cut("Cut number \(n)"))) }

            var seen: [String] = []
            var cursor: String? = nil
            repeat {
                let uri = "/api/ecos?limit=2" + (cursor.map { "&cursor=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" } ?? "")
                let page = try await client.get(uri, headers: noc.headers)
                #expect(page.status == .ok, "\(page.text)")
                seen += (page.json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                cursor = page.json["nextCursor"] as? String
            } while cursor != nil
            #expect(seen == made.reversed())

            let found = try await client.get("/api/ecos?q=number%203", headers: noc.headers)
            #expect((found.json["items"] as? [[String: Any]])?.map { $0["description"] as? String } == ["Cut number 3"])
            let formEncoded = try await client.get("/api/ecos?q=number+3&displayStatus=Pending", headers: noc.headers)
            #expect((formEncoded.json["items"] as? [[String: Any]])?.map { $0["description"] as? String } == ["Cut number 3"], "+ is a space, as a browser's form writes it")
            #expect(try await client.get("/api/ecos?displayStatus=Needs+escalation", headers: noc.headers).status == .ok)
            let byJob = try await client.get("/api/ecos?q=E2-00002", headers: noc.headers)
            #expect((byJob.json["items"] as? [Any])?.count == 1)
            let pending = try await client.get("/api/ecos?displayStatus=Pending&jobType=CMR", headers: noc.headers)
            #expect((pending.json["items"] as? [Any])?.count == 5)

            let bad = try await client.get("/api/ecos?status=DONE&limit=0", headers: noc.headers)
            #expect(bad.status == .unprocessableContent)
            #expect(bad.text.contains(#""field":"status""#))
            #expect(bad.text.contains(#""field":"limit""#))
        }
    }

    @Test func editsCancelAndRetryFollowTheDomainRules() async throws {
        let api = try await APIWorld.make()
        try await api.test { client in
            let noc = try await client.signIn("noc-dispatcher")
            let id = try await create(client, noc)

            let edited = try await client.execute(
                uri: "/api/ecos/\(id)", method: .patch, headers: noc.headers,
                body: ByteBuffer(string: #"{"description":"Fiber cut on Main St at 5th","expectedVersion":1}"#))
            #expect(edited.status == .ok)
            let stale = try await client.execute(
                uri: "/api/ecos/\(id)", method: .patch, headers: noc.headers,
                body: ByteBuffer(string: #"{"description":"A stale edit","expectedVersion":1}"#))
            #expect(stale.status == .conflict)

            #expect(try await client.post("/api/ecos/\(id)/retry", [:], headers: noc.headers).status == .conflict)
            #expect(try await client.post("/api/ecos/\(id)/cancel", ["reason": "  "], headers: noc.headers).status == .unprocessableContent)
            let cancelled = try await client.post("/api/ecos/\(id)/cancel", ["reason": "duplicate of E2-00009"], headers: noc.headers)
            #expect((cancelled.json["eco"] as? [String: Any])?["displayStatus"] as? String == "Cancelled")
            #expect(try await client.post("/api/ecos/\(id)/cancel", ["reason": "again"], headers: noc.headers).status == .conflict)

            let timeline = try await client.get("/api/ecos/\(id)/timeline", headers: noc.headers)
            let entries = timeline.json["entries"] as? [[String: Any]] ?? []
            #expect(entries.map { $0["type"] as? String } == ["EcoCreated", "EcoDetailsUpdated", "EcoCancelled"])
            #expect((entries.last?["payload"] as? [String: Any])?["reason"] as? String == "duplicate of E2-00009")
            #expect((entries.first?["actor"] as? String)?.hasPrefix("user:") == true)
            #expect(entries.first?["actorName"] as? String == "noc-dispatcher", "the timeline names who acted")
        }
    }

    @Test func theStateAsOfAPastInstantIsReplayedFromTheLog() async throws {
        let api = try await APIWorld.make()
        try await api.test { client in
            let noc = try await client.signIn("noc-dispatcher")
            let id = try await create(client, noc)
            try await Task.sleep(for: .milliseconds(5))
            let between = ISO8601.string(from: Date())
            try await Task.sleep(for: .milliseconds(5))
            _ = try await client.post("/api/ecos/\(id)/cancel", ["reason": "crew already on site"], headers: noc.headers)

            let past = try await client.get("/api/ecos/\(id)/as-of?at=\(between)", headers: noc.headers)
            #expect(past.status == .ok, "\(past.text)")
            #expect(past.json["status"] as? String == "OPEN")
            #expect(past.json["version"] as? Int == 1)
            let before = try await client.get("/api/ecos/\(id)/as-of?at=2001-01-01T00:00:00Z", headers: noc.headers)
            #expect(before.status == .notFound)
        }
    }

    @Test func badEcosAreRefusedWithFieldErrors() async throws {
        let api = try await APIWorld.make()
        try await api.test { client in
            let noc = try await client.signIn("noc-dispatcher")
            var line = Self.cut
            line["location"] = ["type": "LineString", "coordinates": [[-104.99, 39.74]]] as [String: any Sendable]
            let oneLine = try await client.post("/api/ecos", line, headers: noc.headers)
            #expect(oneLine.status == .unprocessableContent)
            #expect(oneLine.text.contains(#""field":"location""#))
            #expect(oneLine.text.contains("at least two positions"))

            try await api.world.store.setLink(noc: TestWorld.noc, osp: TestWorld.osp, status: .suspended, actor: .system("test"))
            let unlinked = try await client.post("/api/ecos", Self.cut, headers: noc.headers)
            #expect(unlinked.status == .unprocessableContent)
            #expect(unlinked.text.contains(#""field":"ospTenantID""#))
            #expect(try await client.get("/api/ecos", headers: noc.headers).json["items"] as? [Any] != nil)
        }
    }
}
