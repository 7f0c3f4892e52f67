import GRDB

/// Full-text search over each ECO's job id and description, for the list's `q`: an FTS5 table with the
/// `trigram` tokenizer, so a text of three characters or more is found as a substring, as `LIKE '%q%'` finds it.
///
/// Kept in step with `eco_view` by triggers, so every writer of the projection (commands, a hand edit in the
/// sqlite3 shell) keeps it without knowing of it; a whole replay is cheaper inside `rebuilding`; a `verify`
/// replay writes to temporary copies of the projection tables, which have no triggers, and leaves it alone.
/// FTS5 writes its index to disk at every savepoint, and every write of the group commit is a savepoint of its
/// own: indexing each ECO as it is written would cost a small segment (and its merges) per ECO. A new or
/// edited ECO is therefore only listed as pending, and the pending ones are indexed together once there are
/// `batch` of them. A search looks at the pending ones too, so nothing is ever missing from its answer.
///
/// FTS5 rows are keyed by `eco_search_key.search_id`, an explicit integer key: `eco_view`'s own rowid is
/// implicit and VACUUM may renumber it.
enum EcoSearch {
    /// How many pending ECOs are indexed together.
    static let batch = 64

    /// The shortest text the trigram index finds: shorter texts are looked for row by row (see `EcoList`).
    static let shortestIndexedText = 3

