import Dispatch
import Tasklets

/// A backend ready to run kernels with a given number of threads: the pool
/// or the naive threads are started once and reused for every repetition.
///
/// Dispatch and the global executor size themselves from the process's
/// affinity mask; their `workers` is only what the mask allows (the command
/// line pins the process to get a given count).
public final class BackendContext: @unchecked Sendable {
    public let backend: BackendName
    public let workers: Int
    let pool: TaskletPool?
    let naive: NaivePool?

    public init(backend: BackendName, workers: Int) throws(BenchError) {
        self.backend = backend
        self.workers = workers
        switch backend {
        case .pool, .poolUnsupervised:
            do {
                // nil: the default supervision (TASKLETS_LONG_TASKLET_MS applies).
                pool = try TaskletPool(workers: workers, supervision: backend == .pool ? nil : .disabled)
            } catch {
                throw .backendFailed(backend: backend.rawValue, reason: error.description)
            }
            naive = nil
        case .naive:
            pool = nil
            naive = try NaivePool(threadCount: workers)
        case .sequential, .dispatch, .taskgroup:
            pool = nil
            naive = nil
        }
    }

    /// Stops the threads this context started.
    public func shutdown() {
        pool?.shutdown()
        naive?.shutdown()
    }

    /// The pool's counters (steals and so on), for the pool backends.
    public var poolStatistics: TaskletPool.WorkerStatistics? { pool?.statistics().total }

    /// The pool itself, for the pool backends (its placements and diagnostics).
    public var taskletPool: TaskletPool? { pool }

    /// The pool's supervision counters, for both pool backends.
    public var supervisionStatistics: TaskletPool.SupervisionStatistics? { pool?.statistics().supervision }

    /// Runs `body` on the pool (`pool.run`), where the pool kernels must be.
    func inPool<R>(_ body: sending () -> R) throws(BenchError) -> R {
        guard let pool else { throw .backendFailed(backend: backend.rawValue, reason: "no pool") }
        do {
            return try pool.run(body)
        } catch {
            throw .backendFailed(backend: backend.rawValue, reason: "\(error)")
        }
    }

    /// The naive pool, for the naive backend.
    func naivePool() throws(BenchError) -> NaivePool {
        guard let naive else { throw .backendFailed(backend: backend.rawValue, reason: "no naive pool") }
        return naive
    }

    // MARK: - Outside submission, for the scheduler kernels

    /// Submits `body` from a thread outside the backend, without waiting.
    func submit(_ body: @escaping @Sendable () -> Void) throws(BenchError) {
        switch backend {
        case .pool, .poolUnsupervised:
            do {
                try pool?.spawn(body)
            } catch {
                throw .backendFailed(backend: backend.rawValue, reason: error.description)
            }
        case .naive:
            try naivePool().spawn(body)
        case .dispatch:
            DispatchQueue.global().async(execute: body)
        case .taskgroup:
            Task.detached { body() }
        case .sequential:
            throw .backendFailed(backend: backend.rawValue, reason: "has no threads to submit to")
        }
    }

    /// From an outside thread, runs a two-way fork-join of `a` and `b` on the
    /// backend and waits for both.
    func forkJoin(_ a: @escaping @Sendable () -> Void, _ b: @escaping @Sendable () -> Void) throws(BenchError) {
        switch backend {
        case .pool, .poolUnsupervised:
            try inPool { _ = join({ a() }, { b() }) }
        case .naive:
            let naive = try naivePool()
            naive.runBlocking { _ = naive.join({ a() }, { b() }) }
        case .dispatch:
            let group = DispatchGroup()
            DispatchQueue.global().async(group: group, execute: a)
            DispatchQueue.global().async(group: group, execute: b)
            group.wait()
        case .taskgroup:
            AsyncBridge.run {
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { a() }
                    group.addTask { b() }
                }
            }
        case .sequential:
            throw .backendFailed(backend: backend.rawValue, reason: "has no threads to fork onto")
        }
    }
}
