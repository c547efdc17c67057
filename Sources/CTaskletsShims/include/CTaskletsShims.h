//===----------------------------------------------------------------------===//
// CTaskletsShims: the Linux calls that Swift cannot reach through Glibc.
//
// `syscall()` is variadic, and `sched_getaffinity`, `pthread_setaffinity_np`,
// `sched_getcpu` and the CPU_* macros need _GNU_SOURCE, so they live here.
// Swift code never calls these directly: `Tasklets/system/SystemCalls.swift`
// wraps each one once, so tests can substitute them.
//===----------------------------------------------------------------------===//
#ifndef C_TASKLETS_SHIMS_H
#define C_TASKLETS_SHIMS_H

// The pool is built on Linux's futexes, sysfs, affinity and libnuma.
#if !defined(__linux__)
#error "swift-tasklets runs on Linux only (it needs futexes, sysfs and sched_setaffinity)"
#endif

#include <stdint.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

// MARK: - CPU affinity

/// Writes the CPUs of the calling thread's affinity mask into `out` (at most
/// `capacity` entries, ascending) and returns how many there are, or -errno.
/// The set is sized with CPU_ALLOC, so hosts with more than 1024 CPUs work.
int ctasklets_affinity_cpus(int32_t *out, int32_t capacity);

/// Pins the calling thread to one CPU. Returns 0 or an errno value
/// (EINVAL when the CPU is outside the thread's cgroup cpuset).
int ctasklets_pin_current_thread(int32_t cpu);

/// The CPU the calling thread runs on, or -1.
int ctasklets_current_cpu(void);

/// The kernel thread id of the calling thread.
int32_t ctasklets_thread_id(void);

// MARK: - Clocks

/// CLOCK_MONOTONIC_COARSE in nanoseconds: a vDSO read of a few nanoseconds,
/// at the resolution of the kernel tick (1 to 4 ms). For timestamps that
/// reports show in milliseconds, taken on hot paths (a channel park).
uint64_t ctasklets_coarse_now_ns(void);

/// CLOCK_MONOTONIC in nanoseconds: a vDSO read, precise, for the watchdog's
/// periods and the times it reports, and for a searcher's budget (two reads
/// per search round, on the idle path; never on the fork-join fast path).
uint64_t ctasklets_now_ns(void);

// MARK: - Futex

/// Sleeps while `*word == expected`, for at most `timeout_ns` (no limit when
/// negative). Returns 0, or an errno value (EAGAIN, EINTR, ETIMEDOUT).
int ctasklets_futex_wait(uint32_t *word, uint32_t expected, int64_t timeout_ns);

/// Wakes up to `count` threads sleeping on `word`. Returns how many woke.
int ctasklets_futex_wake(uint32_t *word, int32_t count);

// MARK: - Asymmetric fences (membarrier)

/// Registers the process for `membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)`
/// (once; repeating it is harmless). Returns 0, or an errno value: ENOSYS
/// (an old kernel or seccomp), EINVAL (the command is not supported).
int ctasklets_membarrier_register(void);

/// A full memory barrier executed on every CPU that runs a thread of this
/// process, and by the caller: `membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)`.
/// Only after `ctasklets_membarrier_register` returned 0. Retries while the
/// kernel is short of memory; aborts with a message if the call is refused
/// for good (a seccomp filter installed after the pool started): carrying
/// on would break the deques' exactly-once guarantee.
void ctasklets_membarrier(void);

/// Keeps the compiler from moving memory accesses across this point (no
/// instruction is emitted): the light side of an asymmetric fence, whose
/// heavy side is `ctasklets_membarrier` in another thread.
static inline void ctasklets_compiler_barrier(void) {
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
}

// MARK: - Spinning

/// A spin-wait hint to the CPU (`pause` on x86, `yield` on Arm).
static inline void ctasklets_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
    __asm__ __volatile__("yield");
#endif
}

// MARK: - The current worker

/// The worker running on this thread (NULL on threads outside every pool).
/// A C `__thread` read costs nothing measurable; `pthread_getspecific` costs
/// ~1 ns. initial-exec: one `mov %fs:offset` per read (the library is linked
/// into the executable or loaded at startup, never dlopen'ed late).
extern __thread void *ctasklets_current_worker_storage __attribute__((tls_model("initial-exec")));

static inline void *ctasklets_current_worker(void) {
    return ctasklets_current_worker_storage;
}

static inline void ctasklets_set_current_worker(void *worker) {
    ctasklets_current_worker_storage = worker;
}

// MARK: - The current cancellation context and error stamp
//
// The innermost cancellation node (a scope, a parallel loop, a throwing
// `join`) that the code on this thread runs inside, NULL at the top. A job
// record carries the context it was created in, so that a thief runs it in
// that context too (Sources/Tasklets/cancel/). initial-exec, as above.
extern __thread const void *ctasklets_context_storage __attribute__((tls_model("initial-exec")));

