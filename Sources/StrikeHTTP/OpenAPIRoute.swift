import Foundation
import Hummingbird
import StrikeResources

/// The OpenAPI 3.1 document describing every route, served from the copy built into the binary.
struct OpenAPIRoute {
    func register(_ api: APIRouter) {
        api.add(.get, "/api/openapi.json", access: .anyone, document)
    }

    @Sendable func document(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        guard let document = Resources.file("openapi.json") else { throw Problem.notFound("this build carries no API document") }
        return Response(
            status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-cache"],
            body: .init(byteBuffer: ByteBuffer(bytes: document)))
    }
}
