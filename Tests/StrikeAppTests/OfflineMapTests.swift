import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import StrikeApp
import StrikeStore
import StrikeTestSupport
import Testing

@Suite struct OfflineMapTests {
    /// A tile's bytes: PNG's signature, then which tile it is, so each answer names the tile it is.
    static func png(_ label: String) -> Data { Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) + Data(label.utf8) }

    /// An MBTiles file of zoom 0 and 1, rows numbered from the south (TMS) as the format has them.
    static func mbtiles(at path: String, label: String, signature: Data? = nil) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE metadata (name TEXT, value TEXT); CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)")
            for (name, value) in [("name", "Front Range"), ("format", "png"), ("minzoom", "0"), ("maxzoom", "1"), ("bounds", "-106,39,-104,41"),
                                  ("attribution", "© test survey")] {
                try db.execute(sql: "INSERT INTO metadata VALUES (?, ?)", arguments: [name, value])
            }
            for (z, x, row) in [(0, 0, 0), (1, 0, 0), (1, 0, 1), (1, 1, 0), (1, 1, 1)] {
                let data = signature.map { $0 + Data("\(z)/\(x)/\(row)".utf8) } ?? png("\(label) \(z)/\(x) row \(row)")
                try db.execute(sql: "INSERT INTO tiles VALUES (?, ?, ?, ?)", arguments: [z, x, row, data])
            }
        }
        try queue.close()
    }

    @Test func importedTilesAreTheMapsBaseLayerNumberedAsLeafletAsksAndReplacedWhileServing() async throws {
        let api = try await APIWorld.make()
        let first = api.world.directory.path("first.mbtiles"), second = api.world.directory.path("second.mbtiles")
        try Self.mbtiles(at: first, label: "first")
        try Self.mbtiles(at: second, label: "second")
        try await api.test { client in
            let viewer = try await client.signIn("noc-viewer")
            #expect(try await client.get("/api/tiles", headers: viewer.headers).json["available"] as? Bool == false)
            #expect(try await client.get("/tiles/0/0/0", headers: viewer.headers).status == .notFound)

            let imported = try runProduct("strike", ["tiles", "import", "--db", api.world.databasePath, first])
            #expect(imported.status == 0, "\(imported.stderr)")
            #expect(imported.stdout.contains("Front Range (png, zoom 0–1)"))
            let described = try await client.get("/api/tiles", headers: viewer.headers).json
            #expect(described["available"] as? Bool == true)
            #expect(described["minZoom"] as? Int == 0)
            #expect(described["maxZoom"] as? Int == 1)
            #expect(described["attribution"] as? String == "© test survey")
            #expect(described["bounds"] as? [Double] == [-106, 39, -104, 41])

            let northWest = try await client.get("/tiles/1/0/0", headers: viewer.headers)
            #expect(northWest.status == .ok)
            #expect(northWest.headers[.contentType] == "image/png")
            #expect(Data(buffer: northWest.body) == Self.png("first 1/0 row 1"), "Leaflet's row 0 is the file's top row, TMS row 1")
            #expect(try await client.get("/tiles/2/0/0", headers: viewer.headers).status == .notFound)
            #expect(try await client.get("/tiles/1/2/0", headers: viewer.headers).status == .notFound)
            #expect(try await client.get("/tiles/one/0/0", headers: viewer.headers).status == .notFound)
            #expect(try await client.get("/tiles/1/0/0").status == .unauthorized)

            #expect(try runProduct("strike", ["tiles", "import", "--db", api.world.databasePath, second]).status == 0)
            let replaced = try await client.get("/tiles/1/0/0", headers: viewer.headers)
            #expect(Data(buffer: replaced.body) == Self.png("second 1/0 row 1"), "the running appliance serves the new file at once")
        }
    }

    @Test func aFileThatIsNotRasterMBTilesIsRefusedAndTheTilesInPlaceStay() async throws {
        let world = try await TestWorld.make()
        let good = world.directory.path("good.mbtiles"), vector = world.directory.path("vector.mbtiles")
        let text = world.directory.path("notes.mbtiles")
        try Self.mbtiles(at: good, label: "good")
        try Self.mbtiles(at: vector, label: "vector", signature: Data([0x1F, 0x8B, 0x08]))
        try "just text".write(toFile: text, atomically: true, encoding: .utf8)
        #expect(try runProduct("strike", ["tiles", "import", "--db", world.databasePath, good]).status == 0)
        let stored = try Data(contentsOf: URL(fileURLWithPath: TileArchive.path(forDatabase: world.databasePath)))

        let gzipped = try runProduct("strike", ["tiles", "import", "--db", world.databasePath, vector])
        #expect(gzipped.status != 0)
        #expect(gzipped.stderr.contains("neither PNG nor JPEG"), "\(gzipped.stderr)")
        let notSQLite = try runProduct("strike", ["tiles", "import", "--db", world.databasePath, text])
        #expect(notSQLite.status != 0)
        #expect(notSQLite.stderr.contains("is not an MBTiles file SQLite can read"), "\(notSQLite.stderr)")
        let missing = try runProduct("strike", ["tiles", "import", "--db", world.databasePath, world.directory.path("absent.mbtiles")])
        #expect(missing.stderr.contains("there is no file at"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: TileArchive.path(forDatabase: world.databasePath))) == stored)
    }
}
