import CTaskletsShims

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A pool of worker threads that runs tasklets by work stealing.
///
/// ```swift
/// let pool = try TaskletPool()            // one worker per CPU you may use
/// let total = try pool.run {
///     let (left, right) = join({ sum(lower) }, { sum(upper) })
///     return left + right
/// }
/// pool.shutdown()
/// ```
///
/// Enter the pool with `run` (or hand it detached work with `spawn`); inside
/// it, use `join`, `scope`, `throwingScope`, `parallelFor` and
/// `parallelReduce`, which find the pool through the current thread.
/// The scheduling policy is described at the top of `Registry.swift`.
public final class TaskletPool: @unchecked Sendable {
    /// The most workers a pool may have.
    public static let maximumWorkers = 4096

    /// The environment variable that overrides the default worker count.
    public static let workersVariable = "TASKLETS_WORKERS"

    @usableFromInline let registry: Registry

    /// The number of worker threads.
    public var workerCount: Int { registry.workerCount }

    /// Starts a pool.
    ///
    /// - Parameters:
    ///   - workers: the number of worker threads. By default, the value of
    ///     `TASKLETS_WORKERS`, or else the number of CPUs in the process's
    ///     affinity mask (what `nproc` prints, which honours `taskset` and
    ///     cgroup cpusets, unlike `ProcessInfo.activeProcessorCount`).
    ///   - placement: which CPU each worker pins itself to. By default, the
    ///     value of `TASKLETS_PLACEMENT`, or else `.compact` on a machine
    ///     with several NUMA nodes and `.unpinned` on one.
    ///   - stackSize: the stack size of each worker thread, in bytes
    ///     (`acceptedStackSizes`). By default, `TASKLETS_STACK_SIZE`, or else
    ///     16 MiB. A worker that overflows its stack (very deep recursion)
    ///     writes one line naming the worker and the size to standard error
    ///     before the process dies, as Rust threads do.
    ///   - supervision: the watchdog, spares and blocking sections that
    ///     keep a long or blocked tasklet from holding back the work queued
    ///     behind it (docs/starvation.md). By default on, with a 10 ms
    ///     threshold (`TASKLETS_LONG_TASKLET_MS`); `.disabled` turns it off.
    ///   - errorHandler: receives errors thrown by detached `spawn`ed
    ///     tasklets. By default they are reported on standard error and the
    ///     pool keeps running.
    /// - Throws: `TaskletPoolError` for a worker count outside
    ///   `1...maximumWorkers`, a stack size outside `acceptedStackSizes`,
    ///   supervision settings out of range, an unusable `TASKLETS_WORKERS`,
    ///   `TASKLETS_STACK_SIZE` or `TASKLETS_LONG_TASKLET_MS`, or a thread
    ///   that cannot be started.
    public convenience init(
        workers: Int? = nil,
        placement: Placement? = nil,
        stackSize: Int? = nil,
        supervision: Supervision? = nil,
        errorHandler: @escaping @Sendable (any Error) -> Void = TaskletPool.reportToStandardError
    ) throws(TaskletPoolError) {
        try self.init(
            workers: workers, placement: placement, stackSize: stackSize, supervision: supervision,
            system: .live, errorHandler: errorHandler)
    }

    init(
        workers: Int?, placement: Placement? = nil, stackSize: Int? = nil, supervision: Supervision? = nil,
        sysfsRoot: String = "/sys", system: SystemCalls, errorHandler: @escaping @Sendable (any Error) -> Void,
        diagnosticHandler: DiagnosticHandler? = nil, fencedTakesWindow: Int = OwnerFences.defaultWindow
    ) throws(TaskletPoolError) {
        let plan = try TaskletPool.plan(
            workers: workers, placement: placement, stackSize: stackSize, sysfsRoot: sysfsRoot,
            system: system)
        let settings = try SupervisionSettings(supervision, workerCount: plan.workers.count, system: system)
        registry = Registry(
            layout: PoolLayout(
                topology: plan.topology, placements: plan.workers, roundsPerTier: plan.roundsPerTier),
            stackSize: plan.stackSize, fences: plan.dequeFences, fencedTakesWindow: fencedTakesWindow,
            system: system, supervision: settings, errorHandler: errorHandler)
        registry.taskExecutor = asUnownedTaskExecutor()
        registry.diagnosticHandler = diagnosticHandler
        try registry.startThreads()
        do throws(TaskletPoolError) {
            try registry.startWatchdog()
        } catch {
            registry.shutdown(waitForThreads: true)
            throw error
        }
        LivePools.shared.add(self)
    }

