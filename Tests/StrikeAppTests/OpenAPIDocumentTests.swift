import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import StrikeApp
import StrikeHTTP
import StrikeStore
import StrikeTestSupport
import Synchronization
import Testing

/// The served OpenAPI document and the router agree: no route undocumented, no documented route missing.
@Suite struct OpenAPIDocumentTests {
    private func document(_ api: APIWorld) async throws -> [String: Any] {
        let served = Mutex(Data())
        try await api.test { client in
            let response = try await client.get("/api/openapi.json")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            served.withLock { $0 = Data(buffer: response.body) }
        }
        return try #require(try JSONSerialization.jsonObject(with: served.withLock { $0 }) as? [String: Any])
    }

    private func operations(_ document: [String: Any]) -> [String: [String: Any]] {
        let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options"]
        var operations: [String: [String: Any]] = [:]
        for (path, item) in document["paths"] as? [String: [String: Any]] ?? [:] {
            for (method, operation) in item where methods.contains(method) {
                operations["\(method.uppercased()) \(path)"] = operation as? [String: Any]
            }
        }
        return operations
    }

    @Test func everyRouteIsDocumentedAndEveryDocumentedRouteExists() async throws {
        let api = try await APIWorld.make()
        let document = try await document(api)
        #expect(document["openapi"] as? String == "3.1.0")
        let routes = await api.routes()
        let served = Set(routes.map { "\($0.method.rawValue) \($0.path)" })
        let documented = Set(operations(document).keys)
        #expect(served.subtracting(documented).sorted() == [], "routes the document lacks")
        #expect(documented.subtracting(served).sorted() == [], "documented routes the router lacks")
    }

    @Test func everyOperationStatesItsCredentialsAndItsErrors() async throws {
        let api = try await APIWorld.make()
        let document = try await document(api)
        let routes = await api.routes()
        let access = Dictionary(uniqueKeysWithValues: routes.map { ("\($0.method.rawValue) \($0.path)", $0.access) })
        for (key, operation) in operations(document) {
            let responses = operation["responses"] as? [String: Any] ?? [:]
            let security = operation["security"] as? [Any]
            switch access[key] {
            case .anyone?, nil:
                #expect(security?.isEmpty == true, "\(key) needs no credentials and must say so")
            case .some(let rule):
                #expect(security?.isEmpty == false && responses["401"] != nil, "\(key) must name its credentials and its 401")
                if rule != .signedIn { #expect(responses["403"] != nil, "\(key) must document its 403") }
            }
        }
    }
}
