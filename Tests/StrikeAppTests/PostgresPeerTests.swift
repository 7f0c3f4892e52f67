import Foundation
import Testing

@testable import StrikeApp

/// The peer run's reading of what pgbench and pg_test_fsync print (output captured from PostgreSQL 15 on Debian),
/// and its refusal to run without the tools: the run itself needs a server, which `make bench` starts.
struct PostgresPeerTests {
    static let pgbenchOutput = """
        pgbench (15.18 (Debian 15.18-0+deb12u1))
        transaction type: /tmp/strike-bench/peer/eco-transaction.sql
        scaling factor: 1
        query mode: prepared
        number of clients: 32
        number of threads: 2
        maximum number of tries: 1
        duration: 5 s
        number of transactions actually processed: 5262
        number of failed transactions: 0 (0.000%)
        latency average = 30.637 ms
        initial connection time = 53.269 ms
        tps = 1044.488418 (without initial connection time)
        """

    @Test func readsTheRateTheTransactionsAndTheMeanLatency() throws {
        let run = try PostgresPeer.PgbenchRun(output: Self.pgbenchOutput)
        #expect(run == PostgresPeer.PgbenchRun(transactions: 5262, tps: 1044.488418, latencyAverage: 30.637))
    }

    @Test func refusesARunWithFailedTransactionsOrNoRate() {
        let failed = Self.pgbenchOutput.replacingOccurrences(of: "failed transactions: 0 (0.000%)", with: "failed transactions: 3 (0.057%)")
        #expect(throws: BenchCommand.Failed.self) { try PostgresPeer.PgbenchRun(output: failed) }
        #expect(throws: BenchCommand.Failed.self) { try PostgresPeer.PgbenchRun(output: "pgbench: error: connection to server failed") }
    }

    @Test func readsEachTransactionsLatencyFromTheLogsInMilliseconds() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("peer-log-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "1 1 158786 0 1796414977 778760\n4 1 184711 0 1796414977 820261\n".write(
            to: directory.appendingPathComponent("pgbench-log.29525"), atomically: true, encoding: .utf8)
        try "17 1 1500 0 1796414977 810267\n".write(
            to: directory.appendingPathComponent("pgbench-log.29525.1"), atomically: true, encoding: .utf8)
        try "not a log\n".write(to: directory.appendingPathComponent("schema.sql"), atomically: true, encoding: .utf8)

        let latencies = try PostgresPeer.transactionLatencies(logPrefix: directory.appendingPathComponent("pgbench-log").path, in: directory)
        #expect(latencies.sorted() == [1.5, 158.786, 184.711])
    }

    @Test func readsTheSyncRateOfTheServersMethodForOneWrite() {
        let output = """
            Compare file sync methods using one 8kB write:
            (in wal_sync_method preference order, except fdatasync is Linux's default)
                    open_datasync                      8564.315 ops/sec     117 usecs/op
                    fdatasync                          7671.558 ops/sec     130 usecs/op
                    fsync                              6870.942 ops/sec     146 usecs/op
                    fsync_writethrough                              n/a
                    open_sync                          3854.611 ops/sec     259 usecs/op

            Compare file sync methods using two 8kB writes:
            (in wal_sync_method preference order, except fdatasync is Linux's default)
                    open_datasync                      3392.505 ops/sec     295 usecs/op
                    fdatasync                          8384.480 ops/sec     119 usecs/op
            """
        #expect(PostgresPeer.syncRate(method: "fdatasync", inPgTestFsync: output) == 7671.558)
        #expect(PostgresPeer.syncRate(method: "open_datasync", inPgTestFsync: output) == 8564.315)
        #expect(PostgresPeer.syncRate(method: "fsync_writethrough", inPgTestFsync: output) == nil)
        #expect(PostgresPeer.syncRate(method: "fdatasync", inPgTestFsync: "pg_test_fsync: error") == nil)
    }

    @Test func saysWhatToInstallWhenPgbenchIsMissing() {
        do {
            _ = try PostgresPeer.Tools.locate(searchPath: "/nonexistent", versions: "/nonexistent")
            Issue.record("found psql and pgbench where there are none")
        } catch {
            #expect("\(error)".contains("not installed"))
            #expect("\(error)".contains("postgresql-15"))
        }
    }
}
