public import Foundation
public import StrikeCore
public import StrikeRuntime
public import StrikeStore

/// A directory under the system's temporary folder, removed when the last reference goes.
public final class TemporaryDirectory: Sendable {
    public let url: URL

    public init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("strike-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// A real database file (WAL, SpatiaLite) with a NOC, an OSP and an active link between them.
public struct TestWorld: Sendable {
    public static let noc = TenantID("test-noc")
    public static let osp = TenantID("test-osp")
    public static let actor = ActorID.user("test-dispatcher")

    public let directory: TemporaryDirectory
    public let store: StrikeStore
    public var databasePath: String { directory.path("strike.db") }

    public static func make(
        snapshotThreshold: Int = 50, seeded: Bool = true, clock: ApplianceClock = .system
    ) async throws -> TestWorld {
        let directory = try TemporaryDirectory()
        let store = try StrikeStore(path: directory.path("strike.db"), snapshotThreshold: snapshotThreshold, secrets: .random(), clock: clock)
        if seeded { try await seedTenants(store) }
        return TestWorld(directory: directory, store: store)
    }

    /// The NOC, the OSP (job prefix `E2`) and their active link; does nothing if they exist.
    public static func seedTenants(_ store: StrikeStore) async throws {
        guard try await !store.tenants().contains(where: { $0.id == noc }) else { return }
        _ = try await store.createTenant(kind: .noc, name: "Test NOC", id: noc, actor: .system("test"))
        _ = try await store.createTenant(kind: .osp, name: "Test OSP", jobPrefix: "E2", id: osp, actor: .system("test"))
        try await store.setLink(noc: noc, osp: osp, status: .active, actor: .system("test"))
    }

    public static func draft(
        _ description: String = "Fiber cut on Main St",
        location: EcoLocation = .point(Position(longitude: -104.99, latitude: 39.74))
    ) -> EcoDraft {
        EcoDraft(location: location, jobType: .cmr, description: description, nocTenantID: noc, ospTenantID: osp)
    }

    /// Opens an ECO through the store's real create path.
    @discardableResult
    public func createEco(_ description: String = "Fiber cut on Main St") async throws -> CommandResult<Eco> {
        try await store.createEco(Self.draft(description), actor: Self.actor)
    }
}
