import CTaskletsShims
import Synchronization

/// Who is searching for work and who is asleep, and how to wake them.
///
/// The protocol, and the proof that it loses no wakeup, are written down in
/// `docs/sleep-protocol.md`; the model-checked mirror is
/// `Tests/ModelCheck/sleep.pml`. In short:
///
/// * `counts` packs two numbers: workers *searching* (low 32 bits) and
///   workers *sleeping* (high 32 bits). At most `maximumSearching` search at
///   once (Go's `nmspinning`, Tokio's searcher cap).
/// * A submitter wakes a sleeper only when nobody searches: a searcher will
///   find the job, or re-check before it sleeps.
/// * A searcher that finds work and was the last one wakes one more sleeper
///   if its re-check sees more work, so wakeups cascade while work lasts.
/// * A job from outside that finds nobody searching and someone asleep is
///   handed straight to a sleeper, which wakes and runs it first: no queue,
///   no search, no re-check on the way to the job.
/// * A worker goes to sleep in two steps: announce (one seq_cst RMW on
///   `counts`), then re-check every queue with seq_cst loads, and only then
///   park. A submitter from outside publishes with a seq_cst store (or a
///   weaker one and a seq_cst fence) and reads `counts` seq_cst: one of the
///   two always sees the other.
@usableFromInline
final class Sleep: @unchecked Sendable {
    /// searching | sleeping << 32, on its own cache line.
    @usableFromInline let counts: UnsafeMutablePointer<Atomic<UInt64>>
    let maximumSearching: UInt64
    let lock = PthreadLock()
    /// Indices of parked workers, most recent last (guarded by `lock`).
    private var sleepers: [Int] = []
    /// Set once, under `lock`, by `beginShutdown`.
    private var shuttingDown = false
    private let workers: UnsafeMutablePointer<UnsafeMutablePointer<Worker>>
    private let system: SystemCalls

    @usableFromInline static var searchingOne: UInt64 { 1 }
    @usableFromInline static var sleepingOne: UInt64 { 1 << 32 }

    init(
        workerCount: Int, workers: UnsafeMutablePointer<UnsafeMutablePointer<Worker>>,
        system: SystemCalls
    ) {
        counts = allocateCacheAligned(Atomic<UInt64>(0))
        maximumSearching = UInt64(max(1, workerCount / 2))
        sleepers.reserveCapacity(workerCount)
        self.workers = workers
        self.system = system
    }

    deinit {
        deallocateCacheAligned(counts)
    }

    @inlinable @inline(__always)
    static func searching(_ value: UInt64) -> UInt64 { value & 0xFFFF_FFFF }
    @inlinable @inline(__always)
    static func sleeping(_ value: UInt64) -> UInt64 { value >> 32 }

    /// Workers asleep or announced to sleep now (a snapshot, for reports).
    var sleepingCount: Int {
        Int(Self.sleeping(counts.pointee.load(ordering: .relaxed)))
    }

    // MARK: - Submitters

    /// After a worker pushed onto one of its own deques: wake a sleeper if
    /// nobody searches. relaxed: the pushing worker takes the job itself if
    /// nobody steals it (its innermost wait, or its loop, looks where the job
    /// landed), so a stale read costs parallelism, never the job
    /// (docs/sleep-protocol.md, "Local pushes"). This keeps the fork-join
    /// fast path free of fences.
    @inlinable @inline(__always)
    static func shouldWake(afterLocalPushSeeing counts: UnsafeMutablePointer<Atomic<UInt64>>) -> Bool {
        let value = counts.pointee.load(ordering: .relaxed)
        return searching(value) == 0 && sleeping(value) != 0
    }

    /// After a job nobody waits for was published: in an injector, whose
    /// count is stored seq_cst (`publishedSequentiallyConsistent`), or in a
    /// worker's task queues or next slot, which publish with weaker
    /// orderings. Returns true when it found every worker busy: none
    /// sleeps, none searches; or when the sleeper it meant to wake was gone
    /// and nobody searches (`wakeOneOrSeeASearcher`).
    @discardableResult
    func notifySubmission(publishedSequentiallyConsistent: Bool) -> Bool {
        // The publication must precede the read of `counts` in the single
        // total order S; a worker going to sleep does the mirror image (RMW
        // on `counts`, then seq_cst loads of the queues), so one of the two
        // sees the other. A seq_cst store followed by a seq_cst load is
        // ordered in S already; anything weaker needs the fence.
        if !publishedSequentiallyConsistent {
            atomicMemoryFence(ordering: .sequentiallyConsistent)
        }
        let value = counts.pointee.load(ordering: .sequentiallyConsistent)
        if Sleep.searching(value) == 0 && Sleep.sleeping(value) != 0 {
            return !wakeOneOrSeeASearcher()
        }
        return value == 0
    }

