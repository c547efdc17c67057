import Synchronization
import Tasklets

/// The async kernels (docs/async.md): Swift tasks and actors on the pool
/// (`pool` backend) against the same code on Swift's default global executor
/// (`taskgroup` backend). Each reports ns or a rate in its metrics; the
/// checksum counts what ran.
enum AsyncKernels {
    /// Where the kernel's tasks run: the pool as their task executor, or
    /// nil for the default global executor.
    static func executor(_ context: BackendContext) throws(BenchError) -> TaskletPool? {
        switch context.backend {
        case .pool:
            guard let pool = context.taskletPool else {
                throw .backendFailed(backend: context.backend.rawValue, reason: "no pool")
            }
            return pool
        case .taskgroup:
            return nil
        default:
            throw .backendFailed(backend: context.backend.rawValue, reason: "runs no Swift tasks")
        }
    }

    /// spawn-async: from a task on the executor, `count` tasks spawned and
    /// awaited (`Task(executorPreference:)`, or plain `Task {}`), then the
    /// same count as task-group children.
    static func spawn(_ context: BackendContext, count: Int) throws(BenchError) -> KernelOutcome {
        let pool = try executor(context)
        let (sum, taskNs, groupNs) = AsyncBridge.run { () async -> (UInt64, Double, Double) in
            await onExecutor(pool) {
                var start = BenchClock.nanoseconds()
                var tasks: [Task<UInt64, Never>] = []
                tasks.reserveCapacity(count)
                for _ in 0..<count {
                    tasks.append(pool.map { pool in Task(executorPreference: pool) { 1 } } ?? Task { 1 })
                }
                var sum: UInt64 = 0
                for task in tasks { sum &+= await task.value }
                let taskNs = Double(BenchClock.nanoseconds() &- start) / Double(count)
                start = BenchClock.nanoseconds()
                sum &+= await withTaskGroup(of: UInt64.self) { group in
                    for _ in 0..<count {
                        if let pool {
                            group.addTask(executorPreference: pool) { 1 }
                        } else {
                            group.addTask { 1 }
                        }
                    }
                    return await group.reduce(0, &+)
                }
                return (sum, taskNs, Double(BenchClock.nanoseconds() &- start) / Double(count))
            }
        }
        return KernelOutcome(
            checksum: sum,
            metrics: [Metric("ns_per_task", taskNs), Metric("ns_per_group_child", groupNs)])
    }

    /// yield: `tasks` tasks each calling `Task.yield()` `rounds` times,
    /// spawned from a task on the executor. Two baselines of what it costs a
    /// task to be suspended and run again: a continuation resumed inside its
    /// own closure (`withUnsafeContinuation { $0.resume() }`, which the
    /// runtime may finish without suspending), and a hand-off: two tasks
    /// resuming each other's continuations (each resume enqueues a task).
    static func yield(_ context: BackendContext, tasks: Int, rounds: Int) throws(BenchError) -> KernelOutcome {
        let pool = try executor(context)
        let progress = (0..<tasks).map { _ in YieldProgress() }
        let snapshot = SnapshotBox()
        let (total, yieldNs, resumeNs, handoffNs) = AsyncBridge.run { () async -> (UInt64, Double, Double, Double) in
            await onExecutor(pool) {
                let start = BenchClock.nanoseconds()
                let workers = (0..<tasks).map { index in
                    let mine = progress[index]
                    return spawnTask(on: pool) { () async -> UInt64 in
                        for _ in 0..<rounds {
                            await Task.yield()
                            mine.bump()
                        }
                        // When the first task is done, how far did the others get?
                        snapshot.setOnce(YieldProgress.spread(progress))
                        return UInt64(rounds)
                    }
                }
                var total: UInt64 = 0
                for worker in workers { total &+= await worker.value }
                let yieldNs = Double(BenchClock.nanoseconds() &- start) / Double(tasks * rounds)
                let resumeNs = await spawnTask(on: pool) { () async -> Double in
                    let start = BenchClock.nanoseconds()
                    for _ in 0..<rounds {
                        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
                            continuation.resume()
                        }
                    }
                    return Double(BenchClock.nanoseconds() &- start) / Double(rounds)
                }.value
                let handoffNs = await handoff(on: pool, rounds: rounds)
                return (total, yieldNs, resumeNs, handoffNs)
            }
        }
        let (low, high) = snapshot.value
        return KernelOutcome(
            checksum: total,
            metrics: [
                Metric("ns_per_yield", yieldNs), Metric("ns_per_resume", resumeNs),
                Metric("ns_per_handoff", handoffNs),
                Metric("yield_per_handoff", handoffNs > 0 ? yieldNs / handoffNs : 0),
                Metric("fairness_min_over_max", high == 0 ? 0 : Double(low) / Double(high)),
            ])
    }

    /// Two tasks resuming each other `rounds` times: ns per resume.
    static func handoff(on pool: TaskletPool?, rounds: Int) async -> Double {
        let ping = Baton()
        let pong = Baton()
        let start = BenchClock.nanoseconds()
        let a = spawnTask(on: pool) { () async -> Void in
            for _ in 0..<rounds {
                pong.pass()
                await ping.take()
            }
        }
        let b = spawnTask(on: pool) { () async -> Void in
            for _ in 0..<rounds {
                await pong.take()
                ping.pass()
            }
        }
        await a.value
        await b.value
        return Double(BenchClock.nanoseconds() &- start) / Double(2 * rounds)
    }

    /// actors: `actors` actors (on pool strands, or default actors), each
    /// receiving `messages` awaited calls from its own sender task.
    static func actors(_ context: BackendContext, actors count: Int, messages: Int) throws(BenchError) -> KernelOutcome {
        let pool = try executor(context)
        let (sum, ns) = AsyncBridge.run { () async -> (UInt64, UInt64) in
            await onExecutor(pool) {
                if let pool {
                    return await sendAll((0..<count).map { _ in StrandInbox(pool: pool) }, messages, pool)
                }
                return await sendAll((0..<count).map { _ in DefaultInbox() }, messages, nil)
            }
        }
        return KernelOutcome(
            checksum: sum,
            metrics: [Metric("messages_per_s", Double(sum) / (Double(ns) / 1e9)), Metric("ns_per_message", Double(ns) / Double(sum))])
    }

    /// One sender task per inbox, each awaiting `messages` calls; the sum of
    /// the inboxes' counts and the nanoseconds it took. Generic, not over
    /// `any BenchInbox`: an existential actor costs a conformance lookup per
    /// call on either backend.
    static func sendAll<Inbox: BenchInbox>(
        _ inboxes: [Inbox], _ messages: Int, _ pool: TaskletPool?
    ) async -> (UInt64, UInt64) {
        let start = BenchClock.nanoseconds()
        let senders = inboxes.map { inbox in
            spawnTask(on: pool) { () async -> UInt64 in
                for _ in 0..<messages { await inbox.receive() }
                return await inbox.count
            }
        }
        var sum: UInt64 = 0
        for sender in senders { sum &+= await sender.value }
        return (sum, BenchClock.nanoseconds() &- start)
    }

    /// A task on the pool, or on the default global executor.
    static func spawnTask<T: Sendable>(
        on pool: TaskletPool?, _ operation: sending @escaping @isolated(any) () async -> T
    ) -> Task<T, Never> {
        if let pool { return Task(executorPreference: pool, operation: operation) }
        return Task(operation: operation)
    }

    /// Runs `body` with the pool as the task's executor preference (or as it is).
    static func onExecutor<T: Sendable>(_ pool: TaskletPool?, _ body: () async -> T) async -> T {
        guard let pool else { return await body() }
        return await withTaskExecutorPreference(pool) { await body() }
    }
}