    deinit {
        // A pool released without `shutdown()` shuts itself down, waiting
        // as `shutdown()` does.
        registry.shutdown(waitForThreads: registry.mayWaitForThreads)
    }

    /// The machine as the pool sees it: sysfs under `sysfsRoot`, intersected
    /// with the calling thread's affinity mask.
    static func topology(sysfsRoot: String, system: SystemCalls) throws(TaskletPoolError) -> Topology {
        switch system.affinityCPUs() {
        case .success(let cpus):
            return Topology.read(sysfsRoot: sysfsRoot, affinity: .some(cpus), system: system)
        case .failure(let error):
            throw .affinityUnavailable(error)
        }
    }

    /// The default worker count: `TASKLETS_WORKERS`, else the CPUs of the
    /// affinity mask, capped by a cgroup CPU quota (as Go 1.25 does).
    static func defaultWorkerCount(system: SystemCalls) throws(TaskletPoolError) -> Int {
        try defaultWorkerCount(topology: topology(sysfsRoot: "/sys", system: system), system: system)
    }

    static func defaultWorkerCount(topology: Topology, system: SystemCalls) throws(TaskletPoolError) -> Int {
        if let value = system.environment(workersVariable) {
            guard let count = Int(value.filter { !$0.isWhitespace }),
                (1...maximumWorkers).contains(count)
            else {
                throw .invalidEnvironment(
                    variable: workersVariable, value: value,
                    expected: "a whole number from 1 to \(maximumWorkers)")
            }
            return count
        }
        return topology.defaultWorkerCount
    }

    /// The default handler for errors of detached tasklets.
    public static let reportToStandardError: @Sendable (any Error) -> Void = { error in
        writeToStandardError("swift-tasklets: a spawned tasklet threw: \(error)\n")
    }

    // MARK: - Entering the pool

    /// Runs `body` on a worker of this pool and returns its result.
    ///
    /// From a thread outside the pool, the calling thread blocks until a
    /// worker has run `body` (like `DispatchQueue.sync`, so `body` needs not
    /// be `Sendable`). From a worker of this pool, `body` runs inline.
    ///
    /// `body` is `sending`: it runs on a worker thread, so it must not be
    /// isolated to the caller's actor. From `@MainActor` code, a body that
    /// touches main-actor state does not compile.
    ///
    /// From `async` code use `try await run { }` instead, which suspends the
    /// task rather than block one of Swift's few cooperative threads.
    ///
    /// - Throws: what `body` throws, or `TaskletPoolError.shutDown`.
    @available(*, noasync, message: "blocks a thread of Swift's cooperative pool; use 'try await pool.run { }'")
    @inlinable
    public func run<R, E: Error>(_ body: sending () throws(E) -> R) throws -> R {
        if let worker = Worker.current, registry.owns(worker) {
            return try body()
        }
        var outcome: Result<R, E>? = nil
        var stamp: UInt64 = 0
        let accepted = withUnsafeMutablePointer(to: &outcome) { outcome in
            withUnsafeMutablePointer(to: &stamp) { stamp in
                registry.submitAndWait {
                    do throws(E) {
                        outcome.pointee = .success(try body())
                    } catch {
                        // Carried to this thread, so that a construct around
                        // the call dates the error from its first throw.
                        stamp.pointee = ErrorStamp.claim(for: error)
                        outcome.pointee = .failure(error)
                    }
                }
            }
        }
        guard accepted, let outcome else { throw TaskletPoolError.shutDown }
        if case .failure(let error) = outcome { ErrorStamp.leave(stamp, for: error) }
        return try outcome.get()
    }