    /// Before a job from outside is queued: if nobody searches, someone
    /// sleeps and no outside job waits in a queue (`queued`, which it would
    /// overtake), gives `job` to the most recent sleeper and wakes it, and
    /// returns true; the job then never enters a queue. The woken worker
    /// runs it before anything else, as a busy worker, not a searcher: it
    /// skips the injector, the search and the last searcher's re-check,
    /// each of which costs cold cache misses after an idle spell
    /// (docs/sleep-protocol.md, "Handing a job to a sleeper", has the proof;
    /// docs/benchmarks.md the measurements). Returns false, keeping
    /// nothing, when someone searches, nobody sleeps, a job is queued, or
    /// the pool shuts down: the caller queues the job as usual.
    func handOff(_ job: JobRef, unless queued: () -> Bool) -> Bool {
        // relaxed: a hint. A stale value either skips a hand-off (the job is
        // queued and announced as before) or takes the lock and finds no
        // sleeper; handing a job over is safe whatever `searching` is.
        let value = counts.pointee.load(ordering: .relaxed)
        guard Sleep.searching(value) == 0 && Sleep.sleeping(value) != 0, !queued() else { return false }
        let woken: Int? = lock.withLock {
            guard !shuttingDown, let index = sleepers.popLast() else { return nil }
            // The sleeper leaves `sleeping` without becoming a searcher: it
            // will be busy with the job. sequentiallyConsistent, like every
            // change of `counts` the protocol reasons about.
            counts.pointee.wrappingSubtract(Sleep.sleepingOne, ordering: .sequentiallyConsistent)
            // relaxed: `unpark`'s releasing store of the park word publishes
            // it (and the job record) to the worker's acquiring load.
            workers[index].pointee.handedJob.store(UInt(bitPattern: job), ordering: .relaxed)
            return index
        }
        guard let woken else { return false }
        unpark(woken)
        return true
    }

    // MARK: - Searching

    /// Takes a searching slot if fewer than the maximum are taken.
    func tryBeginSearching() -> Bool {
        var value = counts.pointee.load(ordering: .relaxed)
        while Sleep.searching(value) < maximumSearching {
            // sequentiallyConsistent: searchers and submitters reason about
            // each other through this word (see the protocol).
            let (exchanged, original) = counts.pointee.compareExchange(
                expected: value, desired: value + Sleep.searchingOne,
                ordering: .sequentiallyConsistent)
            if exchanged { return true }
            value = original
        }
        return false
    }

    /// A searcher found work and gives its slot back. If it was the last
    /// searcher and someone sleeps, it wakes one, but only when more work is
    /// visible: wakeups cascade while work lasts (the Go/Tokio policy), and a
    /// lone job costs no second wake-up, which would otherwise sit on its
    /// critical path (a futex wake is several µs).
    ///
    /// The decrement comes first and the re-check after it, both seq_cst:
    /// a submitter that saw this searcher (and so woke nobody) published its
    /// job before that, so the re-check sees it (docs/sleep-protocol.md,
    /// "Why no job is lost").
    ///
    /// Returns true when the decrement left every worker busy (none
    /// searches, none sleeps), or when the sleeper it meant to wake was gone
    /// and nobody searches (`wakeOneOrSeeASearcher`): a job such a
    /// submitter left behind then waits for a busy worker, and the caller
    /// tells the watchdog.
    func endSearching(hasVisibleWork: () -> Bool) -> Bool {
        let old = counts.pointee.wrappingSubtract(Sleep.searchingOne, ordering: .sequentiallyConsistent).oldValue
        if Sleep.searching(old) == 1 && Sleep.sleeping(old) != 0 && hasVisibleWork() {
            return !wakeOneOrSeeASearcher()
        }
        return old == Sleep.searchingOne
    }

    /// `wakeOne` for a waker that saw work queued. If the list was empty by
    /// the time it held the lock, someone took the sleeper first: another
    /// waker or the sleeper's own re-check (either leaves a searcher, which
    /// will find the work), or a hand-off (which leaves a busy worker and no
    /// searcher). Returns true when it woke someone or a searcher is about;
    /// false means the work waits for a busy worker, and the caller tells a
    /// dozing watchdog. The seq_cst load follows the lock that showed the
    /// list empty, so it sees the change of `counts` that emptied it.
    func wakeOneOrSeeASearcher() -> Bool {
        if wakeOne() { return true }
        return Sleep.searching(counts.pointee.load(ordering: .sequentiallyConsistent)) != 0
    }

    // MARK: - Sleeping

    /// Wakes one parked worker, which comes back as a searcher. Returns
    /// false when nobody was listed any more.
    @usableFromInline @discardableResult
    func wakeOne() -> Bool {
        let woken: Int? = lock.withLock {
            guard let index = sleepers.popLast() else { return nil }
            // The waker moves the sleeper to "searching" itself, so that
            // submitters racing with this wake see a searcher and do not
            // wake a second worker for the same job.
            counts.pointee.wrappingAdd(Sleep.searchingOne &- Sleep.sleepingOne, ordering: .sequentiallyConsistent)
            return index
        }
        guard let woken else { return false }
        unpark(woken)
        return true
    }

