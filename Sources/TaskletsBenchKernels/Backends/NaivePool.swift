#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Tasklets

/// The "one queue for everybody" thread pool that a work-stealing pool
/// replaces: N threads, one shared LIFO list of tasks, one pthread mutex and
/// one condition variable.
///
/// A thread waiting for a child task runs other queued tasks meanwhile
/// (otherwise recursive kernels deadlock once every thread waits). The list
/// is LIFO so that this helping stays depth-first and memory stays bounded.
final class NaivePool: @unchecked Sendable {
    /// One queued closure and whether it has finished (guarded by `lock`).
    final class Job: @unchecked Sendable {
        let body: @Sendable () -> Void
        var done = false
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// The library's own pthread lock, not `Synchronization.Mutex`: that
    /// one degrades badly with more threads than cores on Linux (see
    /// `docs/benchmarks.md`), and this backend is meant to show the cost
    /// of one shared lock, not of a slow one.
    private let lock = _PthreadLock()
    private let condition: _PthreadCondition
    private var queue: [Job] = []
    private var stopping = false
    private var threads: [pthread_t] = []

    /// Starts `threadCount` threads with 64 MiB stacks (helping nests tasks).
    init(threadCount: Int) throws(BenchError) {
        condition = _PthreadCondition(lock: lock)
        for _ in 0..<threadCount {
            var attributes = pthread_attr_t()
            pthread_attr_init(&attributes)
            pthread_attr_setstacksize(&attributes, 64 << 20)
            var thread = pthread_t()
            let context = Unmanaged.passRetained(self).toOpaque()
            let status = pthread_create(&thread, &attributes, { context in
                guard let context else { return nil }
                Unmanaged<NaivePool>.fromOpaque(context).takeRetainedValue().workerLoop()
                return nil
            }, context)
            pthread_attr_destroy(&attributes)
            guard status == 0 else {
                Unmanaged<NaivePool>.fromOpaque(context).release()
                shutdown()
                throw .backendFailed(backend: "naive", reason: "pthread_create failed with error \(status)")
            }
            threads.append(thread)
        }
    }

    /// Queues `body` and returns its job, to `wait` for.
    @discardableResult
    func spawn(_ body: @escaping @Sendable () -> Void) -> Job {
        let task = Job(body)
        lock.lock()
        queue.append(task)
        lock.unlock()
        condition.signal()
        return task
    }

    /// Waits for `task`, running queued tasks meanwhile.
    func wait(_ task: Job) {
        lock.lock()
        while !task.done {
            if let other = queue.popLast() {
                lock.unlock()
                run(other)
                lock.lock()
            } else {
                condition.wait()
            }
        }
        lock.unlock()
    }

    /// Runs `a` here and `b` as a queued task, and returns both results.
    func join<A, B: Sendable>(_ a: () -> A, _ b: @escaping @Sendable () -> B) -> (A, B) {
        let slot = ResultSlot<B>()
        let task = spawn { slot.value = b() }
        let resultA = a()
        wait(task)
        return (resultA, slot.take())
    }

    /// Runs `body` on one of the pool's threads and blocks the calling
    /// (outside) thread until it has finished, without helping.
    func runBlocking<R: Sendable>(_ body: @escaping @Sendable () -> R) -> R {
        let slot = ResultSlot<R>()
        let task = spawn { slot.value = body() }
        lock.lock()
        while !task.done { condition.wait() }
        lock.unlock()
        return slot.take()
    }

    /// Lets the threads finish the queue, then joins them.
    func shutdown() {
        lock.lock()
        stopping = true
        lock.unlock()
        condition.broadcast()
        for thread in threads { pthread_join(thread, nil) }
        threads.removeAll()
    }

    private func run(_ task: Job) {
        task.body()
        lock.lock()
        task.done = true
        lock.unlock()
        condition.broadcast()
    }

    private func workerLoop() {
        lock.lock()
        while true {
            if let task = queue.popLast() {
                lock.unlock()
                run(task)
                lock.lock()
            } else if stopping {
                break
            } else {
                condition.wait()
            }
        }
        lock.unlock()
    }
}
