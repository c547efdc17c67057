// A cache of fixed-size job records for HeapJob; see "Job records" in
// CTaskletsShims.h. _GNU_SOURCE comes from Package.swift's cSettings.
#include "CTaskletsShims.h"

#include <pthread.h>
#include <stdlib.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CTASKLETS_RECORDS_UNCACHED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define CTASKLETS_RECORDS_UNCACHED 1
#endif

enum {
    // Records one magazine holds: the depot's lock is taken once per this
    // many allocations or frees.
    magazine_records = 64,
    // Full magazines the depot keeps; beyond that, frees go to free().
    depot_magazines_max = 64,
};

// A free record: the next record of its magazine, and, in the magazine's
// first record only, the next magazine of the depot.
typedef struct free_record {
    struct free_record *next;
    struct free_record *next_magazine;
} free_record;

_Static_assert(sizeof(free_record) <= CTASKLETS_JOB_RECORD_BYTES, "a record holds the free links");

// Each thread's own cache: records it freed, or took from the depot.
static __thread free_record *cache_head;
static __thread unsigned cache_count;
static __thread int cache_registered;

// Full magazines shared by every thread, under a pthread mutex (threads
// contend for it: outside submitters take, workers give).
static pthread_mutex_t depot_lock = PTHREAD_MUTEX_INITIALIZER;
static free_record *depot_head;
static unsigned depot_count;

static pthread_key_t exit_key;
static int exit_key_made;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;

// Frees a chain of records linked by `next`.
static void release_chain(free_record *record) {
    while (record) {
        free_record *next = record->next;
        free(record);
        record = next;
    }
}

// Gives a full magazine (a chain of magazine_records records) to the depot,
// or frees it when the depot is full.
static void give_magazine(free_record *magazine) {
    pthread_mutex_lock(&depot_lock);
    if (depot_count < depot_magazines_max) {
        magazine->next_magazine = depot_head;
        depot_head = magazine;
        depot_count += 1;
        magazine = NULL;
    }
    pthread_mutex_unlock(&depot_lock);
    release_chain(magazine);
}

// Cuts the chain starting at `head` after its first magazine's worth of
// records (the chain holds at least that many) and returns the rest.
static free_record *cut_after_magazine(free_record *head) {
    free_record *last = head;
    for (unsigned i = 1; i < magazine_records; i++) last = last->next;
    free_record *rest = last->next;
    last->next = NULL;
    return rest;
}

// A thread that exits gives its cache back: whole magazines to the depot,
// the rest to free().
static void flush_on_exit(void *unused) {
    (void)unused;
    while (cache_count >= magazine_records) {
        free_record *magazine = cache_head;
        cache_head = cut_after_magazine(magazine);
        cache_count -= magazine_records;
        give_magazine(magazine);
    }
    release_chain(cache_head);
    cache_head = NULL;
    cache_count = 0;
    cache_registered = 0;
}

// fork() while another thread holds the depot's lock would leave the
// child's copy locked: the lock is taken around fork and released on both
// sides.
static void lock_for_fork(void) { pthread_mutex_lock(&depot_lock); }
static void unlock_after_fork(void) { pthread_mutex_unlock(&depot_lock); }

static void make_exit_key(void) {
    exit_key_made = pthread_key_create(&exit_key, flush_on_exit) == 0;
    (void)pthread_atfork(lock_for_fork, unlock_after_fork, unlock_after_fork);
}

// Whether this thread may cache records: only once its exit hook is set,
// or they would leak when it ends. Without a key (all taken), no thread
// caches. A free made by another key's destructor after ours ran sets the
// hook again; glibc runs destructors up to 4 rounds, so a record freed in
// the last round can leak (at most one cache's worth, once per thread).
static int register_thread(void) {
    if (!cache_registered) {
        (void)pthread_once(&exit_key_once, make_exit_key);
        cache_registered = exit_key_made && pthread_setspecific(exit_key, (void *)1) == 0;
    }
    return cache_registered;
}

void *ctasklets_job_record_allocate(void) {
#ifndef CTASKLETS_RECORDS_UNCACHED
    if (!cache_head && register_thread()) {
        pthread_mutex_lock(&depot_lock);
        free_record *magazine = depot_head;
        if (magazine) {
            depot_head = magazine->next_magazine;
            depot_count -= 1;
        }
        pthread_mutex_unlock(&depot_lock);
        if (magazine) {
            cache_head = magazine;
            cache_count = magazine_records;
        }
    }
    if (cache_head) {
        free_record *record = cache_head;
        cache_head = record->next;
        cache_count -= 1;
        return record;
    }
#endif
    return malloc(CTASKLETS_JOB_RECORD_BYTES);
}

void ctasklets_job_record_free(void *pointer) {
#ifndef CTASKLETS_RECORDS_UNCACHED
    if (!register_thread()) {
        free(pointer);
        return;
    }
    free_record *record = pointer;
    record->next = cache_head;
    cache_head = record;
    cache_count += 1;
    if (cache_count == 2 * magazine_records) {
        // Keep one magazine for this thread's own allocations; the other
        // goes to the depot for threads that allocate more than they free
        // (outside submitters).
        free_record *magazine = cut_after_magazine(cache_head);
        cache_count = magazine_records;
        give_magazine(magazine);
    }
#else
    free(pointer);
#endif
}
