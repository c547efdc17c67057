// _GNU_SOURCE comes from Package.swift's cSettings.
#include "CTaskletsShims.h"

#include <errno.h>
#include <linux/membarrier.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

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
    if (membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0) == 0) return;
    // The kernel refuses this command only to unregistered processes, and
    // the pool registers before it runs anything.
    fprintf(stderr, "swift-tasklets: membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) failed after registration (errno %d)\n", errno);
    abort();
}
