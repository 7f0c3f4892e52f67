public import Foundation
import GRDB
import Synchronization

/// An offline base map: an MBTiles file (an SQLite database of raster PNG or JPEG tiles, rows numbered from
/// the south as TMS does) kept beside the appliance's database as `<database>.mbtiles`. The server reads it
/// while it runs, and notices when `strike tiles import` puts a new one in place.
public final class TileArchive: Sendable {
    /// What the maps need to know of the tiles.
    public struct Metadata: Sendable, Codable, Equatable {
        public let name: String
        public let format: String
        public let minZoom: Int
        public let maxZoom: Int
        /// West, south, east, north, when the file says.
        public let bounds: [Double]?
        public let attribution: String?
    }

    public struct Tile: Sendable {
        public let data: Data
        public let contentType: String
    }

    public let path: String
    private let opened = Mutex<OpenArchive?>(nil)

    private struct OpenArchive: @unchecked Sendable {
        let file: FileIdentity
        let queue: DatabaseQueue
        let metadata: Metadata
    }

    public init(databasePath: String) {
        path = Self.path(forDatabase: databasePath)
    }

    public static func path(forDatabase databasePath: String) -> String { databasePath + ".mbtiles" }

    /// The tiles' metadata; nil when there is no tiles file.
    public func metadata() async throws -> Metadata? { try await current()?.metadata }

    /// The tile at `z/x/y` as Leaflet numbers it (rows from the north); nil when the file has none there.
    public func tile(z: Int, x: Int, y: Int) async throws -> Tile? {
        guard (0...30).contains(z), (0..<(1 << z)).contains(x), (0..<(1 << z)).contains(y), let archive = try await current() else { return nil }
        let data = try await archive.queue.read { db in
            try Data.fetchOne(db.cachedStatement(sql: "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?"),
                arguments: [z, x, (1 << z) - 1 - y])
        }
        return data.map { Tile(data: $0, contentType: archive.metadata.format == "png" ? "image/png" : "image/jpeg") }
    }

    /// The file open now, reopened when another has been put in its place; nil when there is none.
    private func current() async throws -> OpenArchive? {
        guard let file = FileIdentity(path: path) else {
            opened.withLock { $0 = nil }
            return nil
        }
        if let open = opened.withLock({ $0 }), open.file == file { return open }
        let queue = try Self.openReadOnly(path)
        let path = path
        let metadata = try await queue.read { db in try Self.metadata(db, path: path) }
        let archive = OpenArchive(file: file, queue: queue, metadata: metadata)
        opened.withLock { $0 = archive }
        return archive
    }

    /// Checks `source` and puts a copy of it in place for the database at `databasePath`, atomically (a running
    /// appliance switches to it on its next tile). Returns what the maps will show.
    public static func importFile(_ source: String, databasePath: String) throws -> Metadata {
        let destination = path(forDatabase: databasePath)
        guard FileIdentity(path: source) != nil else { throw TileImportError("there is no file at \(source)") }
        guard FileIdentity(path: source) != FileIdentity(path: destination) else {
            throw TileImportError("\(source) is already the appliance's tiles file")
        }
        let metadata: Metadata
        do {
            let queue = try openReadOnly(source)
            metadata = try queue.read { db in try Self.metadata(db, path: source) }
            try queue.close()
        } catch let error as TileImportError {
            throw error
        } catch {
            throw TileImportError("\(source) is not an MBTiles file SQLite can read: \(error)")
        }
        let partial = destination + ".partial-\(ProcessInfo.processInfo.processIdentifier)"
        try? FileManager.default.removeItem(atPath: partial)
        do {
            try FileManager.default.copyItem(atPath: source, toPath: partial)
            guard rename(partial, destination) == 0 else {
                throw TileImportError("cannot put the tiles in place at \(destination): \(String(cString: strerror(errno)))")
            }
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
        return metadata
    }

    private static func openReadOnly(_ path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.label = "tiles"
        return try DatabaseQueue(path: path, configuration: configuration)
    }

    /// The file's metadata, once it proves to be raster MBTiles with at least one tile.
    private static func metadata(_ db: Database, path: String) throws -> Metadata {
        guard try db.tableExists("tiles") || db.viewExists("tiles") else {
            throw TileImportError("\(path) has no tiles table: it is not an MBTiles file")
        }
        var values: [String: String] = [:]
        if try db.tableExists("metadata") || db.viewExists("metadata") {
            for entry in try MetadataEntry.fetchAll(db.cachedStatement(sql: "SELECT name, value FROM metadata WHERE name IS NOT NULL AND value IS NOT NULL")) {
                values[entry.name] = entry.value
            }
        }
        guard let range = try ZoomRange.fetchOne(db.cachedStatement(sql: "SELECT MIN(zoom_level) AS low, MAX(zoom_level) AS high FROM tiles")),
            let low = range.low, let high = range.high,
            let sample = try Data.fetchOne(db.cachedStatement(sql: "SELECT tile_data FROM tiles LIMIT 1"))
        else { throw TileImportError("\(path) holds no tiles") }
        guard let format = Self.format(of: sample) else {
            throw TileImportError("\(path) holds tiles that are neither PNG nor JPEG (vector or WebP tiles are not served)")
        }
        if let stated = values["format"], ![format, format == "jpg" ? "jpeg" : format].contains(stated.lowercased()) {
            throw TileImportError("\(path) says its tiles are \(stated), but they are \(format)")
        }
        let bounds = values["bounds"].map { $0.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) } }
        return Metadata(
            name: values["name"] ?? "Offline map", format: format, minZoom: values["minzoom"].flatMap(Int.init) ?? low,
            maxZoom: values["maxzoom"].flatMap(Int.init) ?? high, bounds: bounds?.count == 4 ? bounds : nil,
            attribution: values["attribution"])
    }

    private struct MetadataEntry: Decodable, FetchableRecord {
        let name: String
        let value: String
    }

    private struct ZoomRange: Decodable, FetchableRecord {
        let low: Int?
        let high: Int?
    }

    /// `png` or `jpg` from the image's first bytes.
    private static func format(of data: Data) -> String? {
        if data.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return "png" }
        if data.starts(with: [0xFF, 0xD8, 0xFF]) { return "jpg" }
        return nil
    }
}

/// Why a tiles file was not imported, in words.
public struct TileImportError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