    /// Queues `body` to run on the pool without waiting for it (a detached
    /// tasklet: it belongs to no scope, so no `join` or scope ever runs it
    /// while it waits). An error it throws goes to the pool's error handler.
    ///
    /// - Throws: `TaskletPoolError.shutDown` once `shutdown()` has begun,
    ///   from any thread, the pool's own workers included. (Work already
    ///   queued still runs, and so do the `join` halves and scope tasklets
    ///   it creates.)
    ///
    /// - Parameters:
    ///   - name: shown in long-tasklet reports and snapshots
    ///     (`Supervision.onLongTasklet`, `snapshot()`). A `StaticString`, so
    ///     that naming costs one word and no allocation.
    ///   - body: the work; it runs once, on some worker of the pool.
    public func spawn(
        name: StaticString? = nil, _ body: @escaping @Sendable () throws -> Void
    ) throws(TaskletPoolError) {
        // relaxed: on one of our workers, a read of false before the flag is
        // set is fine (that worker drains its queues before it exits); from
        // outside, the closed injector is what refuses, or the sleep lock's
        // shutdown flag for a hand-off (one that wins the race with shutdown
        // runs before its worker exits).
        guard !registry.isShutDown.load(ordering: .relaxed) else { throw .shutDown }
        let job = HeapJob.make(body, owner: .pool(registry.errorHandler), name: name)
        if !registry.submitTask(job, .normal, .tail) {
            HeapJob.discard(job)
            throw .shutDown
        }
    }

    // MARK: - Lifecycle

    /// Finishes every queued tasklet, then stops and joins the worker
    /// threads. Later `run` and `spawn` calls throw
    /// `TaskletPoolError.shutDown`. Calling it again does nothing.
    ///
    /// Called on a worker of any pool (this one or another), it starts the
    /// shutdown but does not wait for the threads, which finish on their
    /// own once the queues are drained: a worker of this pool may be waiting
    /// for the caller (`otherPool.run { pool.shutdown() }`), and waiting for
    /// it would deadlock. The same holds when the last reference to a pool
    /// goes away on a worker.
    public func shutdown() {
        registry.shutdown(waitForThreads: registry.mayWaitForThreads)
    }

    /// Problems the pool worked around, each once: a worker it could not
    /// pin (it runs unpinned), node-local memory it could not get (it uses
    /// plain memory). When they occur they also go to the pool's
    /// `diagnosticHandler` if it was given one, and to standard error if not.
    public var diagnostics: [String] {
        registry.reports
    }

    /// How this pool's deques fence a take against a steal: asymmetric
    /// (fence-free `join`s while no thief comes) where the kernel has
    /// membarrier, unless `TASKLETS_DEQUE_FENCES=symmetric` asked for a
    /// fence per take.
    public var dequeFences: DequeFences {
        registry.fences
    }

    /// The machine as this pool saw it when it started.
    public var topology: Topology {
        registry.layout.topology
    }

    /// Where each worker runs: its CPU (nil when unpinned) and its node.
    public var placements: [WorkerPlacement] {
        registry.layout.placements
    }

    /// Whether `shutdown()` was called.
    public var isShutDown: Bool {
        registry.isShutDown.load(ordering: .relaxed)
    }
}

/// Writes a message to file descriptor 2 in one call.
func writeToStandardError(_ message: String) {
    var message = message
    message.withUTF8 { bytes in
        _ = write(2, bytes.baseAddress, bytes.count)
    }
}

extension TaskletPool {
    /// The index of the worker running the calling thread, or nil outside
    /// every pool. A spare worker (docs/starvation.md) has an index of
    /// `workerCount` or more: size per-worker tables by `workerCount` only
    /// with supervision off.
    public static var currentWorkerIndex: Int? {
        Worker.current?.pointee.index
    }
}

extension TaskletPool {
    /// The CPUs in the calling thread's affinity mask, ascending: what the
    /// default worker count is made of (what `nproc` counts).
    public static func affinityCPUs() throws(TaskletPoolError) -> [Int] {
        switch SystemCalls.live.affinityCPUs() {
        case .success(let cpus): return cpus
        case .failure(let error): throw .affinityUnavailable(error)
        }
    }
}
