import CTaskletsShims
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A one-shot flag that one thread sets and one thread waits for, and, for
/// a stolen `join` half, the handshake between its thief and its waiting
/// owner.
///
/// `state` holds bits:
/// * `set`: the job finished (the only bit left once it is set);
/// * `sleeping`: the waiter sleeps, or is about to, on the futex word, and
///   wants to wake when a thief starts the job (to help it: a `join`);
/// * `sleepingUntilSet`: the waiter sleeps, or is about to, and cannot help,
///   so only `set` wakes it (a thread blocked in `run`, or a cross-pool
///   wait): a wake at the start would cost it a context switch and the
///   thief a syscall, for nothing;
/// * `running`: a thief started the job; the thief's worker index + 1 sits in
///   the high 16 bits (`thiefShift`);
/// * `helping`: the waiting owner is taking one of the thief's jobs (see
///   `StackJob.beginHelping`); the thief may not set the latch meanwhile;
/// * `watched`: the waiter, a thread blocked in `run`, will bring a helper
///   itself if the job is still running after
///   `Registry.helperDelayNanoseconds`, so
///   the worker running it wakes nobody for the jobs it pushes until then
///   (docs/sleep-protocol.md, "A blocked `run` brings its own helper").
///
/// The waiter spins first and may then sleep on the futex word, after
/// announcing it with one of the two sleeping bits. The setter's
/// compare-exchange sees that announcement (both are read-modify-writes of the same word,
/// so one comes first in its modification order) and only then makes the
/// wake syscall.
///
/// A latch inside a `StackJob` dies as soon as its waiter sees it set, so the
/// setter touches nothing after the exchange but the futex syscall. A wake on
/// a dead stack address is harmless: it wakes nobody, or a futex waiter that
/// re-checks its own condition, as every waiter here does.
@usableFromInline
struct Latch: ~Copyable {
    @usableFromInline static var set: UInt32 { 1 }
    @usableFromInline static var sleeping: UInt32 { 2 }
    @usableFromInline static var running: UInt32 { 4 }
    @usableFromInline static var helping: UInt32 { 8 }
    @usableFromInline static var sleepingUntilSet: UInt32 { 16 }
    @usableFromInline static var watched: UInt32 { 32 }
    @usableFromInline static var thiefShift: UInt32 { 16 }

    @usableFromInline let state: Atomic<UInt32>

    @inlinable
    init() {
        state = Atomic(0)
    }

    /// Whether the latch is set. acquiring: pairs with the releasing
    /// exchange in `set()`, so the result written before it is visible.
    @inlinable @inline(__always)
    var isSet: Bool {
        state.load(ordering: .acquiring) & Latch.set != 0
    }

    /// Sets the latch, waking a sleeping waiter. Waits out a waiter that is
    /// in the middle of taking one of this thread's jobs (`helping`: a few
    /// dozen instructions), so that it can never take a job this thread
    /// pushes after the one it waits for is done.
    @inlinable
    func set(system: SystemCalls) {
        var expected = state.load(ordering: .relaxed)
        var spins = 0
        while true {
            if expected & Latch.helping != 0 {
                Latch.backOff(&spins)
                expected = state.load(ordering: .relaxed)
                continue
            }
            // acquiringAndReleasing. releasing: publishes everything written
            // before (the job's result). acquiring: pairs with the waiter's
            // releasing clear of `helping`, so the steal it made happens
            // before whatever this thread does next (such as pushing jobs
            // that have nothing to do with the waiter).
            let (exchanged, original) = state.compareExchange(
                expected: expected, desired: Latch.set, ordering: .acquiringAndReleasing)
            if exchanged {
                if original & (Latch.sleeping | Latch.sleepingUntilSet) != 0 {
                    system.futexWake(futexWord, Int32.max)
                }
                return
            }
            expected = original
        }
    }

    /// Notes that worker `thief` started the job; wakes a waiter that sleeps
    /// wanting to help (`sleeping`), not one that waits only for the end
    /// (`sleepingUntilSet`). releasing: publishes what the thief wrote
    /// before (its deque's base in `StackJob.thiefBase`). Returns whether
    /// the waiter watches the job (`watched`).
    @inlinable @discardableResult
    func markRunning(by thief: Int, system: SystemCalls) -> Bool {
        let bits = Latch.running | UInt32(truncatingIfNeeded: thief + 1) << Latch.thiefShift
        let old = state.bitwiseOr(bits, ordering: .releasing).oldValue
        if old & Latch.sleeping != 0 {
            system.futexWake(futexWord, Int32.max)
        }
        return old & Latch.watched != 0
    }

