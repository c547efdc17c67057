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
// default. Each worker owns a Chase-Lev deque (WorkStealingDeque). Work comes
// in two ways:
//
//   * A worker pushes onto its own deque: the second half of a `join`, a
//     scope's tasklet, a `spawn` from inside the pool. It pushes and takes
//     at the bottom (LIFO), so a `join` usually takes its own half back and
//     runs it inline, with no allocation and no synchronization beyond the
//     deque's one fence.
//   * A thread outside the pool submits to the injector of the NUMA node it
//     runs on (one locked FIFO per node that has workers).
//
// A worker looks for its next job in this order (`nextLocalJob`, `search`):
//
//   1. Every 61st local job, its node's injector first, so outside work is
//      never starved by a worker that keeps finding local work (Go's
//      schedule()).
//   2. Its own deque, newest first.
//   3. Its node's injector, then the other nodes' injectors.
//   4. The others' deques, oldest first, in the order its `VictimOrder`
//      gives: its cache group, its node, then other nodes by distance, with
//      a random start inside each tier. From another node it steals a batch
//      (up to half the victim's jobs), from its own node one job.
//
// Each worker pins itself to its CPU (if the placement pins) from its own
// thread, and only then builds its deque, so that the deque's memory is on
// its node (docs/numa.md).
//
// A worker that finds nothing becomes a *searcher* if fewer than half the
// workers already search, and tries steps 3-4 for a few rounds with growing
// pauses. If that fails it goes to sleep on a futex, after announcing itself
// and re-checking every queue (`Sleep`, docs/sleep-protocol.md), so no job is
// ever left queued while every worker sleeps, and an idle pool uses no CPU.
// A searcher that finds work and was the last searcher wakes one sleeper; a
// push wakes a sleeper only when nobody searches. Wakeups thus cascade while
// there is work and stop when there is none (the Go and Tokio policy).
//
// A worker whose `join` half was stolen does not go back to the general
// loop: it helps only with the thief's work that descends from the stolen
// half (leapfrogging), then sleeps on the join's latch in growing slices.
// It can neither deadlock on an unrelated job that needs a lock it holds
// (rayon-rs/rayon#592) nor bury its caller under an unrelated long job
// (rayon-rs/rayon#957); the price is some idle time when the thief has
// nothing left to share. docs/join.md has the rule and its trade-off.
//
// Shutdown closes the injector, wakes every sleeper and lets each worker
// drain what is visible before it exits, so no queued job is lost.

/// The shared state of one pool: workers, queues, the sleep protocol.
@usableFromInline
final class Registry: @unchecked Sendable {
    let workerCount: Int
    /// `workerCount` pointers to worker states, fixed for the pool's life.
    /// Each worker's own thread initializes its state (see `startThreads`).
    @usableFromInline let workers: UnsafeMutablePointer<UnsafeMutablePointer<Worker>>
    /// One injector per node that has workers (`layout.injectorNodes`).
    let injectors: [Injector]
    @usableFromInline let sleep: Sleep
    @usableFromInline let system: SystemCalls
    let layout: PoolLayout
    let memory: NodeLocalMemory
    let errorHandler: @Sendable (any Error) -> Void

    private let lifecycle = PthreadLock()
    private let lifecycleChanged: PthreadCondition
    /// Worker threads that have left `workerMain` (guarded by `lifecycle`).
    private var exitedWorkers = 0
    private var threads: [pthread_t] = []
    private var threadsReleased = false
    /// Workers that have initialized their state; they start work when all
    /// have (or leave at once if starting failed).
    private var startedWorkers = 0
    private var initialized: [Bool]
    private var startFailed = false
    private var reported = Set<String>()
    let isShutDown = Atomic<Bool>(false)

    /// Rounds of stealing a searcher tries before it goes to sleep.
    static let searchRounds = 16

    init(
        layout: PoolLayout, system: SystemCalls,
        errorHandler: @escaping @Sendable (any Error) -> Void
    ) {
        workerCount = layout.workerCount
        self.layout = layout
        self.system = system
        self.errorHandler = errorHandler
        injectors = layout.injectorNodes.map { _ in Injector() }
        lifecycleChanged = PthreadCondition(lock: lifecycle)
        initialized = Array(repeating: false, count: layout.workerCount)
        workers = .allocate(capacity: layout.workerCount)
        for index in 0..<layout.workerCount {
            workers[index] = allocateCacheAlignedStorage(for: Worker.self)
        }
        sleep = Sleep(workerCount: layout.workerCount, workers: workers, system: system)
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
        workers.deallocate()
    }

    /// Reports a problem once per distinct message, on standard error and in
    /// `reports` (pinning refused, node-local memory unavailable...).
    func report(_ message: String) {
        let isNew = lifecycle.withLock { reported.insert(message).inserted }
        if isNew { writeToStandardError("swift-tasklets: \(message)\n") }
    }

