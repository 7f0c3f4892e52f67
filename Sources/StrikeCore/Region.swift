public import Foundation

/// A pager list's area: one or more polygons (GeoJSON `Polygon` or `MultiPolygon`), WGS84.
public struct Region: Hashable, Sendable {
    /// Polygons, each an outer ring followed by its holes; every ring closed.
    public let polygons: [[[Position]]]

    public init(polygons: [[[Position]]]) throws(GeometryError) {
        guard !polygons.isEmpty, polygons.allSatisfy({ !$0.isEmpty }) else { throw .missingCoordinates }
        for ring in polygons.joined() {
            guard ring.count >= 4 else { throw .ringTooShort(ring.count) }
            for position in ring { _ = try position.validated() }
            guard ring.first == ring.last else { throw .ringNotClosed }
        }
        self.polygons = polygons
    }

    /// Parses and validates a GeoJSON `Polygon` or `MultiPolygon` geometry object.
    public static func parse(geoJSON data: Data) throws(GeometryError) -> Region {
        let raw: RawGeometry
        do {
            raw = try JSONDecoder().decode(RawGeometry.self, from: data)
        } catch {
            throw .malformedJSON("\(error)")
        }
        guard let coordinates = raw.coordinates else { throw .missingCoordinates }
        switch (raw.type, coordinates) {
        case ("Polygon", .rings(let rings)): return try Region(polygons: [rings])
        case ("MultiPolygon", .polygons(let polygons)): return try Region(polygons: polygons)
        case ("Polygon", _), ("MultiPolygon", _):
            throw .malformedJSON("coordinates do not match the \(raw.type) shape")
        default: throw .unsupportedType(raw.type)
        }
    }

    /// Well-known text, always a MULTIPOLYGON so one column type holds every region.
    public var wkt: String {
        let body = polygons.map { polygon in
            "(" + polygon.map { ring in "(" + ring.map(\.wkt).joined(separator: ",") + ")" }
                .joined(separator: ",") + ")"
        }
        return "MULTIPOLYGON(\(body.joined(separator: ",")))"
    }
}
