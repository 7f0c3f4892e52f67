public import Foundation

/// A WGS84 position: longitude then latitude, as GeoJSON orders them.
public struct Position: Hashable, Sendable, Codable {
    public var longitude: Double
    public var latitude: Double

    public init(longitude: Double, latitude: Double) {
        self.longitude = longitude
        self.latitude = latitude
    }

    public init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        longitude = try container.decode(Double.self)
        latitude = try container.decode(Double.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(longitude)
        try container.encode(latitude)
    }

    /// Checks the position is finite and within WGS84 bounds.
    public func validated() throws(GeometryError) -> Position {
        guard longitude.isFinite, latitude.isFinite else { throw .nonFiniteCoordinate }
        guard (-180...180).contains(longitude) else { throw .longitudeOutOfRange(longitude) }
        guard (-90...90).contains(latitude) else { throw .latitudeOutOfRange(latitude) }
        return self
    }

    var wkt: String { "\(longitude) \(latitude)" }
}

/// Why a GeoJSON geometry was refused. Each case names the exact problem for the operator.
public enum GeometryError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformedJSON(String)
    case unsupportedType(String)
    case missingCoordinates
    case nonFiniteCoordinate
    case longitudeOutOfRange(Double)
    case latitudeOutOfRange(Double)
    case tooFewPositions(Int)
    case lineWithoutDistinctPositions
    case ringNotClosed
    case ringTooShort(Int)

    public var description: String {
        switch self {
        case .malformedJSON(let detail): "the geometry is not valid GeoJSON: \(detail)"
        case .unsupportedType(let type): "geometry type \"\(type)\" is not supported here"
        case .missingCoordinates: "the geometry has no coordinates"
        case .nonFiniteCoordinate: "a coordinate is not a finite number"
        case .longitudeOutOfRange(let value): "longitude \(value) is outside -180…180"
        case .latitudeOutOfRange(let value): "latitude \(value) is outside -90…90"
        case .tooFewPositions(let count): "a line needs at least two positions, it has \(count)"
        case .lineWithoutDistinctPositions: "a line needs at least two distinct positions"
        case .ringNotClosed: "a polygon ring must end where it starts"
        case .ringTooShort(let count): "a polygon ring needs at least four positions, it has \(count)"
        }
    }
}

/// Where an ECO is: a GeoJSON `Point` or `LineString` in WGS84.
public enum EcoLocation: Hashable, Sendable {
    case point(Position)
    case lineString([Position])

    /// Parses and validates a GeoJSON geometry object.
    public static func parse(geoJSON data: Data) throws(GeometryError) -> EcoLocation {
        let raw: RawGeometry
        do {
            raw = try JSONDecoder().decode(RawGeometry.self, from: data)
        } catch {
            throw .malformedJSON(Self.describe(error))
        }
        return try raw.location()
    }

    /// The validated form of an already-decoded location (decoding alone does not check ranges).
    public func validated() throws(GeometryError) -> EcoLocation {
        switch self {
        case .point(let position):
            return .point(try position.validated())
        case .lineString(let positions):
            guard positions.count >= 2 else { throw .tooFewPositions(positions.count) }
            var checked: [Position] = []
            for position in positions { checked.append(try position.validated()) }
            guard Set(checked).count >= 2 else { throw .lineWithoutDistinctPositions }
            return .lineString(checked)
        }
    }

    /// Well-known text for SpatiaLite's `GeomFromText`.
    public var wkt: String {
        switch self {
        case .point(let position): "POINT(\(position.wkt))"
        case .lineString(let positions): "LINESTRING(\(positions.map(\.wkt).joined(separator: ",")))"
        }
    }

    public var positions: [Position] {
        switch self {
        case .point(let position): [position]
        case .lineString(let positions): positions
        }
    }

    /// The bounding box (min lon, min lat, max lon, max lat).
    public var boundingBox: BoundingBox { BoundingBox(positions) }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context): context.debugDescription
        case DecodingError.keyNotFound(let key, _): "missing \"\(key.stringValue)\""
        case DecodingError.typeMismatch(_, let context): context.debugDescription
        case DecodingError.valueNotFound(_, let context): context.debugDescription
        default: "\(error)"
        }
    }
}

extension EcoLocation: Codable {
    public init(from decoder: any Decoder) throws {
        let raw = try RawGeometry(from: decoder)
        do {
            self = try raw.location()
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(error)"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: RawGeometry.CodingKeys.self)
        switch self {
        case .point(let position):
            try container.encode("Point", forKey: .type)
            try container.encode(position, forKey: .coordinates)
        case .lineString(let positions):
            try container.encode("LineString", forKey: .type)
            try container.encode(positions, forKey: .coordinates)
        }
    }
}

/// An axis-aligned box in degrees.
public struct BoundingBox: Hashable, Sendable {
    public var minLongitude, minLatitude, maxLongitude, maxLatitude: Double

    public init(_ positions: [Position]) {
        minLongitude = positions.map(\.longitude).min() ?? 0
        maxLongitude = positions.map(\.longitude).max() ?? 0
        minLatitude = positions.map(\.latitude).min() ?? 0
        maxLatitude = positions.map(\.latitude).max() ?? 0
    }
}

/// The GeoJSON object as written, before its type decides how to read the coordinates.
struct RawGeometry: Decodable {
    enum CodingKeys: String, CodingKey { case type, coordinates }

    let type: String
    let coordinates: Coordinates?

    enum Coordinates: Decodable {
        case position(Position)
        case positions([Position])
        case rings([[Position]])
        case polygons([[[Position]]])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(Position.self) { self = .position(value); return }
            if let value = try? container.decode([Position].self) { self = .positions(value); return }
            if let value = try? container.decode([[Position]].self) { self = .rings(value); return }
            if let value = try? container.decode([[[Position]]].self) { self = .polygons(value); return }
            // JSON has no NaN or infinity, so anything else is a shape error.
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "coordinates are not arrays of [longitude, latitude] numbers")
        }
    }

    func location() throws(GeometryError) -> EcoLocation {
        guard let coordinates else { throw .missingCoordinates }
        switch (type, coordinates) {
        case ("Point", .position(let position)):
            return try EcoLocation.point(position).validated()
        case ("LineString", .positions(let positions)):
            return try EcoLocation.lineString(positions).validated()
        case ("LineString", .position):
            throw .tooFewPositions(1)
        case ("Point", _), ("LineString", _):
            throw .malformedJSON("coordinates do not match the \(type) shape")
        default:
            throw .unsupportedType(type)
        }
    }
}
