public import Foundation
import GRDB

extension StrikeStore {
    /// Every secret sealed in the database at `path` (Render client secrets, Twilio auth tokens), read without
    /// opening it for writing or migrating it, so the key file can be checked against them before anything
    /// changes; empty for a database that does not exist yet or holds none. A database from a newer build is
    /// refused here already, before a key file is made for it.
    public static func sealedSecrets(inDatabaseAt path: String) throws -> [Data] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        var configuration = Configuration()
        configuration.readonly = true
        let database = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? database.close() }
        return try database.read { db in
            try Migrations.refuseNewerDatabase(db, path: path)
            var sealed: [Data] = []
            for (table, column) in [("render_instance", "client_secret_sealed"), ("twilio_account", "auth_token_sealed")]
            where try db.tableExists(table) {
                sealed += try Data.fetchAll(db, sql: "SELECT \(column) FROM \(table) WHERE length(\(column)) > 0")
            }
            return sealed
        }
    }
}
