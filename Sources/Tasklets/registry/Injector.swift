import Synchronization

/// The queue for jobs submitted from threads outside the pool.
///
/// A FIFO ring under a pthread mutex (outside submissions are rare next to
/// local pushes, and Go's global run queue is also a locked queue), plus an
/// atomic count so that workers can see "empty" without taking the lock.
/// Closing it (at shutdown) makes later pushes fail, atomically with respect
/// to the pushes themselves: each submission either lands before the close,
/// and then runs, or is refused.
final class Injector: @unchecked Sendable {
    private let lock = PthreadLock()
    private var ring: UnsafeMutablePointer<JobRef>
    private var capacity = 64
    private var head = 0
    private var storedCount = 0
    private var closed = false
    /// Mirrors the number of queued jobs for lock-free emptiness checks.
    let count = Atomic<Int>(0)

    init() {
        ring = .allocate(capacity: capacity)
    }

    deinit {
        ring.deallocate()
    }

    /// Appends a job; returns false (and keeps nothing) once closed.
    func push(_ job: JobRef) -> Bool {
        lock.withLock {
            guard !closed else { return false }
            if storedCount == capacity { grow() }
            ring[(head + storedCount) & (capacity - 1)] = job
            storedCount += 1
            // sequentiallyConsistent: part of the sleep protocol's
            // store-then-check pattern (docs/sleep-protocol.md).
            count.store(storedCount, ordering: .sequentiallyConsistent)
            return true
        }
    }

    /// Removes the oldest job, if any.
    func pop() -> JobRef? {
        // relaxed: a hint to skip the lock; the locked path is authoritative.
        guard count.load(ordering: .relaxed) > 0 else { return nil }
        return lock.withLock {
            guard storedCount > 0 else { return nil }
            let job = ring[head]
            head = (head + 1) & (capacity - 1)
            storedCount -= 1
            count.store(storedCount, ordering: .relaxed)
            return job
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

    private func grow() {
        let larger = UnsafeMutablePointer<JobRef>.allocate(capacity: capacity * 2)
        for offset in 0..<storedCount {
            larger[offset] = ring[(head + offset) & (capacity - 1)]
        }
        ring.deallocate()
        ring = larger
        head = 0
        capacity *= 2
    }
}