    /// Every distinct message passed to `report`.
    var reports: [String] {
        lifecycle.withLock { reported.sorted() }
    }

    /// Whether `worker` belongs to this pool.
    @inlinable
    func owns(_ worker: UnsafeMutablePointer<Worker>) -> Bool {
        worker.pointee.registry.toOpaque() == Unmanaged.passUnretained(self).toOpaque()
    }

    // MARK: - Threads

    final class ThreadStart {
        let registry: Registry
        let index: Int
        init(registry: Registry, index: Int) {
            self.registry = registry
            self.index = index
        }
    }

    /// Starts the worker threads and waits until each has pinned itself and
    /// built its state; on failure, stops the ones already started.
    func startThreads() throws(TaskletPoolError) {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        // Deep recursion (a 1,200-level tree, fib with no cutoff) needs room.
        pthread_attr_setstacksize(&attributes, 16 << 20)
        for index in 0..<workerCount {
            let start = Unmanaged.passRetained(ThreadStart(registry: self, index: index))
            var thread = pthread_t()
            let result = pthread_create(&thread, &attributes, { raw in
                let start = Unmanaged<ThreadStart>.fromOpaque(raw!).takeRetainedValue()
                start.registry.workerMain(start.index)
                return nil
            }, start.toOpaque())
            if result != 0 {
                start.release()
                lifecycle.withLock {
                    startFailed = true
                    lifecycleChanged.broadcast()
                }
                shutdown(waitForThreads: true)
                throw .threadCreationFailed(SystemError(errno: result, call: "pthread_create"))
            }
            lifecycle.withLock { threads.append(thread) }
        }
        lifecycle.withLock {
            while startedWorkers < workerCount { lifecycleChanged.wait() }
        }
    }

    /// On the worker's own thread: pins it if its placement says so, builds
    /// its state (so its deque lands on its node), then waits for the others.
    /// Returns false if the pool failed to start.
    private func startWorker(_ index: Int) -> Bool {
        let placement = layout.placements[index]
        if let cpu = placement.cpu {
            let error = system.pinCurrentThread(cpu)
            if error != 0 {
                report("could not pin worker \(index) to CPU \(cpu) (\(SystemError(errno: error, call: "pthread_setaffinity_np"))): running unpinned")
            }
        }
        if let reason = memory.unavailableReason {
            report("node-local memory unavailable: \(reason)")
        }
        workers[index].initialize(to: Worker(
            index: index, injector: layout.injectorOfWorker[index],
            registry: Unmanaged.passUnretained(self), sleepCounts: sleep.counts,
            ringMemory: RingMemory(memory: memory, node: placement.node)))
        return lifecycle.withLock {
            initialized[index] = true
            startedWorkers += 1
            lifecycleChanged.broadcast()
            while startedWorkers < workerCount && !startFailed { lifecycleChanged.wait() }
            return !startFailed
        }
    }

    /// Stops accepting outside work, lets the workers drain every queue and
    /// exit, and (unless called from one of them) waits until they have.
    /// Idempotent, and safe to call from several threads at once: the first
    /// caller takes the threads (joins them, or detaches them when it is a
    /// worker itself); every waiting caller returns only once every worker
    /// has exited.
    func shutdown(waitForThreads: Bool) {
        isShutDown.store(true, ordering: .sequentiallyConsistent)
        for injector in injectors { injector.close() }
        sleep.beginShutdown()
        let claimed: [pthread_t] = lifecycle.withLock {
            guard !threadsReleased else { return [] }
            threadsReleased = true
            return threads
        }
        // Outside `lifecycle`: an exiting worker needs it (see workerMain).
        for thread in claimed {
            if waitForThreads {
                pthread_join(thread, nil)
            } else {
                pthread_detach(thread)
            }
        }
        guard waitForThreads else { return }
        lifecycle.withLock {
            while exitedWorkers < threads.count { lifecycleChanged.wait() }
        }
    }

    // MARK: - The worker loop

    func workerMain(_ index: Int) {
        defer {
            lifecycle.withLock {
                exitedWorkers += 1
                lifecycleChanged.broadcast()
            }
        }
        guard startWorker(index) else { return }
        let worker = workers[index]
        ctasklets_set_current_worker(UnsafeMutableRawPointer(worker))
        defer { ctasklets_set_current_worker(nil) }
        while true {
            if let job = nextLocalJob(worker) ?? search(worker) {
                stopSearching(worker)
                run(job, on: worker)
                continue
            }
            if !sleep.sleep(worker, hasVisibleWork: hasVisibleWork) { return }
        }
    }

    @inline(__always)
    func run(_ job: JobRef, on worker: UnsafeMutablePointer<Worker>) {
        worker.pointee.counters.tasklets.bumpOwned()
        job.executeJob()
    }

