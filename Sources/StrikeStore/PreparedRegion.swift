import Foundation

/// An axis-aligned box in degrees, for narrowing before an exact test.
struct Box: Sendable, Equatable {
    var minX, minY, maxX, maxY: Double

    init(minX: Double, minY: Double, maxX: Double, maxY: Double) {
        (self.minX, self.minY, self.maxX, self.maxY) = (minX, minY, maxX, maxY)
    }

    init<C: Collection>(_ vertices: C) where C.Element == Vertex {
        (minX, minY, maxX, maxY) = (.infinity, .infinity, -.infinity, -.infinity)
        for vertex in vertices {
            minX = min(minX, vertex.x)
            maxX = max(maxX, vertex.x)
            minY = min(minY, vertex.y)
            maxY = max(maxY, vertex.y)
        }
    }

    func intersects(_ other: Box) -> Bool {
        minX <= other.maxX && other.minX <= maxX && minY <= other.maxY && other.minY <= maxY
    }

    func union(_ other: Box) -> Box {
        Box(minX: min(minX, other.minX), minY: min(minY, other.minY), maxX: max(maxX, other.maxX), maxY: max(maxY, other.maxY))
    }

    var centre: Vertex { Vertex(x: (minX + maxX) / 2, y: (minY + maxY) / 2) }
}

/// One polygon of a region (its outer ring, then its holes), kept with its box so a lookup tests the exact shape
/// only for the polygons whose box holds the location.
struct PreparedPolygon: Sendable {
    /// Closed rings: the first vertex repeats as the last.
    let rings: [[Vertex]]
    let box: Box

    init(rings: [[Vertex]]) {
        self.rings = rings
        box = Box(rings.first ?? [])
    }

    /// Where the point is: on a ring, inside the shell and outside every hole, or outside. The count runs over
    /// every ring at once, as GEOS's area locators do: a hole's crossings cancel the shell's.
    func locate(_ point: Vertex) -> PlanarPredicates.Location {
        guard point.x >= box.minX, point.x <= box.maxX, point.y >= box.minY, point.y <= box.maxY else { return .exterior }
        var counter = PlanarPredicates.RayCrossing(point)
        for ring in rings {
            for index in 1..<ring.count {
                counter.count(ring[index - 1], ring[index])
                if counter.onBoundary { return .boundary }
            }
        }
        return counter.location
    }

    /// `ST_Intersects` of this polygon and a line: a vertex of the line is inside or on it, or a segment of the
    /// line meets one of its edges (which covers every other way a line can enter a polygon).
    func intersects(line: [Vertex], lineBox: Box) -> Bool {
        guard box.intersects(lineBox) else { return false }
        for vertex in line where locate(vertex) != .exterior { return true }
        for index in 1..<line.count {
            let start = line[index - 1], end = line[index]
            let segmentBox = Box([start, end])
            guard box.intersects(segmentBox) else { continue }
            for ring in rings {
                for edge in 1..<ring.count where PlanarPredicates.segmentsIntersect(start, end, ring[edge - 1], ring[edge]) {
                    return true
                }
            }
        }
        return false
    }
}

/// Reads the well-known binary SpatiaLite's `AsBinary` writes for a region (a MULTIPOLYGON, or a POLYGON),
/// either byte order.
struct WellKnownBinary {
    private let bytes: [UInt8]
    private var offset = 0

    struct Malformed: Error, CustomStringConvertible {
        let reason: String
        var description: String { "the stored region is not readable well-known binary: \(reason)" }
    }

    static func polygons(_ data: Data) throws -> [PreparedPolygon] {
        var reader = WellKnownBinary(bytes: [UInt8](data))
        let polygons = try reader.geometry()
        guard reader.offset == reader.bytes.count else { throw Malformed(reason: "\(reader.bytes.count - reader.offset) bytes left over") }
        return polygons
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private mutating func geometry() throws -> [PreparedPolygon] {
        let littleEndian = try byteOrder()
        switch try integer(littleEndian) {
        case 3: return [try polygon(littleEndian)]
        case 6:
            return try (0..<integer(littleEndian)).map { _ in
                let partLittleEndian = try byteOrder()
                guard try integer(partLittleEndian) == 3 else { throw Malformed(reason: "a part of the multipolygon is not a polygon") }
                return try polygon(partLittleEndian)
            }
        case let type: throw Malformed(reason: "geometry type \(type) is not a polygon or multipolygon")
        }
    }

    private mutating func polygon(_ littleEndian: Bool) throws -> PreparedPolygon {
        let rings = try (0..<integer(littleEndian)).map { _ in
            let count = try integer(littleEndian)
            guard count >= 4, count <= (bytes.count - offset) / 16 else { throw Malformed(reason: "a ring of \(count) points") }
            return try (0..<count).map { _ in Vertex(x: try double(littleEndian), y: try double(littleEndian)) }
        }
        guard !rings.isEmpty else { throw Malformed(reason: "a polygon without rings") }
        return PreparedPolygon(rings: rings)
    }

    private mutating func byteOrder() throws -> Bool {
        let raw = try take(1).first!
        guard raw <= 1 else { throw Malformed(reason: "byte order \(raw)") }
        return raw == 1
    }

    private mutating func integer(_ littleEndian: Bool) throws -> Int {
        let raw = try take(4).withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
        return Int(littleEndian ? UInt32(littleEndian: raw) : UInt32(bigEndian: raw))
    }

    private mutating func double(_ littleEndian: Bool) throws -> Double {
        let raw = try take(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        return Double(bitPattern: littleEndian ? UInt64(littleEndian: raw) : UInt64(bigEndian: raw))
    }

    private mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
        guard offset + count <= bytes.count else { throw Malformed(reason: "it ends early") }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }
}
