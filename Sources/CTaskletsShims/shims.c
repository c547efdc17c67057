// _GNU_SOURCE comes from Package.swift's cSettings.
#include "CTaskletsShims.h"

#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

__thread void *ctasklets_current_worker_storage __attribute__((tls_model("initial-exec"))) = NULL;
__thread const void *ctasklets_context_storage __attribute__((tls_model("initial-exec"))) = NULL;
__thread uint64_t ctasklets_pending_stamp_storage __attribute__((tls_model("initial-exec"))) = 0;
__thread const void *ctasklets_pending_stamp_type_storage __attribute__((tls_model("initial-exec"))) = NULL;
__thread const void *ctasklets_current_strand_storage __attribute__((tls_model("initial-exec"))) = NULL;

int ctasklets_affinity_cpus(int32_t *out, int32_t capacity) {
    // Grow the set until the kernel accepts its size: a fixed CPU_SETSIZE
    // (1024) fails with EINVAL on larger hosts.
    for (int ncpus = 1024; ncpus <= (1 << 20); ncpus *= 2) {
        cpu_set_t *set = CPU_ALLOC(ncpus);
        if (set == NULL) return -ENOMEM;
        size_t size = CPU_ALLOC_SIZE(ncpus);
        CPU_ZERO_S(size, set);
        if (sched_getaffinity(0, size, set) != 0) {
            int error = errno;
            CPU_FREE(set);
            if (error == EINVAL) continue;
            return -error;
        }
        int32_t count = 0;
        for (int cpu = 0; cpu < ncpus; cpu++) {
            if (CPU_ISSET_S(cpu, size, set)) {
                if (count < capacity) out[count] = cpu;
                count++;
            }
        }
        CPU_FREE(set);
        return count;
    }
    return -EINVAL;
}

int ctasklets_pin_current_thread(int32_t cpu) {
    if (cpu < 0) return EINVAL;
    cpu_set_t *set = CPU_ALLOC(cpu + 1);
    if (set == NULL) return ENOMEM;
    size_t size = CPU_ALLOC_SIZE(cpu + 1);
    CPU_ZERO_S(size, set);
    CPU_SET_S(cpu, size, set);
    int result = pthread_setaffinity_np(pthread_self(), size, set);
    CPU_FREE(set);
    return result;
}

int ctasklets_current_cpu(void) {
    return sched_getcpu();
}

int32_t ctasklets_thread_id(void) {
    return (int32_t)syscall(SYS_gettid);
}

uint64_t ctasklets_now_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

uint64_t ctasklets_coarse_now_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

int ctasklets_futex_wait(uint32_t *word, uint32_t expected, int64_t timeout_ns) {
    struct timespec timeout;
    struct timespec *timeout_pointer = NULL;
    if (timeout_ns >= 0) {
        timeout.tv_sec = (time_t)(timeout_ns / 1000000000);
        timeout.tv_nsec = (long)(timeout_ns % 1000000000);
        timeout_pointer = &timeout;
    }
    long result = syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, expected, timeout_pointer, NULL, 0);
    return result == 0 ? 0 : errno;
}

int ctasklets_futex_wake(uint32_t *word, int32_t count) {
    long result = syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, count, NULL, NULL, 0);
    return result < 0 ? 0 : (int)result;
}

// See "Swift closures as two words" in the header. The Swift declaration is
// `_closureWords(_: () -> Void) -> ctasklets_closure`: the closure argument
// arrives as its two words, and a two-pointer struct returns in two registers
// under both conventions.
CTASKLETS_SWIFTCC ctasklets_closure ctasklets_closure_words(const void *function, const void *context) {
    ctasklets_closure words = { function, context };
    return words;
}
