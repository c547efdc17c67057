import CTaskletsShims
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

// Supervision policy (docs/starvation.md has the bound and its proof).
//
// Swift cannot preempt a closure, so a tasklet that runs long (or blocks
// its thread) holds back whatever is queued where only its worker looks:
// its task queues and next slot, its deque once it stops forking and
// joining, and, when every worker is held up, the injectors. One watchdog
// thread per pool (Go's sysmon) looks every fifth of the threshold while
// the pool runs, and dozes after a look that found every worker asleep, for
// 8 thresholds and then twice as long each time up to a second (a worker
// that wakes does not wake it: that would delay the job it woke for; a
// submission that finds every worker busy does):
//
//   * Progress is what the workers publish anyway: the job counter their
//     loop bumps per job, and their deque's bottom, which moves with every
//     fork and join. A thread whose counter has not moved for the threshold
//     runs a *long tasklet* (reported once, `onLongTasklet`); one inside
//     `blocking { }` is held up at once. Nothing is added to the fast path
//     but a relaxed store when the loop goes from searching to running.
//   * A held-up thread *holds work back* if its task queues or next slot
//     hold jobs, or its deque does and has not moved for 8 thresholds (a
//     fork-join computation that still forks and joins runs its own deque;
//     one stopped by time slicing would only compete with a spare).
//     Injected work is held back when every thread is held up.
//   * For each thread holding work back, in this order: if a regular
//     worker sleeps and nobody searches, wake it (it steals the work); if
//     one searches, leave it to the searcher; else send an idle spare; else
//     start a spare, if fewer than `maxSpareWorkers` plus the threads now in
//     blocking sections run. A thread gets one spare at a time: a second
//     only once the first is itself held up.
//   * A spare is a worker without a CPU of its own: it serves the queues of
//     the thread it was sent for first, then steals like its home worker,
//     and leaves after `spareIdleTimeout` without work.
extension Registry {
    // MARK: - The thread

    /// Starts the watchdog, if supervision is on.
    func startWatchdog() throws(TaskletPoolError) {
        guard supervisor.isEnabled else { return }
        supervisor.lock.withLock { supervisor.liveThreads += 1 }
        var handle = pthread_t()
        let result = startDetachedThread(keeping: &handle) { registry in registry.watchdogMain() }
        if result != 0 {
            supervisor.lock.withLock { supervisor.liveThreads -= 1 }
            throw .threadCreationFailed(SystemError(errno: result, call: "pthread_create (watchdog)"))
        }
        supervisor.lock.withLock { supervisor.watchdogHandle = handle }
    }

    /// Joins the watchdog thread (a shutdown that waits), or detaches it;
    /// whichever shutdown comes first decides, once.
    func releaseWatchdog(join: Bool) {
        let handle: pthread_t? = supervisor.lock.withLock {
            defer { supervisor.watchdogHandle = nil }
            return supervisor.watchdogHandle
        }
        guard let handle else { return }
        if join { pthread_join(handle, nil) } else { pthread_detach(handle) }
    }

    /// Starts a thread that runs `body` with this registry, which it keeps
    /// alive; returns 0 or the errno of `pthread_create`. A thread that runs
    /// jobs (`asWorker`) gets the workers' stack and guard. Detached, unless
    /// the caller keeps its handle (to join it).
    func startDetachedThread(
        asWorker: Bool = false, keeping handle: UnsafeMutablePointer<pthread_t>? = nil,
        _ body: @escaping @Sendable (Registry) -> Void
    ) -> Int32 {
        final class Start: @unchecked Sendable {
            let registry: Registry
            let body: @Sendable (Registry) -> Void
            init(registry: Registry, body: @escaping @Sendable (Registry) -> Void) {
                self.registry = registry
                self.body = body
            }
        }
        let start = Unmanaged.passRetained(Start(registry: self, body: body)).toOpaque()
        var thread = pthread_t()
        var attributes = asWorker ? workerThreadAttributes() : pthread_attr_t()
        if !asWorker { pthread_attr_init(&attributes) }
        defer { pthread_attr_destroy(&attributes) }
        let result = pthread_create(&thread, &attributes, { raw in
            let start = Unmanaged<Start>.fromOpaque(raw.unsafelyUnwrapped).takeRetainedValue()
            start.body(start.registry)
            return nil
        }, start)
        guard result == 0 else {
            Unmanaged<Start>.fromOpaque(start).release()
            return result
        }
        if let handle { handle.pointee = thread } else { pthread_detach(thread) }
        return 0
    }

