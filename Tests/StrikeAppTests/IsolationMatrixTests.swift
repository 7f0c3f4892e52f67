import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import StrikeApp
import StrikeHTTP
import StrikeStore
import StrikeTestSupport
import Testing

/// The isolation matrix over the whole route table: every route that takes an id answers 404 to an admin of
/// another tenant of the same kind, with a body that would otherwise be accepted. A new id route without a
/// fixture here fails the test, so it cannot be forgotten.
@Suite struct IsolationMatrixTests {
    /// What each family of id routes needs: the object, made by its own tenant, and the stranger who asks.
    private struct Fixture {
        let prefix: String
        let stranger: String
        let makeID: @Sendable (any TestClientProtocol) async throws -> String
    }

    private static let bodies: [String: [String: any Sendable]] = [
        "PATCH /api/ecos/{id}": ["description": "Changed by a stranger"],
        "POST /api/ecos/{id}/cancel": ["reason": "cancelled by a stranger"],
        "POST /api/ecos/{id}/interventions": ["action": "close", "reason": "closed by a stranger"],
        "PUT /api/users/{id}/role": ["role": "viewer"],
        "PATCH /api/pager-lists/{id}": ["name": "Taken over"],
        "PUT /api/simulator/ecos/{id}": ["scenario": "render-fails"],
        "PUT /api/pager-lists/{id}/contacts": ["contacts": [["name": "Eve", "phone": "+13035550666"]]],
        "PUT /api/pager-lists/{id}/region": [
            "type": "FeatureCollection",
            "features": [
                ["type": "Feature", "geometry": ["type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]] as [String: any Sendable]]
                    as [String: any Sendable]
            ],
        ],
    ]

    private static let fixtures: [Fixture] = [
        Fixture(prefix: "/api/ecos/", stranger: "other-noc-admin") { client in
            let made = try await client.post("/api/ecos", EcoAPITests.cut, headers: try await client.signIn("noc-dispatcher").headers)
            return try #require((made.json["eco"] as? [String: Any])?["id"] as? String)
        },
        Fixture(prefix: "/api/attention/", stranger: "other-noc-admin") { client in
            let made = try await client.post("/api/ecos", EcoAPITests.cut, headers: try await client.signIn("noc-dispatcher").headers)
            return try #require((made.json["eco"] as? [String: Any])?["id"] as? String)
        },
        Fixture(prefix: "/api/simulator/ecos/", stranger: "other-noc-admin") { client in
            let made = try await client.post("/api/ecos", EcoAPITests.cut, headers: try await client.signIn("noc-dispatcher").headers)
            return try #require((made.json["eco"] as? [String: Any])?["id"] as? String)
        },
        Fixture(prefix: "/api/tokens/", stranger: "other-noc-admin") { client in
            let made = try await client.post("/api/tokens", ["name": "script", "role": "viewer"], headers: try await client.signIn("noc-admin").headers)
            return try #require((made.json["token"] as? [String: Any])?["id"] as? String)
        },
        Fixture(prefix: "/api/users/", stranger: "other-noc-admin") { client in
            let members = try await client.get("/api/users", headers: try await client.signIn("noc-admin").headers).jsonArray
            let viewer = members.first { ($0["user"] as? [String: Any])?["username"] as? String == "noc-viewer" }
            return try #require((viewer?["user"] as? [String: Any])?["id"] as? String)
        },
        Fixture(prefix: "/api/pager-lists/", stranger: "other-osp-admin") { client in
            let made = try await client.post("/api/pager-lists", ["name": "Downtown \(UUID().uuidString.prefix(8))"], headers: try await client.signIn("osp-admin").headers)
            return try #require(made.json["id"] as? String)
        },
    ]

    @Test func everyRouteTakingAnIdAnswers404ToAnotherTenant() async throws {
        let api = try await APIWorld.make()
        try await api.addOtherTenants()
        let routes = await api.routes()
        // The owner's routes reach every tenant by design; RouteTableTests shows every member is refused them.
        let idRoutes = routes.filter { $0.path.contains("{id}") && $0.access != .owner }
        try await api.test { client in
            for route in idRoutes {
                let fixture = Self.fixtures.first { route.path.hasPrefix($0.prefix) }
                #expect(fixture != nil, "no isolation fixture for \(route.method) \(route.path)")
                guard let fixture else { continue }
                let id = try await fixture.makeID(client)
                let path = route.path.replacingOccurrences(of: "{id}", with: id) + (route.path.hasSuffix("as-of") ? "?at=2030-01-01T00:00:00Z" : "")
                let stranger = try await client.signIn(fixture.stranger)
                let key = "\(route.method.rawValue) \(route.path)"
                let answer = try await client.send(route.method, path, Self.bodies[key] ?? [:], headers: stranger.headers)
                #expect(answer.status == .notFound, "\(key) answered \(answer.status) to \(fixture.stranger): \(answer.text)")
            }
        }
        #expect(idRoutes.count >= 14)
    }
}
