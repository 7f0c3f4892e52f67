import Foundation

/// The peer run: PostgreSQL with PostGIS on the same machine doing what the appliance commits for one new ECO,
/// with as many pgbench clients as the appliance's load has (32), every commit durable (`fsync` and
/// `synchronous_commit` on, read back from the server, refused otherwise): check the NOC–OSP link, lock and bump
/// the OSP's job counter, insert the `EcoCreated` event (a ~600-byte JSONB payload, unique per stream and
/// version) and the read-model row with its PostGIS point, under the indexes the appliance keeps on it.
///
/// The transaction is one prepared statement (data-modifying CTEs): one round trip, so the OSP's row is locked
/// for no longer than PostgreSQL itself needs — the strongest form of the peer, not a straw man.
struct PostgresPeer {
    /// libpq connection string of the server (`Tests/Bench/postgres.sh start DIR` prints one for a throw-away
    /// cluster). The peer's tables live in their own schema, `strike_peer`, dropped and made afresh each run.
    let connection: String
    var clients = 32

    func run(_ context: BenchContext) async throws -> BenchFigures {
        let tools = try Tools.locate()
        let seconds = context.count(tiny: 2, full: 30)
        let server = try await settings(tools, context)
        try await createSchema(tools, context)

        let script = context.file("eco-transaction.sql")
        try Self.transaction.write(toFile: script, atomically: true, encoding: .utf8)
        let logPrefix = context.file("pgbench-log")
        let walBefore = try await walCounters(tools, context)
        context.progress("peer: pgbench, \(clients) clients for \(seconds) s, PostgreSQL \(server.version), PostGIS \(server.postgis)")
        let output = try await BenchCommand.run(
            tools.pgbench,
            [
                "--no-vacuum", "--protocol=prepared", "--client", String(clients), "--jobs", "2", "--time", String(seconds),
                "--file", script, "--log", "--log-prefix", logPrefix, connection,
            ],
            in: context)
        let run = try PgbenchRun(output: output)
        let latencies = try Self.transactionLatencies(logPrefix: logPrefix, in: context.workspace)
        try await checkRows(expected: run.transactions, tools, context)
        let walAfter = try await walCounters(tools, context)

        var figures = BenchFigures()
        figures.set("postgres", server.version)
        figures.set("postgis", server.postgis)
        figures.set("fsync", server.fsync)
        figures.set("synchronous_commit", server.synchronousCommit)
        figures.set("wal_sync_method", server.walSyncMethod)
        figures.set("clients", clients)
        figures.set("seconds", seconds)
        figures.set("transactions", run.transactions)
        figures.set("tps", run.tps)
        figures.set("latency_average_ms", run.latencyAverage)
        BenchStatistics.latencies(latencies, into: &figures)
        if let walBefore, let walAfter, walAfter.syncs > walBefore.syncs {
            let syncs = walAfter.syncs - walBefore.syncs
            figures.set("wal_syncs", syncs)
            figures.set("transactions_per_wal_sync", Double(run.transactions) / Double(syncs))
            figures.set("wal_bytes_per_transaction", Double(walAfter.bytes - walBefore.bytes) / Double(max(1, run.transactions)))
        }
        if context.size == .full, let fsyncProbe = tools.pgTestFsync {
            // 16 s of probes, so only in the full run: the syncs a second of the method the server's WAL uses.
            context.progress("peer: pg_test_fsync, 1 s per method")
            let probe = try await BenchCommand.run(fsyncProbe, ["--secs-per-test", "1", "--filename", context.file("pg_test_fsync.probe")], in: context)
            if let rate = Self.syncRate(method: server.walSyncMethod, inPgTestFsync: probe) {
                figures.set("pg_test_fsync_\(server.walSyncMethod)_per_s", rate)
            }
        }
        return figures
    }

    // MARK: - The server and its schema

    /// The commands the peer runs: psql and pgbench from the PATH (Debian's wrappers) or PostgreSQL's own bin
    /// directory; pg_test_fsync only lives in the latter and is optional.
    struct Tools {
        let psql: String
        let pgbench: String
        let pgTestFsync: String?

