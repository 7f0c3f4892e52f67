import Foundation
public import Hummingbird

/// The appliance's readiness: each check named, with what it found.
public struct Readiness: Sendable, Codable {
    public struct Check: Sendable, Codable {
        public let name: String
        public let ok: Bool
        public let detail: String

        public init(name: String, ok: Bool, detail: String) {
            self.name = name
            self.ok = ok
            self.detail = detail
        }
    }

    public let checks: [Check]
    public var ready: Bool { checks.allSatisfy(\.ok) }

    public init(checks: [Check]) { self.checks = checks }
}

/// `/healthz` (the process answers) and `/readyz` (it can do its work), for load balancers and systemd.
public enum HealthRoutes {
    public static func add<Context: RequestContext>(
        to router: Router<Context>, readiness: @escaping @Sendable () async -> Readiness
    ) {
        router.get("healthz") { _, _ in
            try json(["status": "ok"], status: .ok)
        }
        router.get("readyz") { _, _ in
            let result = await readiness()
            return try json(ReadyBody(status: result.ready ? "ready" : "not ready", checks: result.checks),
                            status: result.ready ? .ok : .serviceUnavailable)
        }
    }

    private struct ReadyBody: Encodable {
        let status: String
        let checks: [Readiness.Check]
    }

    private static func json(_ value: some Encodable, status: HTTPResponse.Status) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(data: try encoder.encode(value))))
    }
}