    private func watchdogMain() {
        supervisor.lock.withLock { supervisor.watchdogThread = pthread_self() }
        defer {
            supervisor.lock.withLock {
                supervisor.watchdogThread = nil
                supervisor.liveThreads -= 1
                supervisor.changed.broadcast()
            }
        }
        let period = Int64(supervisor.settings.periodNanoseconds)
        let firstDoze = Int64(supervisor.settings.firstDozeNanoseconds)
        let longestDoze = Int64(supervisor.settings.longestDozeNanoseconds)
        var doze = firstDoze
        // acquiring: pairs with the kickers' releasing add, so the phase a
        // blocking section published is seen by the look that follows.
        var seen = supervisor.kick.load(ordering: .acquiring)
        while true {
            let finished = supervisor.lock.withLock {
                supervisor.draining && supervisor.liveSpares.load(ordering: .relaxed) == 0
            }
            if finished { return }
            // sequentiallyConsistent: the watchdog's half of the handshake
            // in `Supervisor.noteEveryWorkerBusy`.
            supervisor.watchdogDozing.store(true, ordering: .sequentiallyConsistent)
            let dozing = poolLooksIdle
            if !dozing { supervisor.watchdogDozing.store(false, ordering: .relaxed) }
            _ = system.futexWait(futexAddress(of: supervisor.kick), seen, dozing ? doze : period)
            doze = dozing ? min(doze &* 2, longestDoze) : firstDoze
            supervisor.watchdogDozing.store(false, ordering: .relaxed)
            // Read before the look: a kick during the look ends the next
            // wait at once.
            seen = supervisor.kick.load(ordering: .acquiring)
            superviseOnce(now: ctasklets_now_ns())
        }
    }

    /// Every regular worker asleep, no spare alive, nobody blocking.
    private var poolLooksIdle: Bool {
        // sequentiallyConsistent: the watchdog's side of the handshake.
        Sleep.sleeping(sleep.counts.pointee.load(ordering: .sequentiallyConsistent)) == UInt64(workerCount)
            && supervisor.liveSpares.load(ordering: .relaxed) == 0
            && supervisor.blockingNow.load(ordering: .relaxed) == 0
    }

    /// After the last regular worker has exited at shutdown: idle spares
    /// leave at once if nothing is left (busy ones once they find nothing),
    /// and the watchdog follows the last spare.
    func stopSupervision() {
        let idle: [Int] = supervisor.lock.withLock {
            supervisor.draining = true
            supervisor.changed.broadcast()
            defer { supervisor.idleSpares.removeAll() }
            return supervisor.idleSpares
        }
        for index in idle { unparkSpare(index) }
        supervisor.kickWatchdog(system: system)
    }

    // MARK: - One look

