import CTaskletsShims
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

// Scheduler policy: read this first.
//
// A pool is N worker threads, one per CPU of the process's affinity mask by
// default. Each worker owns Chase-Lev deques (WorkStealingDeque):
//
//   * `deque`, for jobs somebody waits for: the second half of a `join` and
//     a scope's tasklets. The worker pushes and takes at the bottom (LIFO),
//     so a `join` usually takes its own half back and runs it inline, with
//     no allocation and no synchronization beyond the deque's one fence.
//   * `tasks`, one deque per priority class, for jobs nobody waits for
//     inside the pool: Swift tasks' jobs, actor strands, a `spawn` made on a
//     worker. The worker takes the oldest first, as thieves do, by class
//     with aging (docs/async.md);
//   * `next`, one slot: the task this worker most recently woke, run next
//     (Go's runnext), at most 3 times in a row.
//
// A thread outside the pool submits to the injector of the NUMA node it runs
// on (one locked FIFO per priority class per node that has workers); so does
// a task that yields. When nobody searches, someone sleeps and no injector
// holds a job, the job skips the injector: it is handed to a sleeper as it
// is woken (`Sleep.handOff`).
//
// A worker looks for its next job in this order (`nextLocalJob`, `search`):
//
//   1. Every 61st local job, its node's injector first, so outside work is
//      never starved by a worker that keeps finding local work (Go's
//      schedule()).
//   2. Its own `deque`, newest first; then its `next` slot and its `tasks`
//      (`nextTaskJob`).
//   3. Its node's injector, then the other nodes' injectors.
//   4. The others' queues (`deque`, then `tasks`, then `next` if the same
//      job has sat there for 3 µs), oldest first, in the order its
//      `VictimOrder` gives: its cache group, its node, then other nodes by
//      distance, with a random start inside each tier. From another node it
//      steals a batch (up to half the victim's `deque`), from its own node
//      one job.
//
// Each worker pins itself to its CPU (if the placement pins) from its own
// thread, and only then builds its deques, so that their memory is on its
// node (docs/numa.md).
//
// A worker that finds nothing becomes a *searcher* if fewer than half the
// workers already search, and tries steps 3-4 with growing pauses for a time
// that adapts to what searching finds (0-50 µs, `searchBudget`). If that
// fails it goes to sleep on a futex, after announcing itself and re-checking
// every queue (`Sleep`, docs/sleep-protocol.md), so no job is ever left
// queued while every worker sleeps, and an idle pool's workers use no CPU.
// A searcher that finds work and was the last searcher wakes one sleeper if
// more work is visible; a push wakes a sleeper only when nobody searches.
// Wakeups thus cascade while there is work and stop when there is none (the
// Go and Tokio policy). One exception: the job of a thread blocked in `run`
// wakes nobody for its first 20 µs; that thread, which waits anyway, brings
// a helper if the job lasts longer, so a tiny job costs no wake-up at all
// (`waitWatching`; docs/sleep-protocol.md, "A blocked `run` brings its own
// helper").
//
// A worker that must wait inside a job (a `join` whose half was stolen, a
// scope whose tasklets still run) does not go back to the general loop. It
// runs only work created inside what it waits for (docs/join.md): jobs its
// own deque received since the wait began, and, for a `join`, the thief's
// jobs pushed while the thief runs the stolen half (leapfrogging). It never
// runs a detached job, an outside submission, or another worker's older
// work (nor a task, a strand or the `next` slot), so it can neither
// deadlock on a job that needs a lock its caller holds (rayon-rs/rayon#592)
// nor bury its caller under an unrelated long job (rayon-rs/rayon#957). Yet every job a waiting worker's own frames
// depend on is reachable by some waiter, so the pool cannot hang with all
// workers waiting (the argument is in docs/join.md). The price is some idle
// time when the thief has nothing left to share.
//
// A worker that calls `run` on another pool keeps running its own pool's
// newer work while it waits, as an idle worker would (docs/join.md), so that
// two pools calling into each other cannot block every worker of both.
//
// No tasklet starves behind a long one (supervision/, docs/starvation.md):
// a watchdog thread sees a worker whose job counter has not moved for the
// long-tasklet threshold (10 ms), or that is inside `blocking { }`, while
// work waits in its queues (or, with every thread held up, in the
// injectors); it wakes an idle worker to steal that work, or else sends a
// spare worker, a thread with a worker state of its own that serves the
// held-up worker's queues first. Work queued behind a long tasklet thus
// starts within the threshold plus a watchdog period plus a spare's start.
//
// Errors cancel: the first error thrown inside a `join`, scope or parallel
// loop cancels it (and the constructs inside it), so work not yet started is
// skipped (`cancel/`, docs/join.md).
//
// Shutdown closes the injectors, wakes every sleeper and lets each worker
// drain what is visible before it exits, so no queued job is lost. Called on
// any pool's worker, it does not wait for the threads (one of them may be
// waiting for the caller).

