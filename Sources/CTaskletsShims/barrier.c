// _GNU_SOURCE comes from Package.swift's cSettings.
#include "CTaskletsShims.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(SYS_membarrier) && __has_include(<linux/membarrier.h>)
#include <linux/membarrier.h>

static long membarrier(int command, unsigned flags) {
    return syscall(SYS_membarrier, command, flags, 0);
}

int ctasklets_membarrier_register(void) {
    long supported = membarrier(MEMBARRIER_CMD_QUERY, 0);
    if (supported < 0) return errno;
    if (!(supported & MEMBARRIER_CMD_PRIVATE_EXPEDITED)) return EINVAL;
    if (membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0) != 0) return errno;
    return 0;
}

void ctasklets_membarrier(void) {
    // After registration the kernel refuses this command only for want of
    // memory (ENOMEM, for the CPU mask it builds), which passes: retry. Any
    // other error means the process lost the call after the pool chose it
    // (a seccomp filter installed later); a thief cannot go on without the
    // barrier, and the owners cannot be given their fences back mid-flight.
    for (int attempt = 0; attempt < 1000; attempt++) {
        if (membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0) == 0) return;
        if (errno != ENOMEM && errno != EINTR && errno != EAGAIN) break;
        sched_yield();
    }
    fprintf(stderr,
            "swift-tasklets: membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) failed after the pool chose "
            "asymmetric deque fences (errno %d); a seccomp filter installed later? "
            "Start the process with TASKLETS_DEQUE_FENCES=symmetric\n",
            errno);
    abort();
}

#else
// Headers older than Linux 4.14: no membarrier here; the pool falls back to
// symmetric fences and never calls ctasklets_membarrier.
int ctasklets_membarrier_register(void) { return ENOSYS; }
void ctasklets_membarrier(void) { abort(); }
#endif