    /// One look at every thread: notes progress, reports long tasklets, and
    /// sends help where work is held back.
    func superviseOnce(now: UInt64) {
        guard let threshold = supervisor.settings.thresholdNanoseconds else { return }
        // A deque is its own computation's: it is handed on only once it has
        // stood still for 8 thresholds (80 ms by default), since time slicing
        // (an oversubscribed machine, a VM's stolen time) routinely stops a
        // thread for tens of milliseconds, and a spare then only competes
        // with it. Jobs others queued wait the threshold alone.
        let stillDeque = threshold &* 8
        var longOnes: [TaskletPool.LongTasklet] = []
        var holding: [Int] = []
        var heldUpIdle: [Int] = []
        var everyoneHeldUp = true
        supervisor.lock.withLock {
            // acquiring: the slots' states are initialized (see stealFromSpares).
            let threads = workerCount + supervisor.spareSlots.load(ordering: .acquiring)
            // First every thread's state, then who needs help: a thread's
            // spare counts only while it is not held up itself.
            for index in 0..<threads {
                let worker = workers[index]
                let phase = WorkerPhase(rawValue: worker.pointee.phase.load(ordering: .relaxed)) ?? .running
                // relaxed: progress hints; no data is read through them.
                let jobs = worker.pointee.counters.tasklets.load(ordering: .relaxed)
                // The bottom comes back to old values as a computation forks
                // and joins; the top moves on when its deque empties.
                let bottom = worker.pointee.deque.bottomIndex
                let top = worker.pointee.deque.topIndex
                var watch = supervisor.watches[index]
                defer { supervisor.watches[index] = watch }
                watch.heldUp = false
                watch.holdsQueuedWork = false
                let busy = phase == .running || phase == .blocking
                if jobs != watch.jobs || !busy {
                    watch = Supervisor.Watch(
                        jobs: jobs, bottom: bottom, top: top, jobSince: now, dequeSince: now, reported: false,
                        spare: busy ? watch.spare : -1)
                }
                if bottom != watch.bottom || top != watch.top {
                    watch.bottom = bottom
                    watch.top = top
                    watch.dequeSince = now
                }
                guard busy else {
                    // An idle spare takes nothing unless sent: it does not
                    // stand in for a worker that would take injected work.
                    if phase != .retired && index < workerCount { everyoneHeldUp = false }
                    continue
                }
                let isLong = now &- watch.jobSince >= threshold
                guard isLong || phase == .blocking else {
                    everyoneHeldUp = false
                    continue
                }
                watch.heldUp = true
                let forked = worker.pointee.deque.count > 0
                if forked && phase == .running && now &- watch.dequeSince >= stillDeque
                    && dequeMoves(of: worker, from: bottom)
                {
                    watch.dequeSince = now
                }
                watch.holdsQueuedWork = !worker.pointee.tasks.looksEmpty || worker.pointee.next.load(ordering: .relaxed) != 0
                    || (forked && (phase == .blocking || now &- watch.dequeSince >= stillDeque))
                if isLong && !watch.reported {
                    watch.reported = true
                    supervisor.statistics.longTasklets += 1
                    if supervisor.settings.onLongTasklet != nil || diagnosticHandler != nil {
                        longOnes.append(longTasklet(index, runningFor: now &- watch.jobSince, heldWorkBack: watch.holdsQueuedWork))
                    }
                }
            }
            // A spare whose thread is no longer held up stops serving it:
            // it runs what it queued itself, then parks, ready to be sent.
            for index in workerCount..<threads {
                let target = workers[index].pointee.compensating.load(ordering: .relaxed)
                if target >= 0 && target < threads && !supervisor.watches[target].heldUp {
                    workers[index].pointee.compensating.store(-1, ordering: .relaxed)
                }
            }
            for index in 0..<threads where supervisor.watches[index].heldUp {
                let spare = supervisor.watches[index].spare
                if spare >= 0, !supervisor.watches[spare].heldUp,
                    workers[spare].pointee.compensating.load(ordering: .relaxed) == index
                {
                    continue  // its spare is on it
                }
                if supervisor.watches[index].holdsQueuedWork { holding.append(index) } else { heldUpIdle.append(index) }
            }
        }
        if everyoneHeldUp && injectorsHoldWork() {
            holding += heldUpIdle
        }
        sendHelp(to: holding)
        if let handler = supervisor.settings.onLongTasklet {
            for report in longOnes { handler(report) }
        }
        for report in longOnes { noteEvent(.longTasklet, report.description, worker: report.worker, longTasklet: report) }
    }

    /// Whether `worker`'s deque bottom leaves `bottom` within 20 µs. The
    /// bottom of a computation that forks and joins comes back to the same
    /// values, so equal samples a period apart do not prove it stood still;
    /// a fork or join every few hundred nanoseconds shows up at once here.
    /// Only asked about a long tasklet's nonempty deque that looked still
    /// for the whole threshold.
    private func dequeMoves(of worker: UnsafeMutablePointer<Worker>, from bottom: Int) -> Bool {
        let start = ctasklets_now_ns()
        repeat {
            if worker.pointee.deque.bottomIndex != bottom { return true }
            for _ in 0..<16 { ctasklets_cpu_relax() }
        } while ctasklets_now_ns() &- start < 20_000
        return false
    }

    private func longTasklet(_ index: Int, runningFor: UInt64, heldWorkBack: Bool) -> TaskletPool.LongTasklet {
        TaskletPool.LongTasklet(
            worker: index, isSpare: index >= workerCount, runningFor: .nanoseconds(Int64(runningFor)),
            name: Worker.runningTaskletName(of: workers[index]), heldWorkBack: heldWorkBack)
    }

