import CTaskletsShims
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The state of a pool's supervision: its watchdog thread, its spare
/// workers and its blocking sections (docs/starvation.md). The policy is
/// in `Registry+Watchdog.swift`; the spares' loop in `Registry+Spares.swift`.
///
/// A spare is a full worker state in one of the slots after the regular
/// workers in `Registry.workers`, so that its deques can be stolen from and
/// a `join` it steals finds it by index. A slot, once made, stays for the
/// pool's life (a thief may be reading it); a retired spare's slot is
/// reused by the next spare.
final class Supervisor: @unchecked Sendable {
    let settings: SupervisionSettings
    let workerCount: Int
    /// Spare slots made so far: workers `workerCount..<workerCount + spareSlots`.
    let spareSlots = Atomic<Int>(0)
    /// Spare threads alive, and threads inside blocking sections: read
    /// without the lock by the watchdog's idleness check.
    let liveSpares = Atomic<Int>(0)
    let blockingNow = Atomic<Int>(0)
    /// The watchdog's futex word: bumped to make it look now.
    let kick = Atomic<UInt32>(0)
    /// Set while the watchdog dozes (its last look found every worker
    /// asleep; `SupervisionSettings.firstDozeNanoseconds`).
    let watchdogDozing = Atomic<Bool>(false)

    let lock = PthreadLock()
    /// Signalled when a blocking section ends or a supervision thread exits.
    let changed: PthreadCondition
    // Guarded by `lock`:
    var freeSlots: [Int] = []
    var idleSpares: [Int] = []
    /// The watchdog and the spare threads alive.
    var liveThreads = 0
    /// Set when the last regular worker has exited at shutdown: spares
    /// finish what is visible and leave; the watchdog goes on compensating
    /// until the last spare has left, then exits.
    var draining = false
    /// The watchdog thread, so that a shutdown it calls (from
    /// `onLongTasklet`, or a pool released there) does not wait for itself.
    var watchdogThread: pthread_t?
    /// The watchdog's handle until a shutdown joins or detaches it.
    var watchdogHandle: pthread_t?
    var statistics = TaskletPool.SupervisionStatistics()
    /// The watchdog's notes on each worker and spare slot.
    var watches: [Watch]

    /// What the watchdog remembers about one thread between its looks.
    struct Watch {
        /// The worker's job counter and deque bottom when last seen changing.
        var jobs: UInt64 = 0
        var bottom = 0
        var top = 0
        /// When `jobs` (the job running) and `bottom` or `top` (its forks
        /// and joins) last changed, by the watchdog's clock.
        var jobSince: UInt64 = 0
        var dequeSince: UInt64 = 0
        var reported = false
        /// The spare last sent to take this thread's queued work, or -1.
        var spare = -1
        /// The last look's verdicts: the thread ran one job past the
        /// threshold or blocked, and it held queued work back meanwhile.
        /// Kept here, not in arrays of the look's own, so that a look
        /// allocates nothing (the `Benchmarks/` malloc gates count it).
        var heldUp = false
        var holdsQueuedWork = false
    }

    /// Each spare slot's home worker, written once when the slot is made,
    /// before `spareSlots` publishes it; never changed.
    let spareHomes: UnsafeMutablePointer<Int>

    init(settings: SupervisionSettings, workerCount: Int) {
        self.settings = settings
        self.workerCount = workerCount
        changed = PthreadCondition(lock: lock)
        watches = Array(repeating: Watch(), count: workerCount + settings.spareCapacity)
        spareHomes = .allocate(capacity: max(1, settings.spareCapacity))
    }

    deinit {
        spareHomes.deallocate()
    }

    /// The home worker of worker `index`: itself, or a spare slot's (a
    /// slot the caller saw published by `spareSlots`).
    @inline(__always)
    func home(of index: Int) -> Int {
        index < workerCount ? index : spareHomes[index - workerCount]
    }

    var isEnabled: Bool { settings.thresholdNanoseconds != nil }

    /// The counters with the live spare count; under `lock`.
    var currentStatistics: TaskletPool.SupervisionStatistics {
        var current = statistics
        current.currentSpares = liveSpares.load(ordering: .relaxed)
        return current
    }

    /// Makes the watchdog look now.
    func kickWatchdog(system: SystemCalls) {
        // releasing: what the kicker published (its phase) is visible to the
        // watchdog, which acquires the word.
        kick.add(1, ordering: .releasing)
        system.futexWake(futexAddress(of: kick), 1)
    }

    /// Every worker is busy (none sleeps, none searches) and a job may be
    /// queued behind them: a submitter that found no worker to wake, or the
    /// last searcher leaving with nobody asleep (`ifWorkIsQueued` then
    /// checks), or either of them finding the sleeper it meant to wake
    /// handed a job and nobody searching (`Sleep.wakeOneOrSeeASearcher`). Wakes the watchdog if it dozes, so that work held back by
    /// long tasklets is seen within the threshold. Mirror image of the
    /// watchdog, which sets `watchdogDozing` and then reads the sleep counts;
    /// the caller read or changed the counts seq_cst (after its job was
    /// published) before this seq_cst load. One of the two sees the other.
    func noteEveryWorkerBusy(system: SystemCalls, ifWorkIsQueued workIsQueued: () -> Bool = { true }) {
        if watchdogDozing.load(ordering: .sequentiallyConsistent) && workIsQueued() {
            watchdogDozing.store(false, ordering: .relaxed)
            kickWatchdog(system: system)
        }
    }

    /// Whether the calling thread is this pool's watchdog.
    var isWatchdogThread: Bool {
        lock.withLock { watchdogThread.map { pthread_equal($0, pthread_self()) != 0 } ?? false }
    }

    /// Waits until the watchdog and every spare have exited.
    func waitForThreads() {
        lock.withLock {
            while liveThreads > 0 { changed.wait() }
        }
    }
}
