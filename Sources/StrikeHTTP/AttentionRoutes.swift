import Foundation
import Hummingbird
import StrikeCore
import StrikeStore

/// The attention list (what needs a person now) and its acknowledgement.
struct AttentionRoutes {
    let store: any EventStore & EcoQueries

    func register(_ api: APIRouter) {
        api.add(.get, "/api/attention", access: .member(.viewer), list)
        api.add(.post, "/api/attention/{id}/acknowledge", access: .member(.dispatcher), acknowledge)
    }

    struct ItemView: Encodable {
        struct Cause: Encodable {
            let cause: AttentionCause
            let since: String
            let detail: String?
        }

        let eco: RecordView
        let since: String
        let causes: [Cause]
        let acknowledged: Bool
        let acknowledgedBy: String?
        let acknowledgedAt: String?
    }

    struct ListView: Encodable {
        let items: [ItemView]
        let unacknowledged: Int
    }

    @Sendable func list(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let tenant = try context.requireTenant()
        let items = try await views(try await store.attention(visibleTo: tenant.visibility), tenant)
        return try jsonResponse(ListView(items: items, unacknowledged: items.count { !$0.acknowledged }))
    }

    /// Records who took it; only the NOC that opened the ECO acts on it.
    @Sendable func acknowledge(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let tenant = try context.requireTenant()
        let ecoID = EcoID(try context.parameters.require("id"))
        guard try await store.eco(ecoID, visibleTo: tenant.visibility) != nil else { throw Problem.notFound("there is no such ECO") }
        guard tenant.kind == .noc else { throw Problem.forbidden("only the NOC that opened this ECO acknowledges it") }
        try await store.execute(.acknowledgeAttention, on: ecoID, actor: try context.requireCaller().actor, expectedVersion: nil)
        guard let entry = try await store.attention(of: ecoID, visibleTo: tenant.visibility) else {
            throw Problem.notFound("the ECO no longer needs attention")
        }
        return try jsonResponse(try await views([entry], tenant)[0])
    }

    private func views(_ entries: [AttentionEntry], _ tenant: ActiveTenant) async throws -> [ItemView] {
        let names = try await store.actorNames(Set(entries.compactMap { $0.lastAcknowledgement?.by }))
        return try entries.map { entry in
            let acknowledgement = entry.lastAcknowledgement
            return ItemView(
                eco: try .eco(entry.eco, showIntegration: tenant.role == .admin), since: entry.since,
                causes: entry.causes.map { ItemView.Cause(cause: $0.cause, since: $0.since, detail: $0.detail) },
                acknowledged: entry.isAcknowledged, acknowledgedBy: acknowledgement.map { names[$0.by] ?? $0.by },
                acknowledgedAt: acknowledgement?.at)
        }
    }
}
