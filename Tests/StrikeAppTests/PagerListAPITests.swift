import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import StrikeCore
import StrikeHTTP
import StrikeStore
import StrikeTestSupport
import Testing

/// Pager lists through the API: their fields, GeoJSON region import and contacts, as an OSP admin sets them up.
@Suite struct PagerListAPITests {
    static func square(_ west: Double, _ south: Double, _ size: Double) -> [String: Any] {
        ["type": "Polygon", "coordinates": [[[west, south], [west + size, south], [west + size, south + size], [west, south + size], [west, south]]]]
    }

    static func collection(_ geometries: [Any]) -> [String: Any] {
        ["type": "FeatureCollection", "features": geometries.map { ["type": "Feature", "properties": [:] as [String: Any], "geometry": $0] }]
    }

    private func createList(_ client: any TestClientProtocol, _ session: Session, name: String) async throws -> String {
        let created = try await client.send(.post, "/api/pager-lists", ["name": name, "priority": 5], headers: session.headers)
        #expect(created.status == .created, "\(created.text)")
        return try #require(created.json["id"] as? String)
    }

    @Test func anImportedRegionDecidesTheLookupAndABadFeatureIsRefusedByIndexKeepingNothing() async throws {
        let api = try await APIWorld.make()
        try await api.test { client in
            let admin = try await client.signIn("osp-admin")
            let id = try await createList(client, admin, name: "Downtown")

            let good = Self.collection([Self.square(-105.0, 39.7, 0.05), Self.square(-104.9, 39.7, 0.05)])
            let imported = try await client.send(.put, "/api/pager-lists/\(id)/region", good, headers: admin.headers)
            #expect(imported.status == .ok, "\(imported.text)")
            let region = try #require(imported.json["region"] as? [String: Any])
            #expect(region["type"] as? String == "MultiPolygon")
            #expect((region["coordinates"] as? [Any])?.count == 2)
            let area = try #require(imported.json["areaSquareMetres"] as? Double)
            #expect(area > 40e6 && area < 50e6, "two squares of about 23 km² each, got \(area)")

            let inside = try await client.get("/api/regions/lookup?lon=-104.88&lat=39.72", headers: admin.headers)
            #expect((inside.json["pagerList"] as? [String: Any])?["id"] as? String == id)

            let bowTie: [String: Any] = ["type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]]
            let open: [String: Any] = ["type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]]
            let point: [String: Any] = ["type": "Point", "coordinates": [0, 0]]
            for (bad, field, words) in [
                (Self.collection([Self.square(0, 0, 1), open]), "features[1].geometry", "end where it starts"),
                (Self.collection([point]), "features[0].geometry", "is not supported here"),
                (Self.collection([Self.square(0, 0, 1), Self.square(2, 2, 1), bowTie]), "features[2].geometry", "Self-intersection"),
                (Self.collection([bowTie]), "features[0].geometry", "Self-intersection"),
                (["type": "FeatureCollection", "features": [["type": "Feature"]]] as [String: Any], "features[0].geometry", "Polygon or MultiPolygon"),
                (["type": "Feature", "geometry": Self.square(0, 0, 1)] as [String: Any], "type", "FeatureCollection"),
            ] {
                let refused = try await client.send(.put, "/api/pager-lists/\(id)/region", bad, headers: admin.headers)
                #expect(refused.status == .unprocessableContent, "\(refused.text)")
                #expect(refused.problemFields == [field], "\(refused.text)")
                #expect(refused.text.contains(words), "\(refused.text)")
            }
            let after = try await client.get("/api/pager-lists/\(id)", headers: admin.headers)
            #expect(after.json["areaSquareMetres"] as? Double == area)
            #expect(((after.json["region"] as? [String: Any])?["coordinates"] as? [Any])?.count == 2)
            let audit = try await client.get("/api/tenant-audit-log", headers: admin.headers)
            let regionChanges = audit.jsonArray.filter { $0["action"] as? String == "set-region" }
            #expect(regionChanges.count == 1)
            #expect(regionChanges.first?["actorName"] as? String == "osp-admin", "the audit log names who made the change")
        }
    }

    @Test func contactsAreValidatedAsE164AndKeptInCallingOrder() async throws {
        let api = try await APIWorld.make()
        try await api.test { client in
            let admin = try await client.signIn("osp-admin")
            let id = try await createList(client, admin, name: "Night shift")
            let contacts = [["name": "Ana", "phone": "+13035550101"], ["name": "Ben", "phone": "+13035550102"], ["name": "Cy", "phone": "+13035550100"]]
            let saved = try await client.send(.put, "/api/pager-lists/\(id)/contacts", ["contacts": contacts], headers: admin.headers)
            #expect(saved.status == .ok, "\(saved.text)")
            #expect((saved.json["contacts"] as? [[String: String]]) == contacts)
            #expect(saved.json["contactCount"] as? Int == 3)
            #expect(try await api.world.store.pagerContacts(PagerListID(id)).map(\.name) == ["Ana", "Ben", "Cy"])

            let bad = [["name": "Ana", "phone": "303-555-0101"], ["name": "", "phone": "+13035550102"], ["name": "Dup", "phone": "+13035550102"]]
            let refused = try await client.send(.put, "/api/pager-lists/\(id)/contacts", ["contacts": bad], headers: admin.headers)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.problemFields == ["contacts[0].phone", "contacts[1].name", "contacts[2].phone"])
            let unknown = try await client.send(
                .put, "/api/pager-lists/\(id)/contacts", ["contacts": [["name": "Ana", "phone": "+13035550101", "pin": "1234"]]], headers: admin.headers)
            #expect(unknown.status == .unprocessableContent)
            #expect(unknown.problemFields == ["contacts[0].pin"])
            #expect(try await api.world.store.pagerContacts(PagerListID(id)).map(\.name) == ["Ana", "Ben", "Cy"])
        }
    }

    @Test func listsAreRenamedReprioritisedAndTheDefaultMovesFromListToList() async throws {
        let api = try await APIWorld.make()
        try await api.test { client in
            let admin = try await client.signIn("osp-admin")
            let first = try await createList(client, admin, name: "First")
            let second = try await createList(client, admin, name: "Second")
            _ = try await client.send(.patch, "/api/pager-lists/\(first)", ["isDefault": true], headers: admin.headers)
            let moved = try await client.send(.patch, "/api/pager-lists/\(second)", ["isDefault": true, "priority": 9], headers: admin.headers)
            #expect(moved.status == .ok, "\(moved.text)")
            let lists = try await client.get("/api/pager-lists", headers: admin.headers).jsonArray
            #expect(lists.map { $0["name"] as? String } == ["Second", "First"])
            #expect(lists.map { $0["isDefault"] as? Bool } == [true, false])

            let taken = try await client.send(.patch, "/api/pager-lists/\(first)", ["name": "Second"], headers: admin.headers)
            #expect(taken.status == .conflict)
            #expect(taken.problemFields == ["name"])
            let missing = try await client.send(.post, "/api/pager-lists", ["priority": 1], headers: admin.headers)
            #expect(missing.problemFields == ["name"])
        }
    }

    @Test func aLinkedNOCReadsTheOSPsListsAndEveryOtherTenantGets404() async throws {
        let api = try await APIWorld.make()
        let other = TenantID("other-osp")
        _ = try await api.world.store.createTenant(kind: .osp, name: "Other OSP", jobPrefix: "OT", id: other, actor: .system("test"))
        try await api.addUser("other-admin", tenant: other, role: .admin)
        try await api.test { client in
            let id = try await createList(client, try await client.signIn("osp-admin"), name: "Downtown")
            let noc = try await client.signIn("noc-viewer")
            let read = try await client.get("/api/pager-lists/\(id)?osp=test-osp", headers: noc.headers)
            #expect(read.status == .ok)
            #expect(try await client.get("/api/pager-lists?osp=test-osp", headers: noc.headers).jsonArray.count == 1)
            #expect(try await client.get("/api/pager-lists", headers: noc.headers).problemFields == ["osp"])
            #expect(try await client.get("/api/pager-lists?osp=other-osp", headers: noc.headers).status == .notFound)

            let stranger = try await client.signIn("other-admin")
            #expect(try await client.get("/api/pager-lists/\(id)", headers: stranger.headers).status == .notFound)
            for (method, path, body) in [
                (HTTPRequest.Method.patch, "/api/pager-lists/\(id)", ["name": "Mine"] as Any),
                (.put, "/api/pager-lists/\(id)/contacts", ["contacts": [] as [Any]]),
                (.put, "/api/pager-lists/\(id)/region", Self.collection([Self.square(0, 0, 1)])),
            ] {
                let answer = try await client.send(method, path, body, headers: stranger.headers)
                #expect(answer.status == .notFound, "\(method) \(path): \(answer.status)")
            }
            #expect(try await client.get("/api/pager-lists", headers: stranger.headers).jsonArray.isEmpty)
        }
    }
}
