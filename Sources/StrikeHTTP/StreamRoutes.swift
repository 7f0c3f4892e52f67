import Foundation
import Hummingbird
import HTTPTypes
import ServiceLifecycle
import Synchronization
import StrikeCore
import StrikeStore

/// `GET /api/stream`: Server-Sent Events of the active tenant's ECOs. Each event's id is its log position, so a
/// client that reconnects with `Last-Event-ID` gets exactly what it missed; comments keep proxies from closing it.
struct StreamRoutes {
    let store: any EventStore & EcoQueries
    var heartbeat = Duration.seconds(15)

    static let lastEventID = HTTPField.Name("Last-Event-ID")!

    func register(_ api: APIRouter) {
        api.add(.get, "/api/stream", access: .member(.viewer), tenantInQuery: true, stream)
    }

    private struct Message: Encodable {
        let position: Int64
        let type: String
        let ecoID: EcoID
        let at: String
        let actor: String
    }

    @Sendable func stream(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let tenant = try context.requireTenant()
        let visibility = tenant.visibility
        let resumeFrom = request.headers[Self.lastEventID] ?? request.uri.queryParameters["lastEventId"].map(String.init)
        let start: Int64
        if let resumeFrom {
            guard let position = Int64(resumeFrom), position >= 0 else {
                throw Problem.invalid([FieldProblem(field: "Last-Event-ID", message: "must be a log position from this stream")])
            }
            start = position
        } else {
            start = try await store.lastPosition()
        }
        let store = self.store, heartbeat = self.heartbeat
        let headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-store", HTTPField.Name("X-Accel-Buffering")!: "no"]
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            let wakeUp = store.commits.subscribe()
            let stopping = Mutex(false)
            var position = start
            try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
            // A stream lasts until the client leaves or the appliance stops; it must not hold up a shutdown.
            try await withGracefulShutdownHandler {
                while !Task.isCancelled, !stopping.withLock({ $0 }) {
                    let (events, scannedTo) = try await store.liveEvents(after: position, visibleTo: visibility, limit: 200)
                    for event in events {
                        let message = Message(position: event.position, type: event.type, ecoID: event.ecoID, at: event.at, actor: event.actor)
                        let data = String(decoding: try EventCoding.encoder().encode(message), as: UTF8.self)
                        try await writer.write(ByteBuffer(string: "id: \(event.position)\nevent: \(event.type)\ndata: \(data)\n\n"))
                    }
                    // Other tenants' events move the log on too: everything scanned is done with.
                    position = max(position, scannedTo)
                    if events.count == 200 { continue }
                    if await !wakeUp.wait(upTo: heartbeat, on: store.clock) {
                        try await writer.write(ByteBuffer(string: ": heartbeat\n\n"))
                    }
                }
            } onGracefulShutdown: {
                stopping.withLock { $0 = true }
                wakeUp.set()
            }
            try await writer.finish(nil)
        })
    }
}