    private func unpark(_ index: Int) {
        let worker = workers[index]
        // releasing: the woken worker acquires it and sees the counts change
        // and the job `handOff` left it.
        worker.pointee.parkWord.store(1, ordering: .releasing)
        system.futexWake(futexAddress(of: worker.pointee.parkWord), 1)
    }

    /// Puts the calling worker to sleep unless work shows up, following the
    /// protocol. Mirror: the "Sleep.sleep" block of proctype Worker in
    /// Tests/ModelCheck/sleep.pml. Returns what the worker does next: run the
    /// job a submitter handed it, search, or exit (the pool shuts down and no
    /// work is left).
    func sleep(_ worker: UnsafeMutablePointer<Worker>, hasVisibleWork: () -> Bool) -> Wakeup {
        let index = worker.pointee.index
        let wasSearching = worker.pointee.isSearching
        let stopping: Bool = lock.withLock {
            worker.pointee.parkWord.store(0, ordering: .relaxed)
            // Step 1, announce: one seq_cst RMW.
            let delta = Sleep.sleepingOne &- (wasSearching ? Sleep.searchingOne : 0)
            counts.pointee.wrappingAdd(delta, ordering: .sequentiallyConsistent)
            sleepers.append(index)
            return shuttingDown
        }
        worker.pointee.isSearching = false

        // Step 2, re-check every queue (seq_cst loads inside hasVisibleWork).
        if stopping || hasVisibleWork() {
            let stillListed: Bool = lock.withLock {
                guard let position = sleepers.lastIndex(of: index) else { return false }
                sleepers.remove(at: position)
                counts.pointee.wrappingAdd(Sleep.searchingOne &- Sleep.sleepingOne, ordering: .sequentiallyConsistent)
                return true
            }
            if !stillListed {
                // Someone woke us in between and already moved us to
                // searching, or handed us a job (never while stopping:
                // `handOff` refuses once `shuttingDown` is set). In that
                // case the work this re-check saw has no searcher of ours to
                // find it: the caller passes the wake on.
                waitForUnpark(worker)
                if let job = takeHandedJob(worker) { return .run(job, sawWork: true) }
            }
            let exiting = stopping && !hasVisibleWork()
            if exiting {
                // Leaving for good: give the searching slot back.
                counts.pointee.wrappingSubtract(Sleep.searchingOne, ordering: .sequentiallyConsistent)
                worker.pointee.isSearching = false
            } else {
                worker.pointee.isSearching = true
            }
            return exiting ? .exit : .search
        }

        // Step 3, park until a waker sets the park word.
        worker.pointee.counters.parks.bumpOwned()
        worker.pointee.enter(.parked)
        waitForUnpark(worker)
        worker.pointee.counters.wakes.bumpOwned()
        if let job = takeHandedJob(worker) { return .run(job, sawWork: false) }
        worker.pointee.enter(.searching)
        worker.pointee.isSearching = true
        return .search
    }

    /// What a worker does after `sleep`.
    enum Wakeup {
        /// Run the job a submitter handed over (`handOff`), then go on as a
        /// busy worker. `sawWork`: the worker's re-check had seen work
        /// queued, which now needs someone else (`Registry.workerMain`).
        case run(JobRef, sawWork: Bool)
        /// Look for work as a searcher.
        case search
        /// Leave: the pool shuts down and no work is left.
        case exit
    }

    /// The job `handOff` left for this worker, if any; called after
    /// `waitForUnpark`, whose acquiring load makes it visible. Only the
    /// worker clears the word, and nobody hands it another job before it
    /// is listed as a sleeper again.
    private func takeHandedJob(_ worker: UnsafeMutablePointer<Worker>) -> JobRef? {
        let bits = worker.pointee.handedJob.load(ordering: .relaxed)
        guard bits != 0 else { return nil }
        worker.pointee.handedJob.store(0, ordering: .relaxed)
        worker.pointee.counters.handOffs.bumpOwned()
        return JobRef(bitPattern: bits)
    }

    private func waitForUnpark(_ worker: UnsafeMutablePointer<Worker>) {
        let word = futexAddress(of: worker.pointee.parkWord)
        // acquiring: pairs with the releasing store in `unpark`.
        while worker.pointee.parkWord.load(ordering: .acquiring) == 0 {
            _ = system.futexWait(word, 0, -1)
        }
    }

    // MARK: - Shutdown

    /// Marks the pool as shutting down and wakes every sleeper.
    func beginShutdown() {
        let woken: [Int] = lock.withLock {
            shuttingDown = true
            let all = sleepers
            sleepers.removeAll()
            let moved = UInt64(all.count)
            counts.pointee.wrappingAdd(moved &* Sleep.searchingOne &- moved &* Sleep.sleepingOne, ordering: .sequentiallyConsistent)
            return all
        }
        for index in woken { unpark(index) }
    }
}