/// The shared state of one pool: workers, queues, the sleep protocol.
@usableFromInline
final class Registry: @unchecked Sendable {
    let workerCount: Int
    /// Pointers to worker states, fixed for the pool's life: `workerCount`
    /// regular workers, each initialized by its own thread (see
    /// `startThreads`), then room for `supervisor.spareCapacity` spares,
    /// filled as spares are first needed (`Supervisor.spareSlots`).
    @usableFromInline let workers: UnsafeMutablePointer<UnsafeMutablePointer<Worker>>
    /// The watchdog, the spares and the blocking sections (supervision/).
    let supervisor: Supervisor
    /// One injector per node that has workers (`layout.injectorNodes`).
    let injectors: [Injector]
    /// The same injectors, for the paths every submission and every idle
    /// look takes: loading a class reference out of `injectors` retained and
    /// released it, a tenth of the samples of the inject kernel under perf
    /// (docs/benchmarks.md). `injectors` keeps them alive as long as the
    /// registry.
    let injectorHandles: [Unmanaged<Injector>]
    @usableFromInline let sleep: Sleep
    @usableFromInline let system: SystemCalls
    let layout: PoolLayout
    let memory: NodeLocalMemory
    let errorHandler: @Sendable (any Error) -> Void
    /// Each worker thread's stack size, in bytes.
    let stackSize: Int
    /// The pool as Swift's task executor, which Swift jobs run on. Set by
    /// `TaskletPool.init` before the threads start (their creation publishes
    /// it), read-only after; unowned (a task that prefers the pool keeps it
    /// alive). Unchecked: a dynamic exclusivity check on every job's read
    /// cost about 2% of a yield.
    @exclusivity(unchecked) var taskExecutor: UnownedTaskExecutor?
    /// The channels this pool's workers parked tasks on, and the opt-in
    /// stall watch (channel/StallWatch.swift).
    let stallWatch = StallWatch()
    /// This pool among all the process has made, never reused (a freed
    /// pool's address may be): what a channel park is stamped with.
    let identity = Registry.identities.add(1, ordering: .relaxed).newValue
    private static let identities = Atomic<UInt64>(0)
    /// Swift jobs (and strands) that arrived after shutdown and went to the
    /// last-resort thread.
    let lateJobs = Atomic<UInt64>(0)

    let lifecycle = PthreadLock()
    let lifecycleChanged: PthreadCondition
    /// Worker threads that have left `workerMain` (guarded by `lifecycle`).
    var exitedWorkers = 0
    var threads: [pthread_t] = []
    var threadsReleased = false
    /// Workers that have initialized their state; they start work when all
    /// have (or leave at once if starting failed).
    var startedWorkers = 0
    var initialized: [Bool]
    var startFailed = false
    var reported = Set<String>()
    /// Where `report` and supervision events go (TaskletPool+Diagnostics.swift);
    /// set before the threads start, read-only after.
    var diagnosticHandler: TaskletPool.DiagnosticHandler?
    let isShutDown = Atomic<Bool>(false)

    /// How long a searcher looks for work before it goes to sleep
    /// (`searchRounds`), adapted to what searching finds
    /// (docs/sleep-protocol.md, "Bounded searching"): a search that finds a
    /// job after t ns raises it to 2t, one that finds nothing lowers it by an
    /// eighth, within `searchBudgetRange`. So searchers keep spinning while
    /// their late finds show that work keeps coming, and a pool woken for a
    /// tiny job every millisecond stops spinning for nothing: two looks per
    /// wake-up once the budget has decayed, since the floor is 0 (looking
    /// twice cost that pool 8-15% less CPU per fork-join than a 2 µs
    /// floor, docs/benchmarks.md). One shared word on its own cache line;
    /// relaxed, since it is a heuristic and a lost update only costs a
    /// little spinning.
    let searchBudget: UnsafeMutablePointer<Atomic<UInt64>>
    /// How the deques fence takes against steals, chosen once by the plan.
    let fences: DequeFences
    /// What a thief calls before reading a deque's `bottom` under asymmetric
    /// fences; nil under symmetric ones. Every worker's deque holds it.
    let heavyBarrier: HeavyBarrier?
    /// Fenced takes between an owner's looks for thieves under asymmetric
    /// fences (`OwnerFences`); tests shorten it.
    let fencedTakesWindow: Int
    static let searchBudgetRange: ClosedRange<UInt64> = 0...50_000
    /// How long a job must sit in a next slot before a thief may take it
    /// (`stealNextSlot`): about ten channel hand-offs.
    static let nextSlotGraceNanoseconds: UInt64 = 3_000

