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
struct HealthRoutes {
    let readiness: @Sendable () async -> Readiness

    func register(_ api: APIRouter) {
        api.add(.get, "/healthz", access: .anyone) { _, _ in
            try jsonResponse(["status": "ok"])
        }
        api.add(.get, "/readyz", access: .anyone) { _, _ in
            let result = await readiness()
            return try jsonResponse(
                ReadyBody(status: result.ready ? "ready" : "not ready", checks: result.checks),
                status: result.ready ? .ok : .serviceUnavailable)
        }
    }

    private struct ReadyBody: Encodable {
        let status: String
        let checks: [Readiness.Check]
    }
}