    /// For the worker running a watched job, about to skip a wake-up:
    /// whether the waiter still watches. The seq_cst fence puts the push
    /// before it ahead of this load in the single total order S; the
    /// waiter's `endWatch` is a seq_cst read-modify-write followed by the
    /// seq_cst loads of this worker's deque (`Registry.waitWatching`). So
    /// either this load sees `watched` gone and the worker wakes a sleeper,
    /// or the waiter sees the push and it does: never neither
    /// (docs/sleep-protocol.md). Only a wake-up that is due pays the fence.
    @inlinable
    var isStillWatched: Bool {
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        return state.load(ordering: .relaxed) & Latch.watched != 0
    }

    /// For the waiter: stops watching, and returns the index of the worker
    /// running the job, which may have left wake-ups to the waiter; nil if
    /// no worker had started it or it had finished. sequentiallyConsistent:
    /// see `isStillWatched`.
    @inlinable
    func endWatch() -> Int? {
        let old = state.bitwiseAnd(~Latch.watched, ordering: .sequentiallyConsistent).oldValue
        guard old & (Latch.running | Latch.set) == Latch.running else { return nil }
        return Int(old >> Latch.thiefShift) - 1
    }

    /// Sleeps until the latch is set, or also until a thief starts the job
    /// when `wakeOnStart` (a waiter that can help it), or until
    /// `timeoutNanoseconds` pass (forever when negative). Returns whether it
    /// is set. One latch has one waiter, which always passes the same
    /// `wakeOnStart`.
    @inlinable
    func sleep(system: SystemCalls, timeoutNanoseconds: Int64, wakeOnStart: Bool) -> Bool {
        let announcement = wakeOnStart ? Latch.sleeping : Latch.sleepingUntilSet
        var value = state.load(ordering: .relaxed)
        while value & (Latch.set | announcement) == 0 {
            // relaxed: only announces the sleep; `isSet` below does the acquire.
            let (exchanged, original) = state.compareExchange(
                expected: value, desired: value | announcement, ordering: .relaxed)
            value = exchanged ? value | announcement : original
        }
        if value & Latch.set == 0 {
            _ = system.futexWait(futexWord, value, timeoutNanoseconds)
        }
        return isSet
    }

    /// Waits on a thread outside any pool, which cannot help a thief: a
    /// short spin, then the futex until the latch is set, or until
    /// `deadline` (`ctasklets_now_ns`) passes when there is one. Returns
    /// whether it is set.
    @inlinable
    func waitBlocking(system: SystemCalls, until deadline: UInt64? = nil) -> Bool {
        for _ in 0..<64 {
            if isSet { return true }
            ctasklets_cpu_relax()
        }
        while true {
            var timeout: Int64 = -1
            if let deadline {
                let now = ctasklets_now_ns()
                guard now < deadline else { return isSet }
                timeout = Int64(deadline &- now)
            }
            if sleep(system: system, timeoutNanoseconds: timeout, wakeOnStart: false) { return true }
        }
    }

    @usableFromInline
    var futexWord: UnsafeMutablePointer<UInt32> {
        // The atomic's storage is a plain 32-bit word at a fixed address.
        futexAddress(of: state)
    }

    /// A spin that yields the CPU after a while (the thread it waits for may
    /// have been preempted).
    @usableFromInline
    static func backOff(_ spins: inout Int) {
        spins += 1
        if spins < 64 {
            ctasklets_cpu_relax()
        } else {
            sched_yield()
        }
    }
}

/// The address of an atomic's storage, for the futex syscall.
@usableFromInline
func futexAddress(of atomic: borrowing Atomic<UInt32>) -> UnsafeMutablePointer<UInt32> {
    withUnsafePointer(to: atomic) {
        UnsafeMutableRawPointer(mutating: $0).assumingMemoryBound(to: UInt32.self)
    }
}
