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

@Suite struct TenantAPITests {
    @Test func theOwnerAddsTenantsAndLinksAndEveryChangeIsAudited() async throws {
        let api = try await APIWorld.make()
        try await api.test { client in
            let owner = try await client.signIn("owner")
            let made = try await client.post("/api/tenants", ["kind": "OSP", "name": "Canyon Cabling", "jobPrefix": "CC"], headers: owner.headers)
            #expect(made.status == .created, "\(made.text)")
            let id = try #require(made.json["id"] as? String)
            #expect(try await client.post("/api/tenants", ["kind": "OSP", "name": "Canyon Cabling", "jobPrefix": "CD"], headers: owner.headers).status == .conflict)
            let badPrefix = try await client.post("/api/tenants", ["kind": "OSP", "name": "Lowercase", "jobPrefix": "cc"], headers: owner.headers)
            #expect(badPrefix.text.contains(#""field":"jobPrefix""#))

            let linked = try await client.execute(
                uri: "/api/links", method: .put, headers: owner.headers,
                body: ByteBuffer(string: #"{"nocTenantID":"test-noc","ospTenantID":"\#(id)","status":"active"}"#))
            #expect(linked.status == .ok)
            #expect(linked.json["status"] as? String == "active")
            for (noc, osp, field) in [("test-noc", "test-noc", "ospTenantID"), ("test-noc", "nobody", "ospTenantID")] {
                let refused = try await client.execute(
                    uri: "/api/links", method: .put, headers: owner.headers,
                    body: ByteBuffer(string: #"{"nocTenantID":"\#(noc)","ospTenantID":"\#(osp)","status":"active"}"#))
                #expect(refused.status == .unprocessableContent, "\(refused.text)")
                #expect(refused.problemFields == [field])
            }

            let noc = try await client.signIn("noc-viewer")
            let osps = try await client.get("/api/osps", headers: noc.headers)
            #expect(osps.text.contains("Canyon Cabling"))
            #expect(osps.text.contains("Test OSP"))

            let audit = try await client.get("/api/audit-log", headers: owner.headers)
            let entries = try #require(try JSONSerialization.jsonObject(with: Data(buffer: audit.body)) as? [[String: Any]])
            #expect(entries.first?["entity"] as? String == "tenant_link")
            #expect(entries.contains { $0["entity"] as? String == "tenant" && $0["entityID"] as? String == id && ($0["actor"] as? String)?.hasPrefix("user:") == true })
            // Password hashes never reach the audit log.
            #expect(!audit.text.contains("$2b$") && !audit.text.contains("password_hash"))
        }
    }

    @Test func theRegionLookupNamesTheListThatWouldBePaged() async throws {
        let api = try await APIWorld.make()
        let ring = [(-105.0, 39.7), (-104.9, 39.7), (-104.9, 39.8), (-105.0, 39.8), (-105.0, 39.7)].map { Position(longitude: $0.0, latitude: $0.1) }
        _ = try await api.world.store.createPagerList(
            PagerListDraft(ospTenantID: TestWorld.osp, name: "Downtown", priority: 5, region: try Region(polygons: [[ring]])), actor: .system("test"))
        try await api.test { client in
            let noc = try await client.signIn("noc-viewer")
            let inside = try await client.get("/api/regions/lookup?lon=-104.95&lat=39.75&osp=test-osp", headers: noc.headers)
            #expect((inside.json["pagerList"] as? [String: Any])?["name"] as? String == "Downtown")
            #expect((inside.json["pagerList"] as? [String: Any])?["reason"] as? String == "region")

            let outside = try await client.get("/api/regions/lookup?lon=10&lat=10&osp=test-osp", headers: noc.headers)
            #expect(outside.status == .ok)
            #expect(outside.text == #"{"pagerList":null}"#)

            let osp = try await client.signIn("osp-viewer")
            #expect((try await client.get("/api/regions/lookup?lon=-104.95&lat=39.75", headers: osp.headers).json["pagerList"] as? [String: Any])?["name"] as? String == "Downtown")

            let missing = try await client.get("/api/regions/lookup?lon=-104.95", headers: noc.headers)
            #expect(missing.status == .unprocessableContent)
            #expect(missing.text.contains(#""field":"lat""#) && missing.text.contains(#""field":"osp""#))
            let range = try await client.get("/api/regions/lookup?lon=200&lat=0&osp=test-osp", headers: noc.headers)
            #expect(range.status == .unprocessableContent)
            let unlinked = try await client.get("/api/regions/lookup?lon=-104.95&lat=39.75&osp=nobody", headers: noc.headers)
            #expect(unlinked.status == .notFound)
        }
    }
}
