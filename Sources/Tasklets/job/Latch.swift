import CTaskletsShims
import Synchronization

/// A one-shot flag that one thread sets and one thread waits for.
///
/// The waiter spins first and may then sleep on the flag's futex word, after
/// announcing it with `pending → sleeping`. The setter's exchange sees that
/// announcement (both are read-modify-writes of the same word, so one comes
/// first in its modification order) and only then makes the wake syscall.
///
/// A latch inside a `StackJob` dies as soon as its waiter sees it set, so the
/// setter touches nothing after the exchange but the futex syscall. A wake on
/// a dead stack address is harmless: it wakes nobody, or a futex waiter that
/// re-checks its own condition, as every waiter here does.
@usableFromInline
struct Latch: ~Copyable {
    @usableFromInline static var pending: UInt32 { 0 }
    @usableFromInline static var set: UInt32 { 1 }
    @usableFromInline static var sleeping: UInt32 { 2 }

    @usableFromInline let state: Atomic<UInt32>

    @inlinable
    init() {
        state = Atomic(Latch.pending)
    }

    /// Whether the latch is set. acquiring: pairs with the releasing
    /// exchange in `set()`, so the result written before it is visible.
    @inlinable @inline(__always)
    var isSet: Bool {
        state.load(ordering: .acquiring) == Latch.set
    }

    /// Sets the latch, waking a sleeping waiter.
    @inlinable
    func set(system: SystemCalls) {
        // releasing: publishes everything written before (the job's result).
        if state.exchange(Latch.set, ordering: .releasing) == Latch.sleeping {
            system.futexWake(futexWord, Int32.max)
        }
    }

    /// Sleeps until the latch is set or `timeoutNanoseconds` pass (forever
    /// when negative). Returns whether it is set.
    @inlinable
    func sleep(system: SystemCalls, timeoutNanoseconds: Int64) -> Bool {
        // relaxed: only announces the sleep; `isSet` below does the acquire.
        let announced = state.compareExchange(
            expected: Latch.pending, desired: Latch.sleeping,
            ordering: .relaxed
        )
        if announced.exchanged || announced.original == Latch.sleeping {
            _ = system.futexWait(futexWord, Latch.sleeping, timeoutNanoseconds)
        }
        return isSet
    }

    /// Waits on a thread outside any pool: a short spin, then the futex.
    @inlinable
    func waitBlocking(system: SystemCalls) {
        for _ in 0..<64 {
            if isSet { return }
            ctasklets_cpu_relax()
        }
        while !sleep(system: system, timeoutNanoseconds: -1) {}
    }

    @usableFromInline
    var futexWord: UnsafeMutablePointer<UInt32> {
        // The atomic's storage is a plain 32-bit word at a fixed address.
        futexAddress(of: state)
    }
}

/// The address of an atomic's storage, for the futex syscall.
@usableFromInline
func futexAddress(of atomic: borrowing Atomic<UInt32>) -> UnsafeMutablePointer<UInt32> {
    withUnsafePointer(to: atomic) {
        UnsafeMutableRawPointer(mutating: $0).assumingMemoryBound(to: UInt32.self)
    }
}
