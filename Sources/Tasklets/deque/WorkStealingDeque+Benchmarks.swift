/// The deque, for the `Benchmarks/` package only (`@_spi(Benchmarks) import
/// Tasklets`): measuring push, take and steal needs the real type, which is
/// internal. Jobs are opaque non-null pointers; nothing runs them.
@_spi(Benchmarks)
public final class _BenchmarkDeque: @unchecked Sendable {
    private let deque: UnsafeMutablePointer<WorkStealingDeque>

    public init(capacity: Int = 256) {
        deque = .allocate(capacity: 1)
        deque.initialize(to: WorkStealingDeque(capacity: capacity))
    }

    deinit {
        deque.deinitialize(count: 1)
        deque.deallocate()
    }

    /// Owner only.
    @inline(never)
    public func push(_ job: JobRef) { deque.pointee.push(job) }

    /// Owner only.
    @inline(never)
    public func take() -> JobRef? { deque.pointee.take() }

    /// Any thread; nil when empty or when it lost a race.
    @inline(never)
    public func steal() -> JobRef? {
        if case .success(let job) = deque.pointee.steal() { return job }
        return nil
    }
}
