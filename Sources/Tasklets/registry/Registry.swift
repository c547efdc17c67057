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
//   * A thread outside the pool submits to the injector, one locked FIFO.
//
// A worker looks for its next job in this order (`nextLocalJob`, `search`):
//
//   1. Every 61st local job, the injector first, so outside work is never
//      starved by a worker that keeps finding local work (Go's schedule()).
//   2. Its own deque, newest first.
//   3. The injector.
//   4. The others' deques, oldest first, in the order its `VictimOrder`
//      gives: tiers tried nearest first, random start inside a tier.
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
    @usableFromInline let workers: UnsafeMutablePointer<UnsafeMutablePointer<Worker>>
    let injector = Injector()
    @usableFromInline let sleep: Sleep
    @usableFromInline let system: SystemCalls
    let victimOrders: [VictimOrder]
    let errorHandler: @Sendable (any Error) -> Void

    private let lifecycle = PthreadLock()
    private var threads: [pthread_t] = []
    private var threadsReleased = false
    let isShutDown = Atomic<Bool>(false)

    /// Rounds of stealing a searcher tries before it goes to sleep.
    static let searchRounds = 16

    init(
        workerCount: Int, system: SystemCalls,
        errorHandler: @escaping @Sendable (any Error) -> Void
    ) {
        self.workerCount = workerCount
        self.system = system
        self.errorHandler = errorHandler
        victimOrders = (0..<workerCount).map { VictimOrder.uniform(worker: $0, workerCount: workerCount) }
        workers = .allocate(capacity: workerCount)
        sleep = Sleep(workerCount: workerCount, workers: workers, system: system)
        let unmanaged = Unmanaged.passUnretained(self)
        for index in 0..<workerCount {
            workers[index] = allocateCacheAligned(
                Worker(index: index, registry: unmanaged, sleepCounts: sleep.counts))
        }
    }

    deinit {
        for index in 0..<workerCount {
            deallocateCacheAligned(workers[index])
        }
        workers.deallocate()
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

    /// Starts the worker threads; on failure, stops the ones already started.
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
                shutdown(waitForThreads: true)
                throw .threadCreationFailed(SystemError(errno: result, call: "pthread_create"))
            }
            lifecycle.withLock { threads.append(thread) }
        }
    }

    /// Stops accepting outside work, lets the workers drain every queue and
    /// exit, and (unless called from one of them) waits for them. Idempotent.
    func shutdown(waitForThreads: Bool) {
        isShutDown.store(true, ordering: .sequentiallyConsistent)
        injector.close()
        sleep.beginShutdown()
        lifecycle.withLock {
            guard !threadsReleased else { return }
            threadsReleased = true
            for thread in threads {
                if waitForThreads {
                    pthread_join(thread, nil)
                } else {
                    pthread_detach(thread)
                }
            }
        }
    }

    // MARK: - The worker loop

    func workerMain(_ index: Int) {
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
        worker.pointee.localTicks &+= 1
        if worker.pointee.localTicks % 61 == 0, let job = injector.pop() {
            return job
        }
        return worker.pointee.deque.take() ?? injector.pop()
    }

    /// Step 4, as a searcher, for a bounded number of rounds.
    func search(_ worker: UnsafeMutablePointer<Worker>) -> JobRef? {
        if !worker.pointee.isSearching {
            worker.pointee.isSearching = sleep.tryBeginSearching()
        }
        guard worker.pointee.isSearching else { return nil }
        for round in 0..<Registry.searchRounds {
            if let job = injector.pop() ?? stealOnce(worker) {
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

    /// One pass over the victims, nearest tier first.
    func stealOnce(_ worker: UnsafeMutablePointer<Worker>) -> JobRef? {
        for tier in victimOrders[worker.pointee.index].tiers where !tier.isEmpty {
            let start = worker.pointee.nextRandom(below: tier.count)
            for offset in 0..<tier.count {
                let victim = workers[tier[(start + offset) % tier.count]]
                var attempts = 0
                while attempts < 4 {
                    switch victim.pointee.deque.steal() {
                    case .success(let job):
                        worker.pointee.counters.steals.bumpOwned()
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
        return nil
    }

    /// The sleep protocol's re-check: is any job queued anywhere?
    func hasVisibleWork() -> Bool {
        if !injector.isEmptyForSleepCheck { return true }
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
                    worker.pointee.registry.takeUnretainedValue()
                        .wait(for: record.pointee.latch, helping: .anyWork, on: worker)
                } else {
                    record.pointee.latch.waitBlocking(system: system)
                }
                return true
            }
        }
    }

    /// Queues a job from a thread outside the pool; false after shutdown.
    func submitExternal(_ job: JobRef) -> Bool {
        guard injector.push(job) else { return false }
        sleep.notifyExternalSubmission()
        return true
    }
}
