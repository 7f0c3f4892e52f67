import GRDB
import Synchronization

/// Group commit for the single writer: writes that arrive while a transaction is committing wait for it, then
/// go together in the next transaction, each in a savepoint of its own, with one WAL sync for all of them.
///
/// Each write still sees every write before it and is refused on its own: a write that throws is rolled back
/// to its savepoint and its caller gets the error, while the others commit. No caller hears back before the
/// commit, and with `synchronous = FULL` the commit returns only after the sync that makes it durable. A write
/// that starts is finished even when its caller is cancelled meanwhile, as a single transaction would be.
/// With one writer at a time, nothing waits: a lone write is a transaction of its own, as before.
final class GroupCommit: Sendable {
    /// A queued write: `apply` runs it inside the transaction, keeps its outcome and says whether it succeeded
    /// and changed anything; `answer` tells its caller once the transaction is over (with the commit's error when the
    /// commit itself failed). Sharing the transaction, a write runs in a savepoint and never throws; alone, it
    /// runs as the transaction itself and throws its error, which rolls the transaction back.
    private struct Write: Sendable {
        let apply: @Sendable (Database, _ shared: Bool) throws -> (succeeded: Bool, changed: Bool)
        let answer: @Sendable ((any Error)?) -> Void
    }

    private struct Queue {
        var waiting: [Write] = []
        var committing = false
    }

    private let pool: any DatabaseWriter
    private let queue = Mutex(Queue())
    private let counts = Mutex((transactions: 0, writes: 0))

    init(pool: any DatabaseWriter) {
        self.pool = pool
    }

    /// The writes waiting for the commit under way to end.
    var waiting: Int { queue.withLock { $0.waiting.count } }

    /// The transactions committed that changed the database (each one synced to disk), and the writes they
    /// committed (changing something or not; a refused write is not counted), since the store opened.
    var committed: (transactions: Int, writes: Int) { counts.withLock { $0 } }

    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let outcome = Mutex<Result<T, any Error>>(.failure(CancellationError()))
            enqueue(
                Write(
                    apply: { db, shared in
                        let changesBefore = db.totalChangesCount
                        let result = Result {
                            guard shared else { return try body(db) }
                            var value: T?
                            try db.inSavepoint {
                                value = try body(db)
                                return .commit
                            }
                            return value!
                        }
                        outcome.withLock { $0 = result }
                        if !shared { _ = try result.get() }
                        let succeeded = (try? result.get()) != nil
                        return (succeeded, succeeded && db.totalChangesCount > changesBefore)
                    },
                    answer: { commitError in
                        if let commitError { return continuation.resume(throwing: commitError) }
                        continuation.resume(with: outcome.withLock { $0 })
                    }))
        }
    }

    private func enqueue(_ write: Write) {
        let startsCommitting = queue.withLock { queue in
            queue.waiting.append(write)
            defer { queue.committing = true }
            return !queue.committing
        }
        if startsCommitting {
            Task.detached { await self.commitWhileWaiting() }
        }
    }

    /// Commits what waits, then what arrived meanwhile, until nothing does.
    private func commitWhileWaiting() async {
        while true {
            let writes = queue.withLock { queue in
                defer { queue.waiting = [] }
                if queue.waiting.isEmpty { queue.committing = false }
                return queue.waiting
            }
            guard !writes.isEmpty else { return }
            do {
                let applied = try await pool.write { db in
                    if writes.count == 1 { return [try writes[0].apply(db, false)] }
                    return try writes.map { write in
                        // SQLite ends the whole transaction on some errors (a full disk, an I/O error); the
                        // writes after it would then run outside any transaction, so the batch stops there.
                        guard db.isInsideTransaction else { throw TransactionAborted() }
                        return try write.apply(db, true)
                    }
                }
                counts.withLock { counts in
                    counts.transactions += applied.contains { $0.changed } ? 1 : 0
                    counts.writes += applied.filter(\.succeeded).count
                }
                for write in writes { write.answer(nil) }
            } catch {
                for write in writes { write.answer(error) }
            }
        }
    }

    /// SQLite rolled back the shared transaction under a write: every write in it is lost and told so.
    struct TransactionAborted: Error, CustomStringConvertible {
        var description: String { "the transaction was rolled back by SQLite; nothing in it was written" }
    }
}
