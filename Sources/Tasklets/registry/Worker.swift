import CTaskletsShims
import Synchronization

/// The state of one worker thread, at a fixed, cache-line aligned address.
///
/// Other threads touch only the atomics (the deque's `top`, the park word,
/// the counters); the plain `var`s belong to the worker's own thread.
@usableFromInline
struct Worker: ~Copyable {
    @usableFromInline let index: Int
    /// The regular worker whose node, injector and victim order this one
    /// uses: itself, or for a spare (supervision/), the worker it was first
    /// started for.
    let home: Int
    /// Whether this is a spare (supervision/) rather than a regular worker.
    /// Stored, not computed: other threads read it, and a computed
    /// property would read the whole struct, which its owner modifies.
    let isSpare: Bool
    /// The injector of this worker's node (an index into `Registry.injectors`).
    let injector: Int
    /// Jobs that someone waits for: `join` halves and scope tasklets. A
    /// waiting `join` or scope may run those pushed inside it (docs/join.md).
    @usableFromInline let deque: WorkStealingDeque
    /// Jobs that nobody waits for inside the pool, by priority class: Swift
    /// jobs, actor strands, detached `spawn`s made on this worker. Never run
    /// inside a wait, so a `join` cannot pick one up while its caller holds a
    /// lock the job needs (docs/join.md). First in, first out.
    let tasks: TaskQueues
    /// The run-next slot: the Swift job this worker most recently woke
    /// (docs/async.md, "Run next, bounded"); 0 when empty. The owner and the
    /// thieves take it with an exchange.
    let next: Atomic<UInt>
    /// How many jobs the owner has put in `next`: a thief that sees it
    /// unchanged after its grace period knows the job has waited that long
    /// (`Registry.stealNextSlot`). Written by the owner only.
    let nextStamp: Atomic<UInt>
    /// The pool's sleep counters, read on every push (see `Sleep`).
    @usableFromInline let sleepCounts: UnsafeMutablePointer<Atomic<UInt64>>
    @usableFromInline let registry: Unmanaged<Registry>
    /// `Registry.identity` of the pool, at hand for channel parks.
    @usableFromInline let poolIdentity: UInt64
    /// The futex word this worker parks on: 0 = parked or about to, 1 = woken.
    let parkWord: Atomic<UInt32>
    /// A job handed to this worker as it was woken (`Sleep.handOff`), or 0.
    let handedJob: Atomic<UInt>
    let counters: WorkerCounters
    /// Who may take this worker's jobs as a waiting owner's help
    /// (`Registry.stealFromThief`): the helpers inside (low 32 bits), and
    /// how deep this worker is in cross-pool waits, which run unrelated work
    /// (high 32 bits; helping is closed while it is above 0). See
    /// `Registry.closeToHelpers`.
    let helpGate: Atomic<UInt64>
    /// What the thread is doing (`WorkerPhase`), for the watchdog and
    /// snapshots: written by the owner on changes only (a relaxed store when
    /// its loop starts a job after searching), read by anyone.
    let phase: Atomic<UInt8>
    /// For a spare: the worker (or spare) whose queues it serves first, or
    /// -1. Set by the supervisor, read by the spare.
    let compensating: Atomic<Int>
    /// The name of the tasklet running now (a `StaticString`'s address), or
    /// 0: written by the owner around named tasklets, read by the watchdog.
    let runningName: Atomic<UInt>

    /// Local jobs run since the injector was last looked at (see `Registry`).
    var localTicks: UInt32 = 0
    /// Which task-queue class goes next (priority order with aging).
    var aging = Aging()
    /// Jobs taken from the next slot in a row.
    var nextStreak = 0
    /// The Swift job this worker is running (its bits), or 0: a job enqueued
    /// that is this one is a yield, not a wake-up.
    var runningSwiftJob: UInt = 0
    /// Whether this worker holds one of the pool's searching slots.
    var isSearching = false
    /// The job this worker runs for a thread blocked in `run` that watches
    /// it (`Latch.watched`), and when it started (`ctasklets_now_ns`); nil
    /// outside such a job. Set and restored by `StackJob.executeTaken`
    /// around the job's body; jobs run inside it keep it.
    @usableFromInline var watch: (job: UnsafeMutablePointer<StackJob>, since: UInt64)?
    /// xorshift64 state for picking victims.
    var random: UInt64

