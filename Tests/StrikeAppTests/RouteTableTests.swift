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

/// Walks every registered API route, so a route added later cannot forget its access rule.
@Suite struct RouteTableTests {
    private func concrete(_ path: String) -> String {
        path.replacingOccurrences(of: "{id}", with: "00000000-0000-0000-0000-000000000000")
    }

    @Test func onlyTheDeclaredPublicRoutesAnswerWithoutCredentials() async throws {
        let api = try await APIWorld.make()
        let routes = await api.routes()
        #expect(Set(routes.filter { $0.access == .anyone }.map(\.path)) == ["/healthz", "/readyz", "/api/setup", "/api/session", "/api/openapi.json", "/twilio/status", "/twilio/gather",
            "/twilio/ping/{nonce}"])
        try await api.test { client in
            for route in routes where route.access != .anyone {
                let response = try await client.execute(uri: concrete(route.path), method: route.method, headers: [.contentType: "application/json"])
                #expect(response.status == .unauthorized, "\(route.method) \(route.path) answered \(response.status)")
                #expect(response.headers[.contentType] == "application/problem+json")
            }
        }
    }

    @Test func everyRoleBelowARoutesRuleIsForbidden() async throws {
        let api = try await APIWorld.make()
        let routes = await api.routes()
        try await api.test { client in
            for route in routes {
                let refused: [String] = switch route.access {
                case .anyone, .signedIn: []
                case .owner: Role.allCases.map { "noc-\($0.rawValue)" }
                case .member(let needed): Role.allCases.filter { $0 < needed }.map { "noc-\($0.rawValue)" }
                }
                for username in refused {
                    let session = try await client.signIn(username)
                    let response = try await client.execute(uri: concrete(route.path), method: route.method, headers: session.headers)
                    #expect(response.status == .forbidden, "\(username): \(route.method) \(route.path) answered \(response.status)")
                }
            }
        }
    }

    @Test func aMethodAPathDoesNotServeIs405NamingTheOnesItDoes() async throws {
        let api = try await APIWorld.make()
        let routes = await api.routes()
        try await api.test { client in
            for (path, specs) in Dictionary(grouping: routes, by: \.path) {
                let served = Set(specs.map(\.method))
                for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete, .options, HTTPRequest.Method("QUERY")!] where !served.contains(method) {
                    let response = try await client.execute(uri: concrete(path), method: method)
                    #expect(response.status == .methodNotAllowed, "\(method) \(path) answered \(response.status)")
                    #expect(response.headers[.allow] == served.map(\.rawValue).sorted().joined(separator: ", "))
                }
            }
        }
    }

    @Test func aTenantOutsideTheCallersMembershipsIsRefused() async throws {
        let api = try await APIWorld.make()
        try await api.test { client in
            var headers = try await client.signIn("noc-admin").headers
            headers[HTTPField.Name("X-Tenant-ID")!] = "test-osp"
            let response = try await client.get("/api/tokens", headers: headers)
            #expect(response.status == .forbidden)
            #expect(response.json["detail"] as? String == "you are not a member of tenant test-osp")
        }
    }
}
