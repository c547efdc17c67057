//===----------------------------------------------------------------------===//
// CTaskletsBenchShims: the Linux calls the benchmark harness needs that
// Swift cannot reach through Glibc (sched_setaffinity needs _GNU_SOURCE and
// the CPU_* macros; malloc.h is not in Swift's Glibc module). The library's
// own shims are not extended: they belong to the pool.
//===----------------------------------------------------------------------===//
#ifndef C_TASKLETS_BENCH_SHIMS_H
#define C_TASKLETS_BENCH_SHIMS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Restricts the calling thread (and every thread it creates afterwards) to
/// the `count` CPUs in `cpus`. Called first thing in `main`, this pins the
/// whole process, so Dispatch and the Swift global executor size their
/// thread pools from the restricted mask. Returns 0 or an errno value.
int ctb_restrict_to_cpus(const int32_t *cpus, int32_t count);

/// Bytes of heap in use (glibc's mallinfo2: small blocks plus mmapped ones),
/// after giving free memory back to the system (malloc_trim).
uint64_t ctb_heap_bytes_in_use(void);

#ifdef __cplusplus
}
#endif

#endif
