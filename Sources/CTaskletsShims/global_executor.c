// Swift's global executor hooks; see the header. _GNU_SOURCE comes from
// Package.swift's cSettings.
#include "CTaskletsShims.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <time.h>

#define SWIFTCC __attribute__((swiftcall))

// The runtime's types (Concurrency/ConcurrencyHooks.def): each hook receives
// the job and the runtime's own implementation, `original`.
typedef SWIFTCC void (*enqueue_original)(void *job);
typedef SWIFTCC void (*delay_original)(unsigned long long delay, void *job);
typedef SWIFTCC void (*deadline_original)(long long sec, long long nsec, long long tsec,
                                          long long tnsec, int clock, void *job);

static void *hook_context;
static ctasklets_global_enqueue enqueue_callback;
static ctasklets_global_enqueue_after enqueue_after_callback;
// The runtime's own global enqueue, as the hook receives it (the same
// function every time), for jobs that arrive after the pool shut down.
static enqueue_original runtime_enqueue;
static pthread_mutex_t install_lock = PTHREAD_MUTEX_INITIALIZER;

static void **hook_slot(const char *name) {
    return (void **)dlsym(RTLD_DEFAULT, name);
}

static SWIFTCC void enqueue_hook(void *job, enqueue_original original) {
    __atomic_store_n(&runtime_enqueue, original, __ATOMIC_RELAXED);
    enqueue_callback(hook_context, job);
}

static SWIFTCC void delay_hook(unsigned long long delay, void *job, delay_original original) {
    (void)original;
    enqueue_after_callback(hook_context, job, (uint64_t)delay);
}

// Swift's clock ids (swift_clock_id): 1 continuous, 2 suspending, 3 wall;
// on Linux the continuous clock is CLOCK_BOOTTIME, the suspending one
// CLOCK_MONOTONIC, the wall clock CLOCK_REALTIME (another id: monotonic).
static SWIFTCC void deadline_hook(long long sec, long long nsec, long long tsec, long long tnsec,
                                  int clock, void *job, deadline_original original) {
    (void)tsec;
    (void)tnsec;
    (void)original;
    struct timespec now;
    clock_gettime(clock == 1 ? CLOCK_BOOTTIME : clock == 3 ? CLOCK_REALTIME : CLOCK_MONOTONIC, &now);
    long long remaining = (sec - (long long)now.tv_sec) * 1000000000LL + (nsec - now.tv_nsec);
    enqueue_after_callback(hook_context, job, remaining > 0 ? (uint64_t)remaining : 0);
}

int ctasklets_install_global_hooks(void *context, ctasklets_global_enqueue enqueue,
                                   ctasklets_global_enqueue_after enqueue_after) {
    void **global = hook_slot("swift_task_enqueueGlobal_hook");
    void **delay = hook_slot("swift_task_enqueueGlobalWithDelay_hook");
    void **deadline = hook_slot("swift_task_enqueueGlobalWithDeadline_hook");
    if (global == NULL || delay == NULL || deadline == NULL) return CTASKLETS_GLOBAL_HOOKS_MISSING;
    pthread_mutex_lock(&install_lock);
    int result = CTASKLETS_GLOBAL_INSTALLED;
    if (*global != NULL || *delay != NULL || *deadline != NULL) {
        result = CTASKLETS_GLOBAL_HOOK_TAKEN;
    } else {
        hook_context = context;
        enqueue_callback = enqueue;
        enqueue_after_callback = enqueue_after;
        // The runtime reads the hooks without synchronization on its enqueue
        // paths; from here on, new enqueues take them.
        __atomic_store_n(deadline, (void *)deadline_hook, __ATOMIC_RELEASE);
        __atomic_store_n(delay, (void *)delay_hook, __ATOMIC_RELEASE);
        __atomic_store_n(global, (void *)enqueue_hook, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&install_lock);
    return result;
}

int ctasklets_global_enqueue_on_runtime(void *job) {
    enqueue_original original = __atomic_load_n(&runtime_enqueue, __ATOMIC_RELAXED);
    if (original == NULL) return 0;
    original(job);
    return 1;
}

static SWIFTCC void forwarding_hook(void *job, enqueue_original original) {
    original(job);
}

int ctasklets_occupy_global_hook_for_testing(void) {
    void **global = hook_slot("swift_task_enqueueGlobal_hook");
    if (global == NULL) return 1;
    __atomic_store_n(global, (void *)forwarding_hook, __ATOMIC_RELEASE);
    return 0;
}