static inline const void *ctasklets_context(void) {
    return ctasklets_context_storage;
}

static inline void ctasklets_set_context(const void *context) {
    ctasklets_context_storage = context;
}

// The stamp (a number from one global clock) of the error a construct is
// rethrowing on this thread, 0 when none: the construct that catches it next
// dates it from its first throw, not from its rethrow (ErrorStamp.swift).
// With it, the dynamic type of that error, so that an unrelated error caught
// later does not take the stamp over.
extern __thread uint64_t ctasklets_pending_stamp_storage __attribute__((tls_model("initial-exec")));
extern __thread const void *ctasklets_pending_stamp_type_storage __attribute__((tls_model("initial-exec")));

/// The stamp left for an error of dynamic type `type`, or 0; clears it.
static inline uint64_t ctasklets_take_pending_stamp(const void *type) {
    uint64_t stamp = ctasklets_pending_stamp_storage;
    const void *left = ctasklets_pending_stamp_type_storage;
    ctasklets_pending_stamp_storage = 0;
    ctasklets_pending_stamp_type_storage = 0;
    return left == type ? stamp : 0;
}

/// The stamp left on this thread, without taking it (for tests).
static inline uint64_t ctasklets_pending_stamp(void) {
    return ctasklets_pending_stamp_storage;
}

static inline void ctasklets_set_pending_stamp(uint64_t stamp, const void *type) {
    ctasklets_pending_stamp_storage = stamp;
    ctasklets_pending_stamp_type_storage = type;
}

// MARK: - Dump on signal

/// Installs the handler of `TaskletPool.dumpOnSignal` for `signal_number`
/// (its self-pipe made on first use); 0 or -errno.
int ctasklets_dump_signal_install(int signal_number);

/// Blocks until the handler has run once more; 0 or -errno.
int ctasklets_dump_signal_wait(void);

// MARK: - Job records (job_records.c)
//
// HeapJob's records all have one size, are allocated on one thread (often
// outside the pool) and freed on another (the worker that runs the job).
// glibc's malloc serves that pattern poorly when several threads submit:
// each free goes back to the submitter's arena, under its lock, against the
// submitter's next allocation. So each thread keeps the records it freed in
// a cache of up to two magazines of 64, and passes whole magazines through a
// small depot under a mutex to threads that allocate more than they free
// (tcmalloc's and jemalloc's design in miniature). Under AddressSanitizer
// every call goes to malloc and free, so that use after free stays caught.

/// The size of every job record; a HeapJob must fit (JobRecordTests).
#define CTASKLETS_JOB_RECORD_BYTES 128

/// A record of CTASKLETS_JOB_RECORD_BYTES bytes, aligned as malloc's; NULL
/// when memory is exhausted.
void *ctasklets_job_record_allocate(void);

/// Gives back a record from `ctasklets_job_record_allocate`, on any thread.
void ctasklets_job_record_free(void *record);

// MARK: - Stack overflow reports (stack.c)
//
// A worker that overflows its stack hits the guard pages below it and gets
// SIGSEGV. A handler, running on an alternate signal stack, recognises a
// fault in the calling worker's guard area, writes the worker's one-line
// report to standard error and lets the fault kill the process as it would
// have (the previous handler, or the default action). Faults elsewhere go
// straight to the previous handler.

/// Installs the process-wide SIGSEGV/SIGBUS handler once (thread-safe).
/// Returns 0 or an errno value.
int ctasklets_stack_guard_install(void);

/// On a worker thread: sets up its alternate signal stack and records its
/// guard area and the message to print if it overflows (copied, at most 511
/// bytes). Returns 0 or an errno value.
int ctasklets_stack_guard_enter(const char *message);

/// On a worker thread about to exit: removes its alternate signal stack.
void ctasklets_stack_guard_leave(void);

// MARK: - The strand a worker runs

/// The actor strand whose messages this thread is running (NULL if none):
/// how a strand answers `checkIsolated` and `isIsolatingCurrentContext`.
extern __thread const void *ctasklets_current_strand_storage __attribute__((tls_model("initial-exec")));

static inline const void *ctasklets_current_strand(void) {
    return ctasklets_current_strand_storage;
}

static inline void ctasklets_set_current_strand(const void *strand) {
    ctasklets_current_strand_storage = strand;
}

// MARK: - Swift's global executor hooks (global_executor.c)
//
// The Swift runtime calls `swift_task_enqueueGlobal_hook` (and the delay and
// deadline variants used by Task.sleep), when set, instead of its own global
// executor; the variables are found with dlsym in libswift_Concurrency. The
// hooks installed here hand each job to the callbacks below with `context`.

/// Receives a job for the global executor.
typedef void (*ctasklets_global_enqueue)(void *context, void *job);
/// Receives a job to enqueue after `delay_ns` nanoseconds.
typedef void (*ctasklets_global_enqueue_after)(void *context, void *job, uint64_t delay_ns);

