#include "CTaskletsBenchShims.h"

#include <errno.h>
#include <malloc.h>
#include <sched.h>

int ctb_restrict_to_cpus(const int32_t *cpus, int32_t count) {
    if (count <= 0) return EINVAL;
    int highest = 0;
    for (int32_t i = 0; i < count; i++) {
        if (cpus[i] < 0) return EINVAL;
        if (cpus[i] > highest) highest = cpus[i];
    }
    // CPU_ALLOC, not cpu_set_t: CPU_SETSIZE (1024) is too small for big hosts.
    cpu_set_t *set = CPU_ALLOC(highest + 1);
    if (set == NULL) return ENOMEM;
    size_t size = CPU_ALLOC_SIZE(highest + 1);
    CPU_ZERO_S(size, set);
    for (int32_t i = 0; i < count; i++) CPU_SET_S(cpus[i], size, set);
    int result = sched_setaffinity(0, size, set) == 0 ? 0 : errno;
    CPU_FREE(set);
    return result;
}

uint64_t ctb_heap_bytes_in_use(void) {
    malloc_trim(0);
    struct mallinfo2 info = mallinfo2();
    return (uint64_t)(info.uordblks + info.hblkhd);
}