        /// Looks on `searchPath` (a PATH value), then in each `versions` directory's `N/bin`, newest first.
        static func locate(
            searchPath: String = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", versions: String = "/usr/lib/postgresql"
        ) throws -> Tools {
            let installed = ((try? FileManager.default.contentsOfDirectory(atPath: versions)) ?? [])
                .sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }
                .map { "\(versions)/\($0)/bin" }
            func find(_ name: String) -> String? { BenchCommand.locate(name, searchPath: searchPath, thenIn: installed) }
            guard let psql = find("psql"), let pgbench = find("pgbench") else {
                throw BenchCommand.Failed(
                    description: "the PostgreSQL peer needs psql and pgbench, which are not installed (make bench installs postgresql-15 and postgresql-15-postgis-3)")
            }
            return Tools(psql: psql, pgbench: pgbench, pgTestFsync: find("pg_test_fsync"))
        }
    }

    struct ServerSettings {
        let version: String
        let fsync: String
        let synchronousCommit: String
        let walSyncMethod: String
        let postgis: String
    }

    /// The server's version and durability settings; a server that would acknowledge a commit before it is on
    /// disk, or that has no PostGIS to install, is refused before anything is created.
    private func settings(_ tools: Tools, _ context: BenchContext) async throws -> ServerSettings {
        let row = try await query(
            """
            SELECT current_setting('server_version'), current_setting('fsync'), current_setting('synchronous_commit'),
                current_setting('wal_sync_method'),
                coalesce((SELECT default_version FROM pg_available_extensions WHERE name = 'postgis'), 'missing'),
                coalesce((SELECT default_version FROM pg_available_extensions WHERE name = 'pg_trgm'), 'missing')
            """, tools, context)
        let fields = row.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 6 else { throw BenchCommand.Failed(description: "the PostgreSQL peer could not read the server's settings: \(row)") }
        guard fields[1] == "on", fields[2] == "on" else {
            throw BenchCommand.Failed(
                description: "the PostgreSQL peer must run with fsync and synchronous_commit on (its commits durable, as the appliance's are); the server has fsync=\(fields[1]), synchronous_commit=\(fields[2])")
        }
        guard fields[4] != "missing" else {
            throw BenchCommand.Failed(description: "PostGIS is not installed on the PostgreSQL server (Debian: postgresql-15-postgis-3)")
        }
        guard fields[5] != "missing" else {
            throw BenchCommand.Failed(description: "pg_trgm (PostgreSQL's contrib) is not installed on the PostgreSQL server")
        }
        let version = fields[0].split(separator: " ").first.map(String.init) ?? fields[0]
        return ServerSettings(version: version, fsync: fields[1], synchronousCommit: fields[2], walSyncMethod: fields[3], postgis: fields[4])
    }

    private func createSchema(_ tools: Tools, _ context: BenchContext) async throws {
        let path = context.file("schema.sql")
        try Self.schema.write(toFile: path, atomically: true, encoding: .utf8)
        try await BenchCommand.run(
            tools.psql, ["--no-psqlrc", "--quiet", "--single-transaction", "--set", "ON_ERROR_STOP=1", "--file", path, connection], in: context)
        try await BenchCommand.run(
            tools.psql, ["--no-psqlrc", "--quiet", "--set", "ON_ERROR_STOP=1", "--command", "VACUUM ANALYZE", connection], in: context)
    }

    /// Every transaction pgbench counted left exactly one event, one read-model row and one job number: a
    /// rate of transactions that did less would not be the same work.
    private func checkRows(expected: Int, _ tools: Tools, _ context: BenchContext) async throws {
        let rows = try await query(
            """
            SELECT (SELECT count(*) FROM strike_peer.event) || '|' || (SELECT count(*) FROM strike_peer.eco_view)
                || '|' || (SELECT sum(job_counter) FROM strike_peer.osp)
            """, tools, context)
        guard rows == "\(expected)|\(expected)|\(expected)" else {
            throw BenchCommand.Failed(
                description: "pgbench counted \(expected) transactions, but the peer's tables hold events|rows|job numbers \(rows)")
        }
    }

    /// WAL syncs and bytes so far (pg_stat_wal), read once pgbench's sessions have gone, since a session adds its
    /// counts when it ends. Nil when the server keeps no such view.
    private func walCounters(_ tools: Tools, _ context: BenchContext) async throws -> (syncs: Int, bytes: Int)? {
        for _ in 0..<100 {
            let open = try await query(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pgbench' AND pid <> pg_backend_pid()", tools, context)
            if open == "0" { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        guard let row = try? await query("SELECT wal_sync || '|' || wal_bytes FROM pg_stat_wal", tools, context) else { return nil }
        let fields = row.split(separator: "|").compactMap { Int($0) }
        return fields.count == 2 ? (fields[0], fields[1]) : nil
    }

    /// One row of one query, its columns joined by `|`.
    private func query(_ sql: String, _ tools: Tools, _ context: BenchContext) async throws -> String {
        try await BenchCommand.run(
            tools.psql, ["--no-psqlrc", "--tuples-only", "--no-align", "--set", "ON_ERROR_STOP=1", "--command", sql, connection], in: context
        ).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // MARK: - Reading pgbench and pg_test_fsync

    /// What pgbench printed for a run: the transactions it completed, their rate and mean latency.
    struct PgbenchRun: Equatable {
        let transactions: Int
        let tps: Double
        let latencyAverage: Double

        init(transactions: Int, tps: Double, latencyAverage: Double) {
            self.transactions = transactions
            self.tps = tps
            self.latencyAverage = latencyAverage
        }

        init(output: String) throws {
            func number(after label: String) -> Double? {
                guard let range = output.range(of: label) else { return nil }
                return Double(output[range.upperBound...].prefix { $0.isNumber || $0 == "." })
            }
            guard let transactions = number(after: "number of transactions actually processed: "),
                let tps = number(after: "tps = "), let latency = number(after: "latency average = ")
            else { throw BenchCommand.Failed(description: "pgbench printed no rate: \(output.suffix(800))") }
            if let failed = number(after: "number of failed transactions: "), failed > 0 {
                throw BenchCommand.Failed(description: "pgbench had \(Int(failed)) failed transactions: \(output.suffix(800))")
            }
            self.init(transactions: Int(transactions), tps: tps, latencyAverage: latency)
        }
    }

    /// Each transaction's latency in milliseconds from pgbench's per-transaction logs (`PREFIX.PID` and
    /// `PREFIX.PID.THREAD`; the third column is the latency in microseconds).
    static func transactionLatencies(logPrefix: String, in directory: URL) throws -> [Double] {
        let base = (logPrefix as NSString).lastPathComponent + "."
        let logs = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix(base) }
        var latencies: [Double] = []
        for log in logs {
            let text = try String(contentsOfFile: directory.appendingPathComponent(log).path, encoding: .utf8)
            latencies += transactionLatencies(inLog: text)
        }
        guard !latencies.isEmpty else { throw BenchCommand.Failed(description: "pgbench wrote no transaction log under \(logPrefix)") }
        return latencies
    }

    static func transactionLatencies(inLog text: String) -> [Double] {
        text.split(separator: "\n").compactMap { line in
            let columns = line.split(separator: " ")
            return columns.count >= 3 ? Double(columns[2]).map { $0 / 1000 } : nil
        }
    }

    /// The ops/sec pg_test_fsync measured for `method` with one 8 kB write, as a WAL commit does.
    static func syncRate(method: String, inPgTestFsync output: String) -> Double? {
        guard let section = output.range(of: "using one 8kB write") else { return nil }
        for line in output[section.upperBound...].split(separator: "\n") {
            if line.hasPrefix("Compare") { break }
            let words = line.split(separator: " ")
            if words.count >= 3, words[0] == method, words[2] == "ops/sec" { return Double(words[1]) }
        }
        return nil
    }

    // MARK: - SQL

    /// The tables as the appliance has them for this transaction: tenants and their link, the OSP's counter,
    /// the log with its unique (stream, version), and the read model with every index the appliance keeps on
    /// eco_view (tenant and date, the list filters, the waiting and followed ones, a spatial one, and a trigram
    /// one for text search, as the appliance's FTS5 trigram table).
    static let schema = """
        SET client_min_messages = warning;
        CREATE EXTENSION IF NOT EXISTS postgis;
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
        DROP SCHEMA IF EXISTS strike_peer CASCADE;
        CREATE SCHEMA strike_peer;
        CREATE TABLE strike_peer.tenant (id text PRIMARY KEY, kind text NOT NULL, name text NOT NULL);
        CREATE TABLE strike_peer.tenant_link (
            noc_id text NOT NULL REFERENCES strike_peer.tenant,
            osp_id text NOT NULL REFERENCES strike_peer.tenant,
            status text NOT NULL,
            PRIMARY KEY (noc_id, osp_id)
        );
        CREATE TABLE strike_peer.osp (
            id integer PRIMARY KEY,
            tenant_id text NOT NULL UNIQUE REFERENCES strike_peer.tenant,
            job_prefix text NOT NULL,
            job_counter integer NOT NULL
        );
        INSERT INTO strike_peer.tenant VALUES
            ('demo-noc-metro', 'noc', 'Metro NOC'), ('demo-osp-north', 'osp', 'North'), ('demo-osp-south', 'osp', 'South');
        INSERT INTO strike_peer.tenant_link VALUES
            ('demo-noc-metro', 'demo-osp-north', 'active'), ('demo-noc-metro', 'demo-osp-south', 'active');
        INSERT INTO strike_peer.osp VALUES (1, 'demo-osp-north', 'E2', 0), (2, 'demo-osp-south', 'SS', 0);
        CREATE TABLE strike_peer.event (
            position bigserial PRIMARY KEY,
            event_id uuid NOT NULL UNIQUE,
            stream_id text NOT NULL,
            stream_type text NOT NULL,
            version integer NOT NULL CHECK (version >= 1),
            type text NOT NULL,
            schema_version integer NOT NULL,
            payload jsonb NOT NULL,
            actor text NOT NULL,
            correlation_id text,
            occurred_at timestamptz NOT NULL,
            recorded_at timestamptz NOT NULL,
            UNIQUE (stream_id, version)
        );
        CREATE INDEX event_by_type ON strike_peer.event (stream_type, position);
        CREATE TABLE strike_peer.eco_view (
            eco_id text PRIMARY KEY,
            noc_tenant_id text NOT NULL,
            osp_tenant_id text NOT NULL,
            job_id text NOT NULL,
            job_number integer NOT NULL,
            job_type text NOT NULL,
            description text NOT NULL,
            location geometry(Point, 4326) NOT NULL,
            status text NOT NULL,
            integration_status text NOT NULL,
            display_status text NOT NULL,
            integration_changed_at timestamptz,
            created_at timestamptz NOT NULL,
            created_by text NOT NULL,
            updated_at timestamptz NOT NULL,
            version integer NOT NULL
        );
        CREATE INDEX eco_view_by_noc ON strike_peer.eco_view (noc_tenant_id, created_at);
        CREATE INDEX eco_view_by_osp ON strike_peer.eco_view (osp_tenant_id, created_at);
        CREATE INDEX eco_view_noc_status ON strike_peer.eco_view (noc_tenant_id, status, created_at);
        CREATE INDEX eco_view_noc_display_status ON strike_peer.eco_view (noc_tenant_id, display_status, created_at);
        CREATE INDEX eco_view_noc_job_type ON strike_peer.eco_view (noc_tenant_id, job_type, created_at);
        CREATE INDEX eco_view_osp_status ON strike_peer.eco_view (osp_tenant_id, status, created_at);
        CREATE INDEX eco_view_osp_display_status ON strike_peer.eco_view (osp_tenant_id, display_status, created_at);
        CREATE INDEX eco_view_osp_job_type ON strike_peer.eco_view (osp_tenant_id, job_type, created_at);
        CREATE INDEX eco_view_waiting ON strike_peer.eco_view (display_status, integration_changed_at);
        CREATE INDEX eco_view_followed ON strike_peer.eco_view (created_at)
            WHERE integration_status = 'DISPATCHED' AND status NOT IN ('HARD_COMPLETE', 'CANCELLED');
        CREATE INDEX eco_view_location ON strike_peer.eco_view USING gist (location);
        CREATE INDEX eco_view_search ON strike_peer.eco_view USING gin ((job_id || ' ' || description) gin_trgm_ops);
        """

    /// One ECO, for one of the two OSPs at random (as the appliance's load spreads over the demo's two): the link
    /// checked, the OSP's row locked and its counter bumped for the job number, the event and the read-model row
    /// inserted, committed — one statement in its own transaction. Its payload has the fields of the appliance's
    /// `EcoCreated`, ~600 bytes as JSON text.
    static let transaction = """
        \\set osp random(1, 2)
        \\set longitude random(-105150000, -104800000)
        \\set latitude random(39600000, 39900000)
        \\set cut random(1, 1000000)
        WITH checked AS (
            SELECT osp.id FROM strike_peer.osp
            JOIN strike_peer.tenant_link link ON link.osp_id = osp.tenant_id AND link.noc_id = 'demo-noc-metro' AND link.status = 'active'
            WHERE osp.id = :osp
        ), job AS (
            UPDATE strike_peer.osp SET job_counter = job_counter + 1 FROM checked WHERE osp.id = checked.id
            RETURNING osp.tenant_id, osp.job_counter, osp.job_prefix || '-' || lpad(osp.job_counter::text, 5, '0') || '-2026' AS job_id
        ), eco AS (
            SELECT gen_random_uuid()::text AS eco_id, now() AS at, job.*, :longitude / 1e6 AS longitude, :latitude / 1e6 AS latitude,
                'Fiber cut ' || :cut || ' on Main St between 5th and 7th; backhoe strike, 288-count cable, two splice cases exposed'
                    AS description
            FROM job
        ), new_event AS (
            INSERT INTO strike_peer.event (event_id, stream_id, stream_type, version, type, schema_version, payload, actor,
                correlation_id, occurred_at, recorded_at)
            SELECT gen_random_uuid(), eco_id, 'eco', 1, 'EcoCreated', 2, jsonb_build_object(
                    'ecoID', eco_id, 'jobID', job_id, 'jobNumber', job_counter, 'subsector', job_id || '-A',
                    'location', jsonb_build_object('type', 'Point', 'coordinates', jsonb_build_array(longitude, latitude)),
                    'jobType', 'CMR', 'description', description, 'nocTenantID', 'demo-noc-metro', 'ospTenantID', tenant_id,
                    'attachments', '[]'::jsonb, 'createdBy', 'user:8d3f0a52-1c4e-4b7a-9d61-2f0c8e7b5a13', 'createdAt', at,
                    'status', 'OPEN', 'integrationStatus', 'PENDING', 'displayStatus', 'NEW', 'taskCount', 0),
                'user:8d3f0a52-1c4e-4b7a-9d61-2f0c8e7b5a13', gen_random_uuid()::text, at, at
            FROM eco
            RETURNING stream_id
        )
        INSERT INTO strike_peer.eco_view (eco_id, noc_tenant_id, osp_tenant_id, job_id, job_number, job_type, description, location,
            status, integration_status, display_status, created_at, created_by, updated_at, version)
        SELECT eco.eco_id, 'demo-noc-metro', eco.tenant_id, eco.job_id, eco.job_counter, 'CMR', eco.description,
            ST_SetSRID(ST_MakePoint(eco.longitude, eco.latitude), 4326), 'OPEN', 'PENDING', 'NEW', eco.at,
            'user:8d3f0a52-1c4e-4b7a-9d61-2f0c8e7b5a13', eco.at, 1
        FROM eco JOIN new_event ON new_event.stream_id = eco.eco_id;
        """
}
