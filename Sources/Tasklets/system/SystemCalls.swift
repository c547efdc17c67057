import CTaskletsShims

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Every operating-system call the pool makes, each wrapped once.
///
/// Like swift-system's syscall wrappers, this is the only place that talks to
/// the kernel, so tests can substitute a `SystemCalls` value to simulate an
/// odd machine: a narrow affinity mask, pinning refused by a cgroup, an
/// environment variable. The pool keeps one value for its whole life; the
/// hot paths never call through it.
@usableFromInline
struct SystemCalls: Sendable {
    /// The CPUs of the calling thread's affinity mask, ascending, or an errno.
    var affinityCPUs: @Sendable () -> Result<[Int], SystemError>
    /// Pins the calling thread to a CPU; returns 0 or an errno value.
    var pinCurrentThread: @Sendable (Int) -> Int32
    /// The CPU the calling thread runs on, or -1.
    var currentCPU: @Sendable () -> Int
    /// Sleeps while `*word == expected`, at most `timeout` ns (forever if < 0).
    @usableFromInline var futexWait: @Sendable (UnsafeMutablePointer<UInt32>, UInt32, Int64) -> Int32
    /// Wakes up to `count` sleepers on `word`.
    @usableFromInline var futexWake: @Sendable (UnsafeMutablePointer<UInt32>, Int32) -> Void
    /// Registers the process for membarrier's private expedited command;
    /// 0 or an errno value (`DequeFences.choose`).
    var registerMembarrier: @Sendable () -> Int32
    /// membarrier's private expedited command, after a registration that
    /// returned 0: the heavy side of the deques' asymmetric fence. Called by
    /// thieves, through the pointer each deque holds.
    @usableFromInline var membarrier: HeavyBarrier
    /// Reads an environment variable.
    var environment: @Sendable (String) -> String?
    /// Reads a whole regular file of at most `maximumFileBytes` (sysfs,
    /// cgroup and proc files). Never blocks: FIFOs and devices are refused.
    var readFile: @Sendable (String) -> Result<[UInt8], SystemError>
    /// The entry names of a directory, without "." and "..".
    var listDirectory: @Sendable (String) -> Result<[String], SystemError>
    /// 0 when memory policy works (get_mempolicy and mbind), else the errno.
    var memoryPolicyErrno: @Sendable () -> Int32
    /// Loads libnuma once: nil when it is usable, else why not.
    var numaLoad: @Sendable () -> String?
    /// numa_node_size64: bytes of memory on a node, 0 if none, -1 if invalid.
    var numaNodeSize: @Sendable (Int) -> Int64
    /// numa_alloc_onnode(bytes, node) after validating the node; nil on failure.
    var numaAllocateOnNode: @Sendable (Int, Int) -> UnsafeMutableRawPointer?
    /// numa_free(pointer, bytes).
    var numaFree: @Sendable (UnsafeMutableRawPointer, Int) -> Void
    /// Installs the process's stack-overflow handler (once); 0 or an errno.
    var installStackGuard: @Sendable () -> Int32
    /// On a worker thread: its alternate signal stack, and the line to print
    /// if it overflows its stack; 0 or an errno.
    var enterStackGuard: @Sendable (String) -> Int32
    /// On a worker thread about to exit: undoes `enterStackGuard`.
    var leaveStackGuard: @Sendable () -> Void
    /// Installs `dumpOnSignal`'s handler for a signal; 0 or an errno.
    var installDumpSignal: @Sendable (Int32) -> Int32
    /// Blocks until that handler has run once more; 0 or an errno.
    var waitForDumpSignal: @Sendable () -> Int32
    /// Installs Swift's global-executor hooks (global_executor.c); a
    /// CTASKLETS_GLOBAL_* code.
    var installGlobalExecutorHooks: @Sendable (
        UnsafeMutableRawPointer, ctasklets_global_enqueue, ctasklets_global_enqueue_after
    ) -> Int32

    static let live = SystemCalls(
        affinityCPUs: {
            var capacity = 1024
            while true {
                var cpus = [Int32](repeating: 0, count: capacity)
                let count = Int(ctasklets_affinity_cpus(&cpus, Int32(capacity)))
                if count < 0 { return .failure(SystemError(errno: Int32(-count), call: "sched_getaffinity")) }
                if count <= capacity { return .success(cpus[..<count].map(Int.init)) }
                capacity = count
            }
        },
        pinCurrentThread: { cpu in Int32(ctasklets_pin_current_thread(Int32(cpu))) },
        currentCPU: { Int(ctasklets_current_cpu()) },
        futexWait: { word, expected, timeout in
            Int32(ctasklets_futex_wait(word, expected, timeout))
        },
        futexWake: { word, count in _ = ctasklets_futex_wake(word, count) },
        registerMembarrier: { Int32(ctasklets_membarrier_register()) },
        membarrier: ctasklets_membarrier,
        environment: { name in
            guard let value = getenv(name) else { return nil }
            return String(cString: value)
        },
        readFile: { path in readWholeFile(path) },
        listDirectory: { path in directoryEntries(path) },
        memoryPolicyErrno: { Int32(ctasklets_numa_memory_policy_errno()) },
        numaLoad: {
            let status = ctasklets_numa_load()
            guard Int(status) != CTASKLETS_NUMA_LOADED else { return nil }
            return String(cString: ctasklets_numa_load_message())
        },
        numaNodeSize: { node in
            guard let node = Int32(exactly: node) else { return -1 }
            return Int64(ctasklets_numa_node_size(node))
        },
        numaAllocateOnNode: { bytes, node in
            guard bytes > 0, let node = Int32(exactly: node) else { return nil }
            return ctasklets_numa_alloc_onnode(bytes, node)
        },
        numaFree: { pointer, bytes in ctasklets_numa_free(pointer, bytes) },
        installStackGuard: { Int32(ctasklets_stack_guard_install()) },
        enterStackGuard: { message in Int32(ctasklets_stack_guard_enter(message)) },
        leaveStackGuard: { ctasklets_stack_guard_leave() },
        installDumpSignal: { signal in -Int32(ctasklets_dump_signal_install(signal)) },
        waitForDumpSignal: { -Int32(ctasklets_dump_signal_wait()) },
        installGlobalExecutorHooks: { context, enqueue, enqueueAfter in
            Int32(ctasklets_install_global_hooks(context, enqueue, enqueueAfter))
        }
    )
}

/// A failed system call.
public struct SystemError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The error number the call returned or left in `errno` (`EAGAIN`,
    /// `EPERM`, ...).
    public let errno: Int32
    /// The call that failed, as it would be searched for in its manual
    /// page, sometimes with what it was for: `"sigaction"`,
    /// `"pthread_create (watchdog)"`.
    public let call: String

    /// The call, the system's message for the error number and the number:
    /// `pthread_create failed: Resource temporarily unavailable (errno 11)`.
    public var description: String {
        "\(call) failed: \(String(cString: strerror(errno))) (errno \(errno))"
    }
}
