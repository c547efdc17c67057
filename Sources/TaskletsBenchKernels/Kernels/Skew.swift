import Dispatch
import Tasklets

/// skew: one long task spawned first, then many short ones, all by the same
/// parent (starvation). Reports when the last short task finished.
enum Skew {
    struct Shape: Sendable {
        let longIterations: Int
        let shortIterations: Int
        let shortCount: Int
        init(_ parameters: KernelParameters) {
            longIterations = parameters.skewLongIters
            shortIterations = parameters.skewShortIters
            shortCount = parameters.skewNShort
        }
    }

    /// Runs the kernel; `start` is the runner's clock reading at its start.
    static func run(
        _ context: BackendContext, _ parameters: KernelParameters, start: UInt64
    ) throws(BenchError) -> KernelOutcome {
        let shape = Shape(parameters)
        let counters = SharedCounters(remaining: shape.shortCount)
        switch context.backend {
        case .sequential:
            sequential(shape, counters)
        case .pool, .poolUnsupervised:
            try context.inPool { pool(shape, counters) }
        case .dispatch:
            dispatch(shape, counters)
        case .taskgroup:
            AsyncBridge.run { await taskGroup(shape, counters) }
        case .naive:
            let naivePool = try context.naivePool()
            naivePool.runBlocking { naive(shape, counters, naivePool) }
        }
        let finished = counters.finishedAt.load(ordering: .acquiring)
        return KernelOutcome(
            checksum: counters.sum.load(ordering: .acquiring),
            shortMs: BenchClock.milliseconds(from: start, to: finished))
    }

    @inline(__always)
    static func longTask(_ shape: Shape, _ counters: SharedCounters) {
        counters.add(KernelHash.spin(0, shape.longIterations))
    }

    @inline(__always)
    static func shortTask(_ shape: Shape, _ j: Int, _ counters: SharedCounters) {
        counters.add(KernelHash.spin(UInt64(j), shape.shortIterations))
        counters.finishOne()
    }

    /// The long task, then the short ones.
    static func sequential(_ shape: Shape, _ counters: SharedCounters) {
        longTask(shape, counters)
        for j in 1...shape.shortCount { shortTask(shape, j, counters) }
    }

    /// Every task spawned into one `scope`.
    static func pool(_ shape: Shape, _ counters: SharedCounters) {
        scope { s in
            s.spawn { longTask(shape, counters) }
            for j in 1...shape.shortCount { s.spawn { shortTask(shape, j, counters) } }
        }
    }

    static func dispatch(_ shape: Shape, _ counters: SharedCounters) {
        let queue = DispatchQueue.global()
        let group = DispatchGroup()
        queue.async(group: group) {
            queue.async(group: group) { longTask(shape, counters) }
            for j in 1...shape.shortCount { queue.async(group: group) { shortTask(shape, j, counters) } }
        }
        group.wait()
    }

    static func taskGroup(_ shape: Shape, _ counters: SharedCounters) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { longTask(shape, counters) }
            for j in 1...shape.shortCount { group.addTask { shortTask(shape, j, counters) } }
        }
    }

    static func naive(_ shape: Shape, _ counters: SharedCounters, _ pool: NaivePool) {
        var jobs = [pool.spawn { longTask(shape, counters) }]
        for j in 1...shape.shortCount { jobs.append(pool.spawn { shortTask(shape, j, counters) }) }
        for job in jobs { pool.wait(job) }
    }
}
