import GRDB
@testable import StrikeStore
import StrikeTestSupport

extension TestWorld {
    /// Runs raw SQL, as an admin with the sqlite3 shell would.
    func rawSQL(_ sql: String) async throws {
        try await store.writer.write { db in try db.execute(sql: sql) }
    }
}
