import Foundation
import StrikeCore
import StrikeStore
import StrikeTestSupport
import Synchronization
import Testing

/// Everything a store does, one protocol per concern.
typealias AnyStore = EventStore & EcoQueries & TenantDirectory & PagerDirectory & FieldAccounts & ConsumerCheckpoints & SimulatorState
    & PagerRuns & RenderPolls

/// The engines the contract suites run against. The suites reach a store only through its protocols, so a new
/// engine (PostgreSQL with PostGIS, say) adds a case here and must pass them unchanged.
enum StoreEngine: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite

    var testDescription: String { rawValue }

    /// A new, empty store of this engine holding `TestWorld`'s NOC and OSP, linked, on `clock`'s time (sleeps return at once).
    func open(clock: ManualNow = ManualNow()) async throws -> OpenStore {
        switch self {
        case .sqlite:
            let world = try await TestWorld.make(clock: clock.clock)
            return OpenStore(store: world.store, resources: world)
        }
    }
}

/// A store with whatever keeps it alive (its temporary directory, a server connection).
struct OpenStore: Sendable {
    let store: any AnyStore
    let resources: any Sendable
}
