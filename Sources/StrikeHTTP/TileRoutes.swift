import Foundation
import Hummingbird
import NIOCore
import StrikeStore

/// The offline base map, when an MBTiles file was imported (`strike tiles import`): what it holds, and its tiles.
struct TileRoutes {
    let tiles: TileArchive

    func register(_ api: APIRouter) {
        api.add(.get, "/api/tiles", access: .signedIn, describe)
        api.add(.get, "/tiles/{z}/{x}/{y}", access: .signedIn, tile)
    }

    @Sendable func describe(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        guard let metadata = try await tiles.metadata() else { return try jsonResponse(Availability(available: false)) }
        return try jsonResponse(
            Availability(
                available: true, name: metadata.name, format: metadata.format, minZoom: metadata.minZoom, maxZoom: metadata.maxZoom,
                bounds: metadata.bounds, attribution: metadata.attribution))
    }

    @Sendable func tile(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        guard let z = Int(try context.parameters.require("z")), let x = Int(try context.parameters.require("x")),
            let y = Int(try context.parameters.require("y"))
        else { throw Problem.notFound("a tile is named by whole numbers: /tiles/{z}/{x}/{y}") }
        guard let tile = try await tiles.tile(z: z, x: x, y: y) else { throw Problem.notFound("there is no tile \(z)/\(x)/\(y)") }
        return Response(
            status: .ok, headers: [.contentType: tile.contentType, .cacheControl: "private, max-age=3600"],
            body: .init(byteBuffer: ByteBuffer(data: tile.data)))
    }

    private struct Availability: Encodable {
        var available: Bool
        var name: String?
        var format: String?
        var minZoom: Int?
        var maxZoom: Int?
        var bounds: [Double]?
        var attribution: String?
    }
}
