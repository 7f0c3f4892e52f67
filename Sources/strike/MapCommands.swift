import ArgumentParser
import Foundation
import StrikeCore
import StrikeStore

struct Regions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "region", abstract: "Pager list regions.", subcommands: [Import.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a pager list's region from a GeoJSON FeatureCollection of polygons (the same checks as the API).")

        @OptionGroup var database: DatabaseOption
        @Option(help: "The OSP whose list it is (its tenant id).") var tenant: String
        @Option(help: "The pager list's name.") var list: String
        @Argument(help: "The GeoJSON file.") var file: String

        func run() async throws {
            let path = try database.existing()
            let lock = try WriterLock(databasePath: path)
            guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
            let features: [Region]
            do {
                features = try RegionImport.parse(featureCollection: data).features
            } catch .invalid(let problems) {
                throw ValidationError("\(file) is not a region: " + problems.map { "\($0.field) \($0.message)" }.joined(separator: "; "))
            } catch {
                throw ValidationError("\(file) is not a region: \(error)")
            }
            let store = try StrikeStore(path: path)
            let osp = TenantID(tenant)
            guard try await store.tenant(osp)?.kind == .osp else { throw ValidationError("there is no OSP \(tenant)") }
            guard let found = try await store.pagerLists(osp: osp).first(where: { $0.name == list }) else {
                throw ValidationError("the OSP \(tenant) has no pager list called \(list)")
            }
            let detail = try await store.setPagerListRegion(found.id, osp: osp, features: features, actor: .system("cli"))
            let area = detail?.list.areaSquareMetres.map { String(format: "%.1f km²", $0 / 1_000_000) } ?? "no area"
            print("region of \(list) set from \(file): \(features.count) polygon(s), \(area)")
            withExtendedLifetime(lock) {}
        }
    }
}

struct Tiles: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tiles", abstract: "The offline base map.", subcommands: [Import.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store an MBTiles file (raster PNG or JPEG tiles) beside the database as the maps' base layer.",
            discussion: "Safe while the appliance runs: the new file replaces the old one at once, and the maps use it on their next tile.")

        @OptionGroup var database: DatabaseOption
        @Argument(help: "The .mbtiles file.") var file: String

        func run() async throws {
            let path = try database.existing()
            let metadata: TileArchive.Metadata
            do {
                metadata = try TileArchive.importFile(file, databasePath: path)
            } catch let refused as TileImportError {
                throw ValidationError(refused.description)
            }
            print("tiles \(metadata.name) (\(metadata.format), zoom \(metadata.minZoom)–\(metadata.maxZoom)) stored as \(TileArchive.path(forDatabase: path))")
        }
    }
}