    init(
        layout: PoolLayout, stackSize: Int = TaskletPool.defaultStackSize, fences: DequeFences,
        fencedTakesWindow: Int = OwnerFences.defaultWindow, system: SystemCalls,
        supervision: SupervisionSettings, errorHandler: @escaping @Sendable (any Error) -> Void
    ) {
        self.stackSize = stackSize
        workerCount = layout.workerCount
        self.layout = layout
        self.system = system
        self.fences = fences
        heavyBarrier = fences.isAsymmetric ? system.membarrier : nil
        self.fencedTakesWindow = fencedTakesWindow
        self.errorHandler = errorHandler
        injectors = layout.injectorNodes.map { _ in Injector() }
        injectorHandles = injectors.map { Unmanaged.passUnretained($0) }
        lifecycleChanged = PthreadCondition(lock: lifecycle)
        initialized = Array(repeating: false, count: layout.workerCount)
        supervisor = Supervisor(settings: supervision, workerCount: layout.workerCount)
        workers = .allocate(capacity: layout.workerCount + supervision.spareCapacity)
        for index in 0..<layout.workerCount {
            workers[index] = allocateCacheAlignedStorage(for: Worker.self)
        }
        sleep = Sleep(workerCount: layout.workerCount, workers: workers, system: system)
        searchBudget = allocateCacheAligned(Atomic<UInt64>(10_000))
        memory = NodeLocalMemory(system: system, report: { _ in })
    }

    deinit {
        // Only workers that initialized their state have one to destroy.
        for index in 0..<workerCount where initialized[index] {
            workers[index].deinitialize(count: 1)
        }
        for index in 0..<workerCount {
            UnsafeMutableRawPointer(workers[index]).deallocate()
        }
        // Every spare thread has exited: each holds the registry.
        for index in workerCount..<workerCount + supervisor.spareSlots.load(ordering: .acquiring) {
            deallocateCacheAligned(workers[index])
        }
        workers.deallocate()
        deallocateCacheAligned(searchBudget)
    }

    /// Whether `worker` belongs to this pool.
    @inlinable
    func owns(_ worker: UnsafeMutablePointer<Worker>) -> Bool {
        worker.pointee.registry.toOpaque() == Unmanaged.passUnretained(self).toOpaque()
    }

    // MARK: - The worker loop

    func workerMain(_ index: Int) {
        defer {
            let last: Bool = lifecycle.withLock {
                exitedWorkers += 1
                lifecycleChanged.broadcast()
                return exitedWorkers == threads.count && isShutDown.load(ordering: .relaxed)
            }
            // The watchdog and the spares outlive the workers only to help
            // with what stuck workers left queued.
            if last { stopSupervision() }
        }
        defer { system.leaveStackGuard() }
        guard startWorker(index) else { return }
        let worker = workers[index]
        ctasklets_set_current_worker(UnsafeMutableRawPointer(worker))
        defer { ctasklets_set_current_worker(nil) }
        while true {
            if let job = nextLocalJob(worker) ?? search(worker) {
                stopSearching(worker)
                worker.pointee.enter(.running)
                run(job, on: worker)
                continue
            }
            switch sleep.sleep(worker, hasVisibleWork: hasVisibleWork) {
            case .exit: return
            case .search: continue
            case .run(let job, let sawWork):
                // Handed a job while its re-check saw other work: it stood
                // for a searcher that would have taken that work, so it
                // wakes one or tells the watchdog, as a submitter would
                // (the fence: the work was published by another thread).
                if sawWork { announceQueuedJob(publishedSequentiallyConsistent: false) }
                worker.pointee.enter(.running)
                run(job, on: worker)
            }
        }
    }

    /// Runs a job taken from a queue, here or inside a wait. A job starts on
    /// no actor's strand (a job run inside a wait that an actor's message is
    /// in is not that actor's), and ends leaving no error stamp behind.
    @inline(__always)
    func run(_ job: JobRef, on worker: UnsafeMutablePointer<Worker>) {
        worker.pointee.counters.tasklets.bumpOwned()
        let strand = ctasklets_current_strand()
        ctasklets_set_current_strand(nil)
        if job.isSwiftJob {
            runSwiftJob(job.swiftJob, on: worker)
        } else {
            job.executeJob()
        }
        ctasklets_set_current_strand(strand)
        ErrorStamp.discard()
    }

