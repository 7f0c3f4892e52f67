import Foundation
import StrikeCore

/// `strike demo` on a fresh database in the workspace, with the simulators at speed 1000, and the sessions the
/// load scenarios need: the dispatcher's (who creates ECOs and reads `/metrics`).
struct DemoUnderLoad {
    let server: BenchServer
    let dispatcher: [String: String]

    static func start(_ context: BenchContext, database: String = "demo.db") async throws -> DemoUnderLoad {
        let server = try await BenchServer.start(context, arguments: ["demo", "--db", context.file(database)])
        let owner = try await server.signIn("owner", "osprey-owner-demo")
        _ = try await server.json("PATCH", "/api/simulator", ["speed": 1000], headers: owner)
        return DemoUnderLoad(server: server, dispatcher: try await server.signIn("dispatcher", "osprey-dispatch-demo"))
    }

    func metrics() async throws -> [String: Double] { try await server.metrics(headers: dispatcher) }
}

/// A point in each of the demo's five pager lists: Downtown Denver, Denver Metro and Front Range's default list;
/// South Suburbs and Summit's default. ECOs spread over them page fifteen supervisors, not three.
enum DemoPlaces {
    static let all: [(longitude: Double, latitude: Double, osp: TenantID)] = [
        (-104.99, 39.74, DemoSeed.northOSP), (-105.10, 39.85, DemoSeed.northOSP), (-104.50, 40.20, DemoSeed.northOSP),
        (-104.95, 39.60, DemoSeed.southOSP), (-104.50, 39.30, DemoSeed.southOSP),
    ]
}