    init(
        index: Int, home: Int, injector: Int, registry: Unmanaged<Registry>,
        sleepCounts: UnsafeMutablePointer<Atomic<UInt64>>, ringMemory: RingMemory?
    ) {
        self.index = index
        self.home = home
        isSpare = index != home
        self.injector = injector
        self.registry = registry
        let pool = registry.takeUnretainedValue()
        poolIdentity = pool.identity
        self.sleepCounts = sleepCounts
        deque = WorkStealingDeque(
            memory: ringMemory, heavyBarrier: pool.heavyBarrier, fencedTakesWindow: pool.fencedTakesWindow)
        tasks = TaskQueues(memory: ringMemory)
        next = Atomic(0)
        nextStamp = Atomic(0)
        parkWord = Atomic(0)
        handedJob = Atomic(0)
        counters = WorkerCounters()
        helpGate = Atomic(0)
        phase = Atomic(WorkerPhase.searching.rawValue)
        compensating = Atomic(-1)
        runningName = Atomic(0)
        random = 0x9E37_79B9_7F4A_7C15 &* UInt64(index + 1)
    }

    /// The worker running the calling thread, or nil outside every pool.
    @inlinable @inline(__always)
    static var current: UnsafeMutablePointer<Worker>? {
        ctasklets_current_worker()?.assumingMemoryBound(to: Worker.self)
    }

    /// Pushes a job onto this worker's deque and wakes a sleeper if nobody
    /// searches (docs/sleep-protocol.md, "Local pushes"). Called by the
    /// worker's own thread. Returns the job's index in the deque.
    @inlinable @inline(__always) @discardableResult
    func pushLocal(_ job: JobRef) -> Int {
        let index = deque.push(job)
        wakeOneIfNobodySearches()
        return index
    }

    /// The wake-up half of `pushLocal`. While this worker runs a job whose
    /// waiter still watches it (`watch`), the waiter brings the helper
    /// instead, if the job lasts (docs/sleep-protocol.md, "A blocked `run`
    /// brings its own helper"). A push after the delay wakes a sleeper
    /// itself, so a waiter that gets no CPU in time delays only the pushes
    /// before it. The check costs nothing unless a wake-up is due.
    @inlinable @inline(__always)
    func wakeOneIfNobodySearches() {
        if Sleep.shouldWake(afterLocalPushSeeing: sleepCounts) {
            if let watch, Registry.isStillWatched(watch) { return }
            registry.takeUnretainedValue().sleep.wakeOne()
        }
    }

    /// Publishes what the thread does now, if that changed.
    @inline(__always)
    func enter(_ phase: WorkerPhase) {
        // relaxed: a report for the watchdog, which acts on a stale value at
        // worst one period late; no data travels with it.
        if self.phase.load(ordering: .relaxed) != phase.rawValue {
            self.phase.store(phase.rawValue, ordering: .relaxed)
        }
    }

    /// A number in 0..<bound.
    mutating func nextRandom(below bound: Int) -> Int {
        random ^= random << 13
        random ^= random >> 7
        random ^= random << 17
        return Int(truncatingIfNeeded: random % UInt64(bound))
    }
}

/// Allocates `value` alone on its own cache lines, so that no other data
/// shares them (false sharing between workers costs more than the memory).
func allocateCacheAligned<T: ~Copyable>(_ value: consuming T) -> UnsafeMutablePointer<T> {
    let line = 128  // two 64-byte lines: adjacent-line prefetch pulls pairs
    let size = (MemoryLayout<T>.size + line - 1) / line * line
    let raw = UnsafeMutableRawPointer.allocate(byteCount: max(size, line), alignment: line)
    let typed = raw.bindMemory(to: T.self, capacity: 1)
    typed.initialize(to: value)
    return typed
}

/// Uninitialized storage for one `T` on its own cache lines.
func allocateCacheAlignedStorage<T: ~Copyable>(for type: T.Type) -> UnsafeMutablePointer<T> {
    let line = 128
    let size = (MemoryLayout<T>.size + line - 1) / line * line
    return UnsafeMutableRawPointer.allocate(byteCount: max(size, line), alignment: line)
        .bindMemory(to: T.self, capacity: 1)
}

func deallocateCacheAligned<T: ~Copyable>(_ pointer: UnsafeMutablePointer<T>) {
    pointer.deinitialize(count: 1)
    UnsafeMutableRawPointer(pointer).deallocate()
}
