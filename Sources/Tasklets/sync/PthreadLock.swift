#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A pthread mutex at a stable heap address, in the style of swift-nio's
/// `NIOLock`. `Synchronization.Mutex` collapses when threads outnumber cores
/// on Linux (swiftlang/swift#88440) and trips ThreadSanitizer, so every lock
/// that threads may contend for is one of these.
///
/// Public only under an underscored name, for the benchmark harness (one
/// pthread wrapper, not two); not part of the library's API. (`@_spi` would
/// not do: the library's `@inlinable` code calls it.) Inside the library it
/// is `PthreadLock`.
public final class _PthreadLock: @unchecked Sendable {
    @usableFromInline let mutex: UnsafeMutablePointer<pthread_mutex_t>

    public init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        let result = pthread_mutex_init(mutex, nil)
        precondition(result == 0, "pthread_mutex_init failed: \(result)")
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Takes the lock; for code that must drop it at a point a closure
    /// cannot express (before resuming a continuation). Prefer `withLock`.
    @inlinable
    public func lock() { pthread_mutex_lock(mutex) }

    @inlinable
    public func unlock() { pthread_mutex_unlock(mutex) }

    @inlinable
    public func withLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}

/// The library's name for its lock.
@usableFromInline typealias PthreadLock = _PthreadLock

/// A pthread condition variable tied to one `PthreadLock` (public under an
/// underscored name, like it, for the benchmark harness).
public final class _PthreadCondition: @unchecked Sendable {
    @usableFromInline let condition: UnsafeMutablePointer<pthread_cond_t>
    @usableFromInline let lock: PthreadLock

    public init(lock: _PthreadLock) {
        self.lock = lock
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        // The monotonic clock, for `wait(timeoutNanoseconds:)`: a wall-clock
        // jump must not stretch or cut a timed wait.
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        condition.deinitialize(count: 1)
        condition.deallocate()
    }

    /// Waits; the lock must be held (inside `lock.withLock`).
    public func wait() { pthread_cond_wait(condition, lock.mutex) }

    /// Waits at most `timeoutNanoseconds`; the lock must be held.
    public func wait(timeoutNanoseconds: UInt64) {
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        let total = UInt64(deadline.tv_nsec) + timeoutNanoseconds % 1_000_000_000
        deadline.tv_sec += Int(timeoutNanoseconds / 1_000_000_000) + Int(total / 1_000_000_000)
        deadline.tv_nsec = Int(total % 1_000_000_000)
        pthread_cond_timedwait(condition, lock.mutex, &deadline)
    }

    public func signal() { pthread_cond_signal(condition) }

    public func broadcast() { pthread_cond_broadcast(condition) }
}

/// The library's name for its condition variable.
@usableFromInline typealias PthreadCondition = _PthreadCondition
