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

@Suite struct StreamAPITests {
    private func browserHeaders(_ session: Session) -> [String: String] {
        ["Cookie": "\(AuthMiddleware.sessionCookie)=\(session.cookie)"]
    }

    private func ecoID(_ event: ReceivedEvent) -> String? {
        (try? JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: Any])?["ecoID"] as? String
    }

    /// What changes the attention list reaches the dashboard as it happens: the cause, then who acknowledged it.
    @Test func theStreamCarriesTheAttentionListsChanges() async throws {
        let api = try await APIWorld.make()
        let app = await buildApplication(api.appliance)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let dispatcher = try await client.signIn("noc-dispatcher")
            let id = try await InterventionAPITests.open(client, dispatcher.headers)
            let stream = try EventStreamClient(port: port, path: "/api/stream", headers: browserHeaders(try await client.signIn("noc-viewer")))
            #expect(await stream.events(1, within: 0.3).isEmpty)

            try await InterventionAPITests.run([.failIntegration(.render, reason: "Render answered 500")], on: id, api)
            #expect(await stream.events(1, within: 20).map(\.event) == ["EcoIntegrationStatusChanged"])
            #expect(try await client.post("/api/attention/\(id)/acknowledge", [:], headers: dispatcher.headers).status == .ok)
            let acknowledged = await stream.events(1, within: 20)
            #expect(acknowledged.map(\.event) == ["EcoAttentionAcknowledged"])
            #expect(acknowledged.first.flatMap(ecoID) == id)
            stream.close()
        }
    }

    @Test func aConnectedClientGetsItsTenantsEventsAndResumesExactlyWhereItLeftOff() async throws {
        let api = try await APIWorld.make()
        _ = try await api.world.store.createTenant(kind: .noc, name: "Other NOC", id: TenantID("other-noc"), actor: .system("test"))
        try await api.world.store.setLink(noc: TenantID("other-noc"), osp: TestWorld.osp, status: .active, actor: .system("test"))
        try await api.addUser("other-noc-dispatcher", tenant: TenantID("other-noc"), role: .dispatcher)
        let app = await buildApplication(api.appliance)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let noc = try await client.signIn("noc-viewer")
            let dispatcher = try await client.signIn("noc-dispatcher")
            let other = try await client.signIn("other-noc-dispatcher")

            let stream = try EventStreamClient(port: port, path: "/api/stream", headers: browserHeaders(noc))
            let strangers = try EventStreamClient(port: port, path: "/api/stream", headers: browserHeaders(other))
            #expect(await stream.events(1, within: 0.3).isEmpty)

            // An ECO created through the API reaches the open stream.
            let created = try await client.post("/api/ecos", EcoAPITests.cut("Streamed cut"), headers: dispatcher.headers)
            let id = try #require((created.json["eco"] as? [String: Any])?["id"] as? String)
            let first = await stream.events(1, within: 5)
            #expect(first.map(\.event) == ["EcoCreated"])
            #expect(first.first.flatMap(ecoID) == id)
            #expect(stream.status == 200)

            // The other NOC's stream carries its own ECO only, never ours.
            let theirs = try await client.post("/api/ecos", EcoAPITests.cut("Their cut"), headers: other.headers)
            let theirID = try #require((theirs.json["eco"] as? [String: Any])?["id"] as? String)
            let seenByStrangers = await strangers.events(2, within: 1)
            #expect(seenByStrangers.compactMap(ecoID) == [theirID])

            // Disconnected, the client misses three events; reconnecting with Last-Event-ID delivers exactly them.
            let lastID = try #require(first.last?.id)
            stream.close()
            let second = try await client.post("/api/ecos", EcoAPITests.cut("While away"), headers: dispatcher.headers)
            let secondID = try #require((second.json["eco"] as? [String: Any])?["id"] as? String)
            _ = try await client.post("/api/ecos/\(id)/cancel", ["reason": "duplicate"], headers: dispatcher.headers)
            _ = try await client.execute(
                uri: "/api/ecos/\(secondID)", method: .patch, headers: dispatcher.headers, body: ByteBuffer(string: #"{"description":"While away, edited"}"#))

            var resumed = browserHeaders(noc)
            resumed["Last-Event-ID"] = lastID
            let again = try EventStreamClient(port: port, path: "/api/stream", headers: resumed)
            let missed = await again.events(3, within: 5)
            #expect(missed.map(\.event) == ["EcoCreated", "EcoCancelled", "EcoDetailsUpdated"])
            #expect(missed.compactMap(ecoID) == [secondID, id, secondID])
            let positions = missed.compactMap { Int64($0.id ?? "") }
            #expect(positions.count == 3)
            #expect(positions == positions.sorted())
            #expect(await again.events(1, within: 0.3).isEmpty)
        }
    }

    @Test func theStreamNeedsCredentials() async throws {
        let api = try await APIWorld.make()
        try await api.test { client in
            let response = try await client.get("/api/stream")
            #expect(response.status == .unauthorized)
        }
    }
}
