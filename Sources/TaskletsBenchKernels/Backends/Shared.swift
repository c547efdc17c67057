import Synchronization

/// Counters shared by the tasks of one kernel run (Dispatch and TaskGroup
/// kernels that add leaf values instead of returning them, skew's countdown).
final class SharedCounters: Sendable {
    /// A wrapping sum of leaf values.
    let sum = Atomic<UInt64>(0)
    /// Tasks still to finish (skew's short tasks, inject's submissions).
    let remaining: Atomic<Int>
    /// When the last counted task finished (BenchClock.nanoseconds()).
    let finishedAt = Atomic<UInt64>(0)

    init(remaining: Int = 0) { self.remaining = Atomic(remaining) }

    /// Adds `value` to `sum`.
    @inline(__always)
    func add(_ value: UInt64) { sum.wrappingAdd(value, ordering: .relaxed) }

    /// Counts one task as finished; the last one records the time and
    /// returns true.
    @discardableResult
    func finishOne() -> Bool {
        if remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 {
            finishedAt.store(BenchClock.nanoseconds(), ordering: .releasing)
            return true
        }
        return false
    }
}
