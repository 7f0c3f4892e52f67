#ifndef STRIKE_SQLITE_SYNC_COUNTER_H
#define STRIKE_SQLITE_SYNC_COUNTER_H

/// Makes the counting VFS the process's default, so that every SQLite connection opened afterwards counts
/// its file syncs. Idempotent; returns SQLITE_OK (0) or the SQLite error from registering the VFS.
int strike_sync_counter_install(void);

/// Syncs of write-ahead-log files since the process started (one per durable commit with synchronous=FULL).
long long strike_sync_counter_wal(void);

/// Syncs of main database files (checkpoints write the WAL back into the database, then sync it).
long long strike_sync_counter_database(void);

#endif