    /// Wakes a worker, sends an idle spare or starts one for each thread.
    private func sendHelp(to threads: [Int]) {
        guard !threads.isEmpty else { return }
        let counts = sleep.counts.pointee.load(ordering: .sequentiallyConsistent)
        if Sleep.searching(counts) > 0 { return }  // a searcher will find it
        // It steals, and wakes more if more work shows. If the sleeper was
        // handed a job meanwhile and nobody searches, spares, as if none slept.
        if Sleep.sleeping(counts) > 0 && sleep.wakeOneOrSeeASearcher() { return }
        for index in threads {
            guard let spare = idleSpare(for: index) ?? startSpare(for: index) else { return }
            supervisor.lock.withLock { supervisor.watches[index].spare = spare }
        }
    }

    // MARK: - Spares

    /// An idle spare, now sent to serve `target`'s queues; nil if none.
    private func idleSpare(for target: Int) -> Int? {
        let spare: Int? = supervisor.lock.withLock {
            return supervisor.idleSpares.popLast()
        }
        guard let spare else { return nil }
        workers[spare].pointee.compensating.store(target, ordering: .relaxed)
        unparkSpare(spare)
        return spare
    }

    /// Starts a spare for `target`, in a free slot or a new one, if the caps
    /// allow; nil otherwise.
    private func startSpare(for target: Int) -> Int? {
        let settings = supervisor.settings
        let slot: Int? = supervisor.lock.withLock {
            guard supervisor.liveSpares.load(ordering: .relaxed)
                    < settings.maxSpareWorkers + supervisor.blockingNow.load(ordering: .relaxed)
            else { return nil }
            if let slot = supervisor.freeSlots.popLast() { return slot }
            let made = supervisor.spareSlots.load(ordering: .relaxed)
            guard made < settings.spareCapacity else { return nil }
            let slot = workerCount + made
            let home = supervisor.home(of: target)
            supervisor.spareHomes[made] = home  // published by the store below
            workers[slot] = allocateCacheAlignedStorage(for: Worker.self)
            workers[slot].initialize(to: Worker(
                index: slot, home: home, injector: layout.injectorOfWorker[home],
                registry: Unmanaged.passUnretained(self), sleepCounts: sleep.counts,
                ringMemory: RingMemory(memory: memory, node: layout.placements[home].node)))
            workers[slot].pointee.phase.store(WorkerPhase.retired.rawValue, ordering: .relaxed)
            // releasing: thieves that acquire the count see the state.
            supervisor.spareSlots.store(made + 1, ordering: .releasing)
            return slot
        }
        guard let slot else { return nil }
        workers[slot].pointee.compensating.store(target, ordering: .relaxed)
        workers[slot].pointee.phase.store(WorkerPhase.searching.rawValue, ordering: .relaxed)
        supervisor.lock.withLock {
            supervisor.liveThreads += 1
            let live = supervisor.liveSpares.add(1, ordering: .relaxed).newValue
            supervisor.statistics.sparesStarted += 1
            supervisor.statistics.peakSpares = max(supervisor.statistics.peakSpares, live)
        }
        let result = startDetachedThread(asWorker: true) { registry in registry.spareMain(slot) }
        if result != 0 {
            workers[slot].pointee.phase.store(WorkerPhase.retired.rawValue, ordering: .relaxed)
            supervisor.lock.withLock {
                supervisor.liveThreads -= 1
                supervisor.liveSpares.subtract(1, ordering: .relaxed)
                supervisor.statistics.sparesStarted -= 1
                supervisor.freeSlots.append(slot)
            }
            report("could not start a spare worker (\(SystemError(errno: result, call: "pthread_create"))): work stays queued behind long tasklets", kind: .spareStartFailed, worker: target)
            return nil
        }
        noteEvent(.spareStarted, "started spare worker \(slot) for work held back behind worker \(target)", worker: slot)
        return slot
    }

    /// Wakes a parked spare (it was taken off `idleSpares` under the lock).
    func unparkSpare(_ index: Int) {
        // releasing: the spare acquires the word and sees its assignment.
        workers[index].pointee.parkWord.store(1, ordering: .releasing)
        system.futexWake(futexAddress(of: workers[index].pointee.parkWord), 1)
    }
}
