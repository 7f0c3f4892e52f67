import Foundation
import StrikeCore
import Testing

@Suite("ECO location (GeoJSON)")
struct GeometryTests {
    /// Parses GeoJSON text and returns the refusal, or records an issue if it was accepted.
    static func refusal(_ json: String) -> GeometryError? {
        #expect(throws: GeometryError.self) { try EcoLocation.parse(geoJSON: Data(json.utf8)) }
    }

    @Test func parsesAPoint() throws {
        let location = try EcoLocation.parse(geoJSON: Data(#"{"type":"Point","coordinates":[-122.4194,37.7749]}"#.utf8))
        #expect(location == .point(Position(longitude: -122.4194, latitude: 37.7749)))
        #expect(location.wkt == "POINT(-122.4194 37.7749)")
    }

    @Test func parsesALineString() throws {
        let json = #"{"type":"LineString","coordinates":[[-122.42,37.77],[-122.41,37.78],[-122.40,37.78]]}"#
        let location = try EcoLocation.parse(geoJSON: Data(json.utf8))
        #expect(location == .lineString([
            Position(longitude: -122.42, latitude: 37.77),
            Position(longitude: -122.41, latitude: 37.78),
            Position(longitude: -122.40, latitude: 37.78),
        ]))
        #expect(location.boundingBox == BoundingBox([
            Position(longitude: -122.42, latitude: 37.77), Position(longitude: -122.40, latitude: 37.78),
        ]))
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity])
    func nonFiniteCoordinatesAreRefused(value: Double) {
        #expect(throws: GeometryError.nonFiniteCoordinate) {
            try EcoLocation.point(Position(longitude: value, latitude: 0)).validated()
        }
        #expect(throws: GeometryError.nonFiniteCoordinate) {
            try EcoLocation.lineString([Position(longitude: 0, latitude: 0), Position(longitude: 1, latitude: value)]).validated()
        }
    }

    @Test func longitudeOutOfRange() {
        #expect(Self.refusal(#"{"type":"Point","coordinates":[181,10]}"#) == .longitudeOutOfRange(181))
    }

    @Test func latitudeOutOfRange() {
        #expect(Self.refusal(#"{"type":"Point","coordinates":[10,-91]}"#) == .latitudeOutOfRange(-91))
    }

    @Test func boundsThemselvesAreAccepted() throws {
        let json = #"{"type":"LineString","coordinates":[[-180,-90],[180,90]]}"#
        #expect(try EcoLocation.parse(geoJSON: Data(json.utf8)).positions.count == 2)
    }

    @Test func onePointLineIsTooShort() {
        #expect(Self.refusal(#"{"type":"LineString","coordinates":[[1,2]]}"#) == .tooFewPositions(1))
    }

    @Test func lineNeedsTwoDistinctPositions() {
        #expect(Self.refusal(#"{"type":"LineString","coordinates":[[1,2],[1,2]]}"#) == .lineWithoutDistinctPositions)
    }

    @Test func polygonIsNotAnEcoLocation() {
        let json = #"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}"#
        #expect(Self.refusal(json) == .unsupportedType("Polygon"))
    }

    @Test(arguments: [#"{"type":"#, #"[1,2]"#, #"{"coordinates":[1,2]}"#, ""])
    func malformedJSON(json: String) {
        let error = Self.refusal(json)
        guard case .malformedJSON? = error else {
            Issue.record("expected .malformedJSON, got \(String(describing: error))")
            return
        }
    }

    @Test func missingCoordinates() {
        #expect(Self.refusal(#"{"type":"Point"}"#) == .missingCoordinates)
        #expect(Self.refusal(#"{"type":"LineString","coordinates":null}"#) == .missingCoordinates)
    }

    @Test(arguments: [
        #"{"type":"Point","coordinates":[[1,2],[3,4]]}"#,
        #"{"type":"Point","coordinates":"1,2"}"#,
        #"{"type":"Point","coordinates":[1]}"#,
        #"{"type":"LineString","coordinates":[[[1,2],[3,4]]]}"#,
    ])
    func coordinatesOfTheWrongShape(json: String) {
        let error = Self.refusal(json)
        guard case .malformedJSON? = error else {
            Issue.record("expected .malformedJSON, got \(String(describing: error))")
            return
        }
    }

    @Test func locationCodingRoundTrips() throws {
        let line = EcoLocation.lineString([Position(longitude: 1.5, latitude: 2.5), Position(longitude: 3, latitude: 4)])
        for location in [Fixture.mainStreet, line] {
            let data = try JSONEncoder().encode(location)
            #expect(try EcoLocation.parse(geoJSON: data) == location)
            #expect(try JSONDecoder().decode(EcoLocation.self, from: data) == location)
        }
    }
}

@Suite("Pager-list region (GeoJSON)")
struct RegionTests {
    static let square = "[[0,0],[0.01,0],[0.01,0.01],[0,0.01],[0,0]]"

    static func refusal(_ json: String) -> GeometryError? {
        #expect(throws: GeometryError.self) { try Region.parse(geoJSON: Data(json.utf8)) }
    }

    @Test func parsesAPolygon() throws {
        let region = try Region.parse(geoJSON: Data(#"{"type":"Polygon","coordinates":[\#(Self.square)]}"#.utf8))
        #expect(region.polygons.count == 1)
        #expect(region.polygons[0][0].count == 5)
        #expect(region.wkt == "MULTIPOLYGON(((0.0 0.0,0.01 0.0,0.01 0.01,0.0 0.01,0.0 0.0)))")
    }

    @Test func parsesAMultiPolygon() throws {
        let other = "[[1,1],[1.01,1],[1.01,1.01],[1,1.01],[1,1]]"
        let json = #"{"type":"MultiPolygon","coordinates":[[\#(Self.square)],[\#(other)]]}"#
        let region = try Region.parse(geoJSON: Data(json.utf8))
        #expect(region.polygons.count == 2)
        #expect(region.wkt.hasPrefix("MULTIPOLYGON(((0.0 0.0,"))
        #expect(region.wkt.contains(")),((1.0 1.0,"))
    }

    @Test func ringMustBeClosed() {
        #expect(Self.refusal(#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}"#) == .ringNotClosed)
    }

    @Test func ringNeedsFourPositions() {
        #expect(Self.refusal(#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}"#) == .ringTooShort(3))
    }

    @Test func otherShapesAreRefused() {
        #expect(Self.refusal(#"{"type":"Point","coordinates":[1,2]}"#) == .unsupportedType("Point"))
        #expect(Self.refusal(#"{"type":"Polygon"}"#) == .missingCoordinates)
        #expect(Self.refusal(#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,200]]]}"#) == .latitudeOutOfRange(200))
        guard case .malformedJSON? = Self.refusal(#"{"type":"Polygon","coordinates":[1,2]}"#) else {
            Issue.record("a Polygon with point coordinates should be malformed")
            return
        }
    }
}
