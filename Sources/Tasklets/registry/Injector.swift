import Synchronization

/// The queue for jobs submitted from threads outside the pool.
///
/// One FIFO ring per `JobClass` under a pthread mutex (outside submissions
/// are rare next to local pushes, and Go's global run queue is also a locked
/// queue), plus an atomic count of all of them so that workers can see
/// "empty" without taking the lock. Closing it (at shutdown) makes later
/// pushes fail, atomically with respect to the pushes themselves: each
/// submission either lands before the close, and then runs, or is refused.
final class Injector: @unchecked Sendable {
    private let lock = PthreadLock()
    private var high = JobRing()
    private var normal = JobRing()
    private var low = JobRing()
    private var storedCount = 0
    private var aging = Aging()
    private var closed = false
    /// Mirrors the number of queued jobs for lock-free emptiness checks.
    let count = Atomic<Int>(0)

    /// Appends a job to its class's ring; returns false (and keeps nothing)
    /// once closed.
    func push(_ job: JobRef, _ jobClass: JobClass = .normal) -> Bool {
        lock.withLock {
            guard !closed else { return false }
            switch jobClass {
            case .high: high.append(job)
            case .normal: normal.append(job)
            case .low: low.append(job)
            }
            storedCount += 1
            // sequentiallyConsistent: part of the sleep protocol's
            // store-then-check pattern (docs/sleep-protocol.md).
            count.store(storedCount, ordering: .sequentiallyConsistent)
            return true
        }
    }

    /// Whether a job seems queued: a relaxed load, a hint (to skip the lock
    /// in `pop`, or a hand-off that would overtake a queued job; the locked
    /// path is authoritative).
    var mayHoldWork: Bool {
        count.load(ordering: .relaxed) > 0
    }

    /// Removes the oldest job of the class `Aging` picks, if any.
    func pop() -> JobRef? {
        guard mayHoldWork else { return nil }
        return lock.withLock {
            guard storedCount > 0 else { return nil }
            guard let jobClass = aging.pick(high: !high.isEmpty, normal: !normal.isEmpty, low: !low.isEmpty),
                let job = removeFirst(jobClass)
            else { return nil }
            storedCount -= 1
            count.store(storedCount, ordering: .relaxed)
            return job
        }
    }

    /// Under `lock`.
    private func removeFirst(_ jobClass: JobClass) -> JobRef? {
        switch jobClass {
        case .high: return high.removeFirst()
        case .normal: return normal.removeFirst()
        case .low: return low.removeFirst()
        }
    }

    /// Whether a job is queued, for the sleep protocol's re-check.
    var isEmptyForSleepCheck: Bool {
        count.load(ordering: .sequentiallyConsistent) == 0
    }

    /// Refuses every later push.
    func close() {
        lock.withLock { closed = true }
    }
}
