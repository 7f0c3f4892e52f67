// A VFS that is the system's default one ("unix") with its xSync counted, so that a test and `strike bench`
// can prove every acknowledged commit was synced to disk without tracing system calls.
//
// It does not wrap each file in a second struct: the file is opened by the default VFS itself, in a buffer
// with a few bytes more at its end (the default VFS uses only the first szOsFile bytes), and the file's method
// table is swapped for a copy whose xSync counts, then calls the original. Every other method is the
// original's, called with the original's own file.
#include <sqlite3.h>
#include <stdatomic.h>
#include <stddef.h>
#include <pthread.h>
#include "sqlite_sync_counter.h"

typedef struct {
    const sqlite3_io_methods *original;
    int isWal;
} Tail;

static sqlite3_vfs *base;
static sqlite3_vfs counting;
// The default VFS gives files one of a few method tables (the database its locking one, the WAL a lock-free
// one): each gets its own counting copy, made the first time a file comes back with it.
enum { maxTables = 8 };
static const sqlite3_io_methods *originals[maxTables];
static sqlite3_io_methods copies[maxTables];
static int tableCount;
static pthread_mutex_t methodsLock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic long long walSyncs;
static _Atomic long long databaseSyncs;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int installResult = SQLITE_OK;

// Where the tail starts: past the default VFS's own bytes, aligned for the pointer it holds.
static int tailOffset(void) { return (base->szOsFile + (int)_Alignof(Tail) - 1) / (int)_Alignof(Tail) * (int)_Alignof(Tail); }

static Tail *tailOf(sqlite3_file *file) { return (Tail *)((char *)file + tailOffset()); }

static int countingSync(sqlite3_file *file, int flags) {
    Tail *tail = tailOf(file);
    int result = tail->original->xSync(file, flags);
    if (result == SQLITE_OK) atomic_fetch_add(tail->isWal ? &walSyncs : &databaseSyncs, 1);
    return result;
}

static int countingOpen(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *file, int flags, int *outFlags) {
    (void)vfs;
    int result = base->xOpen(base, name, file, flags, outFlags);
    if (result != SQLITE_OK || file->pMethods == NULL) return result;
    if (!(flags & (SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_DB))) return result;
    pthread_mutex_lock(&methodsLock);
    const sqlite3_io_methods *counting = NULL;
    for (int index = 0; index < tableCount && counting == NULL; index++) {
        if (originals[index] == file->pMethods) counting = &copies[index];
    }
    if (counting == NULL && tableCount < maxTables) {
        originals[tableCount] = file->pMethods;
        copies[tableCount] = *file->pMethods;
        copies[tableCount].xSync = countingSync;
        counting = &copies[tableCount++];
    }
    pthread_mutex_unlock(&methodsLock);
    // Past maxTables distinct tables (never on Linux), a file keeps its own table, uncounted.
    if (counting != NULL) {
        Tail *tail = tailOf(file);
        tail->original = file->pMethods;
        tail->isWal = (flags & SQLITE_OPEN_WAL) != 0;
        file->pMethods = counting;
    }
    return result;
}

static void install(void) {
    base = sqlite3_vfs_find(NULL);
    if (base == NULL) {
        installResult = SQLITE_ERROR;
        return;
    }
    counting = *base;
    counting.zName = "strike-sync-counter";
    counting.szOsFile = tailOffset() + (int)sizeof(Tail);
    counting.xOpen = countingOpen;
    counting.pNext = NULL;
    installResult = sqlite3_vfs_register(&counting, 1);
}

int strike_sync_counter_install(void) {
    pthread_once(&once, install);
    return installResult;
}

long long strike_sync_counter_wal(void) { return atomic_load(&walSyncs); }

long long strike_sync_counter_database(void) { return atomic_load(&databaseSyncs); }