    /// Steps 1-3 of the policy.
    func nextLocalJob(_ worker: UnsafeMutablePointer<Worker>) -> JobRef? {
        let home = injectors[worker.pointee.injector]
        worker.pointee.localTicks &+= 1
        if worker.pointee.localTicks % 61 == 0, let job = home.pop() {
            return job
        }
        return worker.pointee.deque.take() ?? home.pop()
    }

    /// Step 4, as a searcher, for a bounded number of rounds.
    func search(_ worker: UnsafeMutablePointer<Worker>) -> JobRef? {
        if !worker.pointee.isSearching {
            worker.pointee.isSearching = sleep.tryBeginSearching()
        }
        guard worker.pointee.isSearching else { return nil }
        for round in 0..<Registry.searchRounds {
            if let job = popAnyInjector(worker) ?? stealOnce(worker) {
                return job
            }
            for _ in 0..<(1 << min(round, 6)) { ctasklets_cpu_relax() }
        }
        return nil  // still searching: `Sleep.sleep` gives the slot back
    }

    /// A searcher that found work gives its searching slot back, and wakes
    /// a sleeper if it was the last searcher (see `Sleep.endSearching`).
    func stopSearching(_ worker: UnsafeMutablePointer<Worker>) {
        guard worker.pointee.isSearching else { return }
        worker.pointee.isSearching = false
        sleep.endSearching()
    }

    /// Its node's injector, then the others.
    func popAnyInjector(_ worker: UnsafeMutablePointer<Worker>) -> JobRef? {
        let home = worker.pointee.injector
        if let job = injectors[home].pop() { return job }
        for index in injectors.indices where index != home {
            if let job = injectors[index].pop() { return job }
        }
        return nil
    }

    /// One pass over the victims, nearest tier first: `roundsPerTier` rounds
    /// over a tier, each from a random start, before moving out.
    func stealOnce(_ worker: UnsafeMutablePointer<Worker>) -> JobRef? {
        let thief = worker.pointee.index
        for tier in layout.victimOrders[thief].tiers where !tier.isEmpty {
            for _ in 0..<layout.roundsPerTier {
                let start = worker.pointee.nextRandom(below: tier.count)
                for offset in 0..<tier.count {
                    let victimIndex = tier[(start + offset) % tier.count]
                    let victim = workers[victimIndex]
                    var attempts = 0
                    while attempts < 4 {
                        switch victim.pointee.deque.steal() {
                        case .success(let job):
                            let relation = layout.relation[thief][victimIndex]
                            worker.pointee.counters.recordSteal(relation)
                            if relation == .otherNode { stealBatch(from: victim, into: worker) }
                            return job
                        case .empty:
                            attempts = .max
                        case .retry:
                            attempts += 1
                        }
                    }
                    worker.pointee.counters.failedSteals.bumpOwned()
                }
            }
        }
        return nil
    }

    /// After stealing one job from another node, takes up to half of what
    /// is left there in the same trip, so that the next jobs come from the
    /// local deque instead of crossing the interconnect again.
    func stealBatch(from victim: UnsafeMutablePointer<Worker>, into worker: UnsafeMutablePointer<Worker>) {
        var remaining = victim.pointee.deque.count / 2
        while remaining > 0, case .success(let job) = victim.pointee.deque.steal() {
            worker.pointee.deque.push(job)
            // One trip to the other node, already counted as one steal.
            worker.pointee.counters.batchedJobs.bumpOwned()
            remaining -= 1
        }
    }

    /// The sleep protocol's re-check: is any job queued anywhere?
    func hasVisibleWork() -> Bool {
        for injector in injectors where !injector.isEmptyForSleepCheck { return true }
        for index in 0..<workerCount where workers[index].pointee.deque.count > 0 {
            return true
        }
        return false
    }

    // MARK: - Outside submissions

    /// Runs `body` on a worker of this pool and waits for it, from a thread
    /// outside the pool. `body` lives on this stack (it is an argument of
    /// this call), so the job record can too. A plain thread blocks; a worker
    /// of another pool keeps running its own pool's work meanwhile. Returns
    /// false, without running `body`, after shutdown.
    func submitAndWait(_ body: () -> Void) -> Bool {
        LentClosure.lend(body) { lentBody in
            var job = StackJob(body: lentBody)
            return withUnsafeMutablePointer(to: &job) { record in
                guard submitExternal(JobRef(record)) else { return false }
                if let worker = Worker.current {
                    worker.pointee.registry.takeUnretainedValue().wait(
                        for: record.pointee.latch,
                        helping: .anyWork(floor: worker.pointee.deque.bottomIndex), on: worker)
                } else {
                    record.pointee.latch.waitBlocking(system: system)
                }
                return true
            }
        }
    }

    /// Queues a job from a thread outside the pool; false after shutdown.
    func submitExternal(_ job: JobRef) -> Bool {
        let injector = injectors.count == 1 ? injectors[0] : injectors[layout.injector(forCPU: system.currentCPU())]
        guard injector.push(job) else { return false }
        sleep.notifyExternalSubmission()
        return true
    }
}