enum {
    CTASKLETS_GLOBAL_INSTALLED = 0,
    CTASKLETS_GLOBAL_HOOKS_MISSING = 1,
    CTASKLETS_GLOBAL_HOOK_TAKEN = 2,
};

/// Installs the three hooks, all or none. Returns a CTASKLETS_GLOBAL_* code:
/// missing when the runtime does not export them, taken when another hook is
/// already installed in any of them.
int ctasklets_install_global_hooks(void *context, ctasklets_global_enqueue enqueue,
                                   ctasklets_global_enqueue_after enqueue_after);

/// Hands a job to the runtime's own global executor (the `original` the hook
/// last received), for jobs that arrive after the pool shut down. Returns 0,
/// doing nothing, if the hook has not been called yet.
int ctasklets_global_enqueue_on_runtime(void *job);

/// For tests, in a child process: occupies `swift_task_enqueueGlobal_hook`
/// with a hook that forwards to the original, as another library would.
/// Returns 0, or 1 when the hook variable is missing.
int ctasklets_occupy_global_hook_for_testing(void);

// MARK: - Swift closures as two words
//
// A Swift closure is two words: a function pointer and a context pointer; it
// is called with the Swift calling convention, the context in `swiftself`.
// `ctasklets_closure_words` (declared on the Swift side with `@_silgen_name`,
// see LentClosure.swift) returns the two words of a `() -> Void` argument, so
// that a `join` can hand its non-escaping second half to a thief without an
// allocation; the thief calls it with `ctasklets_call_closure`.
// `ClosureWordsTests` fails loudly if this ever stops working, and the
// `PortableClosureABI` package trait avoids it altogether.

#define CTASKLETS_SWIFTCC __attribute__((swiftcall))
#define CTASKLETS_SWIFT_CONTEXT __attribute__((swift_context))

/// The two words of a Swift closure.
typedef struct {
    const void *function;
    const void *context;
} ctasklets_closure;

/// Calls a Swift closure of type `() -> Void` from its two words.
static inline void ctasklets_call_closure(const void *function, const void *context) {
    typedef void CTASKLETS_SWIFTCC (*thunk_t)(void *CTASKLETS_SWIFT_CONTEXT);
    ((thunk_t)function)((void *)context);
}

// MARK: - NUMA (libnuma through dlopen; numa.c)
//
// libnuma's runtime (`libnuma.so.1`) is loaded with dlopen on first use, so
// the package builds and runs without libnuma-dev, or without libnuma at all.
// Where numa.h exists at build time, numa.c checks its function-pointer types
// against it. libnuma never prints: numa.c defines `numa_warn`/`numa_error`
// and points libnuma's own references at them. numa_run_on_node is never
// called (it widens a user's `taskset` mask).

/// Results of `ctasklets_numa_load`.
enum {
    CTASKLETS_NUMA_NOT_LOADED = -1,
    CTASKLETS_NUMA_LOADED = 0,
    CTASKLETS_NUMA_LIBRARY_MISSING = 1,
    CTASKLETS_NUMA_SYMBOL_MISSING = 2,
    CTASKLETS_NUMA_UNAVAILABLE = 3,
};

/// Loads libnuma once (thread-safe) and returns a CTASKLETS_NUMA_* status.
int ctasklets_numa_load(void);

/// Why loading failed (dlerror text and the like); "" when it did not.
const char *ctasklets_numa_load_message(void);

/// How many of libnuma's references to numa_warn/numa_error were redirected.
int ctasklets_numa_patched_slots(void);

/// How many libnuma messages the overrides swallowed.
long ctasklets_numa_silenced_messages(void);

/// 0 when memory policy works (`get_mempolicy`, then `mbind` of one private
/// page with MPOL_DEFAULT), else the errno (EPERM or ENOSYS under seccomp,
/// where libnuma 2.0.16's numa_available() still returns 0). Needs no libnuma.
int ctasklets_numa_memory_policy_errno(void);

/// numa_max_node(), or -1 without libnuma.
int ctasklets_numa_max_node(void);

/// numa_node_size64(node, NULL): the node's memory in bytes, 0 for a
/// memory-less node, -1 for an invalid node or without libnuma.
long long ctasklets_numa_node_size(int node);

/// numa_alloc_onnode, after checking that `node` exists and has memory
/// (libnuma returns unbound memory for a bad node). NULL on any failure.
void *ctasklets_numa_alloc_onnode(size_t size, int node);

/// numa_free (no-op for NULL or without libnuma).
void ctasklets_numa_free(void *start, size_t size);

/// Makes libnuma warn (numa_parse_nodestring on garbage), to test that the
/// overrides catch it. -1 without libnuma.
int ctasklets_numa_provoke_warning(void);

#ifdef __cplusplus
}
#endif

#endif
