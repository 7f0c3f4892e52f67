import Foundation
import Logging
public import StrikeCore
public import StrikeRuntime
public import StrikeStore

/// The time-based causes of the attention list, per OSP and its paging settings: a supervisor accepted but no
/// task moved within the acceptance timeout (and, if the OSP asks, the list is paged again), or the list has
/// been paged for longer than the alert threshold. Each is raised once on the ECO, as an event.
public struct AttentionWatcher: Sendable {
    let store: any EventStore & EcoQueries & TenantDirectory
    let clock: ApplianceClock
    private let logger = Logger(label: "strike.attention")

    public init(store: any EventStore & EcoQueries & TenantDirectory, clock: ApplianceClock) {
        self.store = store
        self.clock = clock
    }

    /// One pass over every OSP.
    public func check() async {
        do {
            for osp in try await store.tenants() where osp.kind == .osp {
                try await check(osp.id, settings: try await store.settings(of: osp.id))
            }
        } catch is CancellationError {
            // Stopping: the next start looks again.
        } catch {
            logger.error("attention check failed", metadata: ["error": "\(error)"])
        }
    }

    private func check(_ osp: TenantID, settings: TenantSettings) async throws {
        let now = clock.now()
        let acceptance = settings.acceptanceTimeoutMinutes
        for eco in try await store.ecosShowing(
            .dispatched, osp: osp, integrationChangedBefore: now.addingTimeInterval(-Double(acceptance) * 60), without: .acceptanceOverdue)
        {
            let detail = "accepted, but no field movement in \(acceptance) minutes" + (settings.repageOnAcceptanceTimeout ? "; paging the list again" : "")
            try await raise(.raiseAttention(.acceptanceOverdue, detail: detail, repage: settings.repageOnAcceptanceTimeout), on: eco)
        }
        let alert = settings.pagingAlertMinutes
        for eco in try await store.ecosShowing(
            .paging, osp: osp, integrationChangedBefore: now.addingTimeInterval(-Double(alert) * 60), without: .pagingOverdue)
        {
            try await raise(.raiseAttention(.pagingOverdue, detail: "still paging after \(alert) minutes", repage: false), on: eco)
        }
    }

    /// One ECO's failure is logged and never holds up the others.
    private func raise(_ command: EcoCommand, on eco: EcoID) async throws {
        do {
            try await store.execute(command, on: eco, actor: .system("attention"), expectedVersion: nil)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            logger.warning("attention not raised", metadata: ["eco": "\(eco)", "error": "\(error)"])
        }
    }
}