    /// The FTS5 query for `text` as one phrase: every character literal, quotes doubled.
    static func phrase(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static var schema: String { tables + triggers }

    static let tables = """
        -- One key per ECO: the FTS5 rowid, and the columns a search sorts and scopes its matches by before it
        -- reads any eco_view row (they never change once an ECO exists; the update trigger keeps them anyway).
        CREATE TABLE eco_search_key (
            search_id INTEGER PRIMARY KEY,
            eco_id TEXT NOT NULL UNIQUE,
            noc_tenant_id TEXT NOT NULL,
            osp_tenant_id TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        -- ECOs whose current job id and description are not in eco_search yet.
        CREATE TABLE eco_search_pending (search_id INTEGER PRIMARY KEY);
        -- Contentless: eco_view holds the text; a row is removed with the values it was indexed with.
        CREATE VIRTUAL TABLE eco_search USING fts5(job_id, description, content = '', columnsize = 0, tokenize = 'trigram');
        """

    static let triggerNames = [
        "eco_search_on_insert", "eco_search_on_text_update", "eco_search_on_scope_update", "eco_search_on_delete", "eco_search_index_pending",
    ]

    static let triggers = """
        CREATE TRIGGER eco_search_on_insert AFTER INSERT ON eco_view
        BEGIN
            INSERT INTO eco_search_key (eco_id, noc_tenant_id, osp_tenant_id, created_at)
            VALUES (new.eco_id, new.noc_tenant_id, new.osp_tenant_id, new.created_at);
            INSERT INTO eco_search_pending (search_id) SELECT search_id FROM eco_search_key WHERE eco_id = new.eco_id;
        END;

        CREATE TRIGGER eco_search_on_text_update AFTER UPDATE OF job_id, description ON eco_view
        WHEN old.job_id IS NOT new.job_id OR old.description IS NOT new.description
        BEGIN
            INSERT INTO eco_search (eco_search, rowid, job_id, description)
            SELECT 'delete', search_id, old.job_id, old.description FROM eco_search_key
            WHERE eco_id = old.eco_id AND search_id NOT IN (SELECT search_id FROM eco_search_pending);
            INSERT OR IGNORE INTO eco_search_pending (search_id) SELECT search_id FROM eco_search_key WHERE eco_id = old.eco_id;
        END;

        CREATE TRIGGER eco_search_on_scope_update AFTER UPDATE OF noc_tenant_id, osp_tenant_id, created_at ON eco_view
        WHEN old.noc_tenant_id IS NOT new.noc_tenant_id OR old.osp_tenant_id IS NOT new.osp_tenant_id OR old.created_at IS NOT new.created_at
        BEGIN
            UPDATE eco_search_key SET noc_tenant_id = new.noc_tenant_id, osp_tenant_id = new.osp_tenant_id, created_at = new.created_at
            WHERE eco_id = old.eco_id;
        END;

        CREATE TRIGGER eco_search_on_delete AFTER DELETE ON eco_view
        BEGIN
            INSERT INTO eco_search (eco_search, rowid, job_id, description)
            SELECT 'delete', search_id, old.job_id, old.description FROM eco_search_key
            WHERE eco_id = old.eco_id AND search_id NOT IN (SELECT search_id FROM eco_search_pending);
            DELETE FROM eco_search_pending WHERE search_id IN (SELECT search_id FROM eco_search_key WHERE eco_id = old.eco_id);
            DELETE FROM eco_search_key WHERE eco_id = old.eco_id;
        END;

        -- The pending ECOs, indexed together: one FTS5 segment for the lot. CROSS JOIN: from the few pending
        -- keys to their rows, never along the whole key table.
        CREATE TRIGGER eco_search_index_pending AFTER INSERT ON eco_search_pending
        WHEN (SELECT count(*) FROM eco_search_pending) >= \(batch)
        BEGIN
            INSERT INTO eco_search (rowid, job_id, description)
            SELECT p.search_id, v.job_id, v.description
            FROM eco_search_pending AS p CROSS JOIN eco_search_key AS k ON k.search_id = p.search_id
            CROSS JOIN eco_view AS v ON v.eco_id = k.eco_id;
            DELETE FROM eco_search_pending;
        END;
        """

    /// Every ECO of `eco_view`, keyed oldest first and indexed at once, into empty search tables.
    static let backfill = """
        INSERT INTO eco_search_key (eco_id, noc_tenant_id, osp_tenant_id, created_at)
        SELECT eco_id, noc_tenant_id, osp_tenant_id, created_at FROM eco_view ORDER BY created_at, eco_id;
        INSERT INTO eco_search (rowid, job_id, description)
        SELECT k.search_id, v.job_id, v.description FROM eco_search_key AS k CROSS JOIN eco_view AS v ON v.eco_id = k.eco_id;
        """

    /// Runs `replay`, a replay of the whole log into the live projection tables (`rebuild-projections`), with the
    /// search tables out of its way. Through the triggers, every ECO would be unindexed and indexed again one by
    /// one as the replay deletes and writes it (rebuilding 100,000 ECOs took 21.7 s of CPU with them, 7.2 s
    /// without; indexing them all again at once still 3.8 s): instead the triggers are dropped for the replay,
    /// and afterwards only what the replay changed is brought into step: text that changed or went is taken
    /// out and the ECO indexed again, new ECOs are keyed and indexed (0.7 s of CPU for 100,000 ECOs unchanged). All in the caller's transaction, so a
    /// failed rebuild leaves the triggers and the index as they were. Not for `verify`: its replay writes
    /// temporary copies and must leave the live tables alone.
    static func rebuilding<T>(_ db: Database, _ replay: () throws -> T) throws -> T {
        // Before `v10-list-indexes` (an earlier migration replays the log) there is nothing to keep in step.
        guard try db.tableExists("eco_search_key") else { return try replay() }
        for name in triggerNames { try db.execute(sql: "DROP TRIGGER main.\(name)") }
        // What the index holds now: the live rows' text (the triggers kept it in step), pending ones aside.
        try db.execute(sql: """
            DROP TABLE IF EXISTS temp.eco_search_before;
            CREATE TEMP TABLE eco_search_before AS
            SELECT k.search_id, k.eco_id, v.job_id, v.description, k.search_id IN (SELECT search_id FROM main.eco_search_pending) AS pending
            FROM main.eco_search_key AS k CROSS JOIN main.eco_view AS v ON v.eco_id = k.eco_id;
            """)
        defer { try? db.execute(sql: "DROP TABLE IF EXISTS temp.eco_search_before") }
        let result = try replay()
        try db.execute(sql: """
            INSERT INTO main.eco_search (eco_search, rowid, job_id, description)
            SELECT 'delete', b.search_id, b.job_id, b.description
            FROM temp.eco_search_before AS b LEFT JOIN main.eco_view AS v ON v.eco_id = b.eco_id
            WHERE NOT b.pending AND (v.eco_id IS NULL OR v.job_id IS NOT b.job_id OR v.description IS NOT b.description);
            INSERT OR IGNORE INTO main.eco_search_pending (search_id)
            SELECT b.search_id FROM temp.eco_search_before AS b CROSS JOIN main.eco_view AS v ON v.eco_id = b.eco_id
            WHERE v.job_id IS NOT b.job_id OR v.description IS NOT b.description;
            DELETE FROM main.eco_search_pending
            WHERE search_id IN (SELECT search_id FROM main.eco_search_key WHERE eco_id NOT IN (SELECT eco_id FROM main.eco_view));
            DELETE FROM main.eco_search_key WHERE eco_id NOT IN (SELECT eco_id FROM main.eco_view);
            UPDATE main.eco_search_key AS k
            SET noc_tenant_id = v.noc_tenant_id, osp_tenant_id = v.osp_tenant_id, created_at = v.created_at
            FROM main.eco_view AS v
            WHERE v.eco_id = k.eco_id
                AND (k.noc_tenant_id IS NOT v.noc_tenant_id OR k.osp_tenant_id IS NOT v.osp_tenant_id OR k.created_at IS NOT v.created_at);
            """)
        let lastKey = try Int64.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(search_id), 0) FROM main.eco_search_key")) ?? 0
        try db.execute(
            sql: """
                INSERT INTO main.eco_search_key (eco_id, noc_tenant_id, osp_tenant_id, created_at)
                SELECT eco_id, noc_tenant_id, osp_tenant_id, created_at FROM main.eco_view
                WHERE eco_id NOT IN (SELECT eco_id FROM main.eco_search_key) ORDER BY created_at, eco_id;
                INSERT INTO main.eco_search_pending (search_id) SELECT search_id FROM main.eco_search_key WHERE search_id > ?;
                INSERT INTO main.eco_search (rowid, job_id, description)
                SELECT p.search_id, v.job_id, v.description
                FROM main.eco_search_pending AS p CROSS JOIN main.eco_search_key AS k ON k.search_id = p.search_id
                CROSS JOIN main.eco_view AS v ON v.eco_id = k.eco_id;
                DELETE FROM main.eco_search_pending;
                """,
            arguments: [lastKey])
        try db.execute(sql: triggers)
        return result
    }

    /// Indexes for each list filter the API offers, per tenant side (a NOC sees the ECOs it created, an OSP
    /// those assigned to it), newest first; the created range uses `eco_view_by_noc` / `eco_view_by_osp`.
    static let filterIndexes = """
        CREATE INDEX eco_view_noc_status ON eco_view(noc_tenant_id, status, created_at);
        CREATE INDEX eco_view_noc_display_status ON eco_view(noc_tenant_id, display_status, created_at);
        CREATE INDEX eco_view_noc_job_type ON eco_view(noc_tenant_id, job_type, created_at);
        CREATE INDEX eco_view_osp_status ON eco_view(osp_tenant_id, status, created_at);
        CREATE INDEX eco_view_osp_display_status ON eco_view(osp_tenant_id, display_status, created_at);
        CREATE INDEX eco_view_osp_job_type ON eco_view(osp_tenant_id, job_type, created_at);
        """
}
