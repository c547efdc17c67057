import Dispatch
import Synchronization
import Tasklets

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// blockstorm: BLOCKSTORM_TASKLETS tasklets that each block their thread
/// for BLOCKSTORM_MS (`usleep`), spawned from inside the backend; the run's
/// time is the time until all finished. On the pools each sleep is a
/// `blocking { }` section, which with supervision on hands the worker's
/// queue to a spare first; the other backends just sleep, and get whatever
/// their runtime does about blocked threads.
///
/// Reports the most tasklets blocked at once (the kernel's own count, on
/// every backend), tasklets × time over the wall time (how many threads
/// were blocked on average) and, on the pools, what supervision did. The
/// checksum counts the tasklets that ran exactly once.
enum BlockStorm {
    static func run(_ context: BackendContext, _ parameters: KernelParameters) throws(BenchError) -> KernelOutcome {
        let storm = Storm(count: parameters.blockstormTasklets, milliseconds: parameters.blockstormMs)
        let before = context.supervisionStatistics
        let start = BenchClock.nanoseconds()
        switch context.backend {
        case .pool, .poolUnsupervised:
            try context.inPool { pool(storm) }
        case .dispatch:
            dispatch(storm)
        case .taskgroup:
            AsyncBridge.run { await taskGroup(storm) }
        case .naive:
            let naivePool = try context.naivePool()
            naivePool.runBlocking { naive(storm, naivePool) }
        case .sequential:
            throw .backendFailed(backend: context.backend.rawValue, reason: "has no threads to block")
        }
        let wallMs = BenchClock.milliseconds(from: start, to: BenchClock.nanoseconds())
        let blockedMs = Double(storm.count) * Double(storm.microseconds) / 1000
        let metrics = [
            Metric("peak_blocked", Double(storm.peakBlocked.load(ordering: .acquiring))),
            Metric("mean_blocked", wallMs > 0 ? blockedMs / wallMs : 0),
        ]
        return KernelOutcome(
            checksum: storm.ledger.ranExactlyOnce,
            metrics: metrics + SupervisionFigures.metrics(before: before, after: context.supervisionStatistics))
    }

    /// One run's tasklets: what each does and what the run saw.
    final class Storm: Sendable {
        let count: Int
        let microseconds: UInt32
        let ledger: RunLedger
        /// Tasklets inside their sleep now, and the most at once.
        let blockedNow = Atomic<Int>(0)
        let peakBlocked = Atomic<Int>(0)

        init(count: Int, milliseconds: Int) {
            self.count = count
            microseconds = UInt32(milliseconds * 1000)
            ledger = RunLedger(count: count)
        }

        /// Tasklet `index`: counts itself, then sleeps inside `section`
        /// (`blocking` on the pools, a plain call elsewhere).
        @inline(__always)
        func tasklet(_ index: Int, _ section: (() -> Void) -> Void) {
            ledger.record(index, startedAt: BenchClock.nanoseconds())
            section {
                let now = blockedNow.add(1, ordering: .relaxed).newValue
                peakBlocked.max(now, ordering: .relaxed)
                usleep(microseconds)
                blockedNow.subtract(1, ordering: .relaxed)
            }
        }
    }

    static func plain(_ body: () -> Void) { body() }

    /// Every tasklet spawned into one `scope`, each sleeping in `blocking`.
    static func pool(_ storm: Storm) {
        scope { s in
            for index in 0..<storm.count { s.spawn { storm.tasklet(index) { blocking($0) } } }
        }
    }

    static func dispatch(_ storm: Storm) {
        let queue = DispatchQueue.global()
        let group = DispatchGroup()
        queue.async(group: group) {
            for index in 0..<storm.count { queue.async(group: group) { storm.tasklet(index, plain) } }
        }
        group.wait()
    }

    static func taskGroup(_ storm: Storm) async {
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<storm.count { group.addTask { storm.tasklet(index, plain) } }
        }
    }

    static func naive(_ storm: Storm, _ pool: NaivePool) {
        let jobs = (0..<storm.count).map { index in pool.spawn { storm.tasklet(index, plain) } }
        for job in jobs { pool.wait(job) }
    }
}