    /// Steps 1-3 of the policy (docs/async.md, "The order a worker takes
    /// work in").
    func nextLocalJob(_ worker: UnsafeMutablePointer<Worker>) -> JobRef? {
        let home = worker.pointee.injector
        worker.pointee.localTicks &+= 1
        if worker.pointee.localTicks % 61 == 0, let job = popInjector(home) {
            return job
        }
        // looksEmpty first: a worker running Swift tasks usually has no
        // fork-join work, and `take` pays a fence to find that out.
        let forked = worker.pointee.deque.looksEmpty ? nil : worker.pointee.deque.take()
        return forked ?? nextTaskJob(worker) ?? popInjector(home)
    }

    /// Calls `body` with injector `index`, with no reference counting.
    @inline(__always)
    func withInjector<R>(_ index: Int, _ body: (Injector) -> R) -> R {
        injectorHandles[index]._withUnsafeGuaranteedRef(body)
    }

    /// The next job of injector `index` (`Injector.pop`).
    @inline(__always)
    func popInjector(_ index: Int) -> JobRef? {
        withInjector(index) { $0.pop() }
    }

    /// Whether any injector holds a job (seq_cst loads: part of the sleep
    /// protocol's re-check).
    func injectorsHoldWork() -> Bool {
        anyInjector { !$0.isEmptyForSleepCheck }
    }

    /// Whether any injector seems to hold a job (relaxed loads: a hint).
    func injectorsMayHoldWork() -> Bool {
        anyInjector { $0.mayHoldWork }
    }

    @inline(__always)
    private func anyInjector(_ predicate: (Injector) -> Bool) -> Bool {
        for index in injectorHandles.indices where withInjector(index, predicate) {
            return true
        }
        return false
    }

    /// The sleep protocol's re-check: is any job queued anywhere?
    func hasVisibleWork() -> Bool {
        if injectorsHoldWork() { return true }
        // Spares too: a spare's queues hold what it pushed itself.
        for index in 0..<workerCount + supervisor.spareSlots.load(ordering: .acquiring) {
            let worker = workers[index]
            if worker.pointee.deque.count > 0 || worker.pointee.tasks.count > 0 { return true }
            // sequentiallyConsistent: a load of the re-check (see `count`).
            if worker.pointee.next.load(ordering: .sequentiallyConsistent) != 0 { return true }
        }
        return false
    }

    // MARK: - Outside submissions

    /// Runs `body` on a worker of this pool and waits for it, from a thread
    /// outside the pool. `body` lives on this stack (it is an argument of
    /// this call), so the job record can too. A plain thread blocks; a worker
    /// of another pool keeps running its own pool's work meanwhile. Returns
    /// false, without running `body`, after shutdown.
    @usableFromInline
    func submitAndWait(_ body: () -> Void) -> Bool {
        LentClosure.lend(body) { lentBody in
            var job = StackJob(body: lentBody, context: Ambient.node)
            return withUnsafeMutablePointer(to: &job) { record in
                let worker = Worker.current
                if worker == nil {
                    // relaxed: the submission publishes it.
                    record.pointee.latch.state.store(Latch.watched, ordering: .relaxed)
                }
                guard submitExternal(JobRef(record)) else { return false }
                if let worker {
                    worker.pointee.registry.takeUnretainedValue().wait(
                        for: record.pointee.latch,
                        helping: .anyWork(floor: worker.pointee.deque.bottomIndex), on: worker)
                } else {
                    waitWatching(record.pointee.latch)
                }
                return true
            }
        }
    }

    /// Takes a job from a thread outside the pool: hands it to a sleeping
    /// worker if nobody searches (`Sleep.handOff`), else queues it in the
    /// injector of the caller's node; false after shutdown.
    func submitExternal(_ job: JobRef, _ jobClass: JobClass = .normal) -> Bool {
        // A closure literal, not the method `injectorsMayHoldWork` itself: a
        // method reference is a closure that retains the registry, and every
        // submitter would then bounce the registry's reference count between
        // cores (two contended atomics per submission; docs/benchmarks.md).
        if sleep.handOff(job, unless: { injectorsMayHoldWork() }) { return true }
        let index = injectorHandles.count == 1 ? 0 : layout.injector(forCPU: system.currentCPU())
        guard withInjector(index, { $0.push(job, jobClass) }) else { return false }
        // The injector stores its count seq_cst.
        announceQueuedJob(publishedSequentiallyConsistent: true)
        return true
    }

    /// After a job was queued in an injector or a task queue: the sleep
    /// protocol's check (`Sleep.notifySubmission`), and, when every worker
    /// is busy (or the sleeper it meant to wake was handed a job and nobody
    /// searches), a word to a dozing watchdog, since the job may be held back.
    func announceQueuedJob(publishedSequentiallyConsistent: Bool) {
        if sleep.notifySubmission(publishedSequentiallyConsistent: publishedSequentiallyConsistent) {
            supervisor.noteEveryWorkerBusy(system: system)
        }
    }
}
