import Foundation
import StrikeCore
import Testing

@Suite("Upcasting stored payloads")
struct UpcasterTests {
    /// `EcoCreated` as schema v1 wrote it, before attachments existed.
    static let ecoCreatedV1 = """
        {"description":"Fiber cut on Main St","ecoID":"eco-0001","jobID":"E2-00524-2025","jobType":"CMR",\
        "location":{"coordinates":[-122.4194,37.7749],"type":"Point"},"nocTenantID":"noc-metro",\
        "ospTenantID":"osp-eastside"}
        """

    @Test func ecoCreatedV1DecodesWithNoAttachments() throws {
        // Given a v1 payload, when it is upcast to the current version and decoded
        let current = EcoEvent.currentSchemaVersion(of: "EcoCreated")
        #expect(current == 2)
        let payload = try EcoEvent.upcasters.upcast(
            eventType: "EcoCreated", version: 1, to: current, payload: Data(Self.ecoCreatedV1.utf8))
        let event = try EcoEvent.decode(type: "EcoCreated", payload: payload)

        // Then it is the ECO as created, with no attachments
        let expected = EcoCreated(
            ecoID: Fixture.ecoID, nocTenantID: Fixture.noc, ospTenantID: Fixture.osp, jobID: Fixture.jobID,
            jobType: .cmr, description: "Fiber cut on Main St", location: Fixture.mainStreet, attachments: [])
        #expect(event == .created(expected))
    }

    @Test func v1CannotBeDecodedWithoutUpcasting() {
        #expect(throws: (any Error).self) { try EcoEvent.decode(type: "EcoCreated", payload: Data(Self.ecoCreatedV1.utf8)) }
    }

    @Test func currentPayloadComesBackUnchanged() throws {
        let payload = Data(#"{"quietSince":"2025-06-15T15:06:40.000Z"}"#.utf8)
        #expect(try EcoEvent.upcasters.upcast(eventType: "EcoStaleDetected", version: 1, to: 1, payload: payload) == payload)
    }

    @Test func newerPayloadThanThisBuildIsRefused() {
        #expect(throws: UpcastError.self) {
            try EcoEvent.upcasters.upcast(eventType: "EcoCreated", version: 3, to: 2, payload: Data("{}".utf8))
        }
    }

    @Test func missingStepIsRefused() {
        #expect(throws: UpcastError.self) {
            try EcoEvent.upcasters.upcast(eventType: "EcoCancelled", version: 1, to: 2, payload: Data("{}".utf8))
        }
    }

    @Test func nonObjectPayloadIsRefused() {
        #expect(throws: UpcastError.self) {
            try EcoEvent.upcasters.upcast(eventType: "EcoCreated", version: 1, to: 2, payload: Data("[1,2]".utf8))
        }
    }

    @Test func chainAppliesEveryStepInOrder() throws {
        // Given a made-up event whose v1→v2 and v2→v3 steps each leave a mark (registered out of order)
        let chain = UpcasterChain([
            Upcaster(eventType: "TestThingHappened", fromVersion: 2) { payload in
                var payload = payload
                payload["trail"] = ((payload["trail"] as? [String]) ?? []) + ["v2→v3"]
                payload["size"] = payload["count"]
                payload["count"] = nil
                return payload
            },
            Upcaster(eventType: "TestThingHappened", fromVersion: 1) { payload in
                var payload = payload
                payload["trail"] = ((payload["trail"] as? [String]) ?? []) + ["v1→v2"]
                return payload
            },
        ])

        // When a v1 payload is upcast to v3
        let upcast = try chain.upcast(
            eventType: "TestThingHappened", version: 1, to: 3, payload: Data(#"{"count":4}"#.utf8))

        // Then both steps ran, v1→v2 first
        let object = try #require(try JSONSerialization.jsonObject(with: upcast) as? [String: Any])
        #expect(object["trail"] as? [String] == ["v1→v2", "v2→v3"])
        #expect(object["size"] as? Int == 4)
        #expect(object["count"] == nil)

        // And a v2 payload only takes the second step
        let fromV2 = try chain.upcast(eventType: "TestThingHappened", version: 2, to: 3, payload: Data("{}".utf8))
        let second = try #require(try JSONSerialization.jsonObject(with: fromV2) as? [String: Any])
        #expect(second["trail"] as? [String] == ["v2→v3"])
    }
}