/// A one-slot hand-off between two tasks: `pass` resumes the task waiting
/// in `take`, or lets the next `take` return at once.
final class Baton: @unchecked Sendable {
    private let mutex = _PthreadLock()
    private var waiter: UnsafeContinuation<Void, Never>?
    private var passed = false

    /// Whether a task waits in `take`.
    var hasWaiter: Bool {
        mutex.lock()
        defer { mutex.unlock() }
        return waiter != nil
    }

    func take() async {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            mutex.lock()
            if passed {
                passed = false
                mutex.unlock()
                continuation.resume()
            } else {
                waiter = continuation
                mutex.unlock()
            }
        }
    }

    func pass() {
        mutex.lock()
        let continuation = waiter
        waiter = nil
        if continuation == nil { passed = true }
        mutex.unlock()
        continuation?.resume()
    }
}

/// An actor the `actors` kernel sends to.
protocol BenchInbox: Actor {
    func receive()
    var count: UInt64 { get }
}

/// A default actor: on Swift's global executor.
actor DefaultInbox: BenchInbox {
    var count: UInt64 = 0
    func receive() { count &+= 1 }
}

/// An actor on a pool strand.
actor StrandInbox: BenchInbox {
    let strand: TaskletStrand
    nonisolated var unownedExecutor: UnownedSerialExecutor { strand.asUnownedSerialExecutor() }
    var count: UInt64 = 0
    init(pool: TaskletPool) { strand = pool.makeSerialExecutor() }
    func receive() { count &+= 1 }
}

/// One task's progress in the `yield` kernel: a counter of its own (an
/// object per task, so that tasks on different workers don't share a cache
/// line), read by the first task to finish.
final class YieldProgress: Sendable {
    private let rounds = Atomic<Int>(0)
    func bump() { rounds.wrappingAdd(1, ordering: .relaxed) }
    var value: Int { rounds.load(ordering: .relaxed) }

    /// The lowest and highest progress of `all`.
    static func spread(_ all: [YieldProgress]) -> (Int, Int) {
        let values = all.map(\.value)
        return (values.min() ?? 0, values.max() ?? 0)
    }
}

/// The fairness snapshot, written once (by the first task to finish) and
/// read after every task was awaited.
final class SnapshotBox: Sendable {
    private let taken = Atomic<Bool>(false)
    private let low = Atomic<Int>(0)
    private let high = Atomic<Int>(0)
    func setOnce(_ value: @autoclosure () -> (Int, Int)) {
        guard !taken.exchange(true, ordering: .relaxed) else { return }
        let (lowest, highest) = value()
        low.store(lowest, ordering: .relaxed)
        high.store(highest, ordering: .relaxed)
    }
    var value: (Int, Int) { (low.load(ordering: .relaxed), high.load(ordering: .relaxed)) }
}
