import Hummingbird
import StrikeCore
import StrikeStore

struct DeadLetterRetryBody: RequestBody {
    static let fields: Set<String> = ["consumer", "position"]
    let consumer: String?
    let position: Int64?
}

struct DeadLetterRetryAnswer: Encodable {
    let requested: Int
}

/// Events a worker gave up on, for the owner: listed, and sent back to their worker while the appliance runs
/// (`strike dlq retry` does the same with the service stopped).
struct DeadLetterRoutes {
    let store: any ConsumerCheckpoints

    func register(_ api: APIRouter) {
        api.add(.get, "/api/dead-letters", access: .owner, list)
        api.add(.post, "/api/dead-letters/retry", access: .owner, retry)
    }

    @Sendable func list(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        try jsonResponse(try await store.deadLetters())
    }

    /// Marks the parked events (all, one worker's, or one log position) for redelivery; each worker takes its
    /// own on its next pass, within its poll interval.
    @Sendable func retry(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let body = try await request.decodeBody(DeadLetterRetryBody.self, context: context)
        let requested = try await store.requestDeadLetterRetry(consumer: body.consumer, position: body.position)
        return try jsonResponse(DeadLetterRetryAnswer(requested: requested))
    }
}
