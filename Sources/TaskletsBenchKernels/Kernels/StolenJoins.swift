import Dispatch
import Tasklets

/// stolen-joins: STOLEN_JOINS fork-joins in a row from one job, each half
/// STOLEN_SPIN rounds of hashing. While the job runs its first half, an
/// idle worker takes the second, so on two or more workers almost every
/// `b` is stolen (fib, where thieves take big subtrees, steals a few times
/// per run). What a steal costs, end to end: the pool reports its steals
/// over the run (`steals`, and `stolen_share` of the joins). Each half is
/// about 1.75 µs at the default 500 rounds on the AMD EPYC VM of
/// docs/benchmarks.md.
enum StolenJoins {
    /// Half `side` (0 or 1) of join `index`: distinct seeds, so the
    /// checksum notices a half run with the wrong index or a result handed
    /// to the wrong join or side.
    @inline(__always)
    static func half(_ index: Int, _ side: Int, rounds: Int) -> UInt64 {
        KernelHash.spin(UInt64(truncatingIfNeeded: 2 &* index &+ side), rounds)
    }

    static func run(_ context: BackendContext, _ parameters: KernelParameters) throws(BenchError) -> KernelOutcome {
        let joins = parameters.stolenJoins
        let rounds = parameters.stolenSpin
        switch context.backend {
        case .sequential:
            return KernelOutcome(checksum: sequential(joins, rounds: rounds))
        case .pool, .poolUnsupervised:
            let stealsBefore = context.poolStatistics?.steals ?? 0
            let checksum = try context.inPool { pool(joins, rounds: rounds) }
            // Counts the job of `run` too, if a worker took it from the one
            // it was handed to: at most one more than the joins.
            let steals = Double((context.poolStatistics?.steals ?? 0) &- stealsBefore)
            let share = joins > 0 ? min(steals / Double(joins), 1) : 0
            return KernelOutcome(checksum: checksum, metrics: [Metric("steals", steals), Metric("stolen_share", share)])
        case .dispatch:
            return KernelOutcome(checksum: dispatch(joins, rounds: rounds))
        case .taskgroup:
            return KernelOutcome(checksum: AsyncBridge.run { await taskGroup(joins, rounds: rounds) })
        case .naive:
            let naivePool = try context.naivePool()
            return KernelOutcome(checksum: naivePool.runBlocking { naive(joins, rounds: rounds, naivePool) })
        }
    }

    /// Both halves in turn: the Ts baseline, and the expected checksum.
    static func sequential(_ joins: Int, rounds: Int) -> UInt64 {
        var sum: UInt64 = 0
        for index in 0..<joins { sum = sum &+ half(index, 0, rounds: rounds) &+ half(index, 1, rounds: rounds) }
        return sum
    }

    static func pool(_ joins: Int, rounds: Int) -> UInt64 {
        var sum: UInt64 = 0
        for index in 0..<joins {
            let (a, b) = join({ half(index, 0, rounds: rounds) }, { half(index, 1, rounds: rounds) })
            sum = sum &+ a &+ b
        }
        return sum
    }

    /// The second half queued on the global queue, the first run here.
    static func dispatch(_ joins: Int, rounds: Int) -> UInt64 {
        let queue = DispatchQueue.global()
        var sum: UInt64 = 0
        for index in 0..<joins {
            let group = DispatchGroup()
            let second = ResultSlot<UInt64>()
            queue.async(group: group) { second.value = half(index, 1, rounds: rounds) }
            let first = half(index, 0, rounds: rounds)
            group.wait()
            sum = sum &+ first &+ second.take()
        }
        return sum
    }

    /// The second half as a child task of a group, the first in the parent.
    static func taskGroup(_ joins: Int, rounds: Int) async -> UInt64 {
        var sum: UInt64 = 0
        for index in 0..<joins {
            sum = sum &+ (await withTaskGroup(of: UInt64.self) { group in
                group.addTask { half(index, 1, rounds: rounds) }
                var pair = half(index, 0, rounds: rounds)
                for await second in group { pair = pair &+ second }
                return pair
            })
        }
        return sum
    }

    static func naive(_ joins: Int, rounds: Int, _ naivePool: NaivePool) -> UInt64 {
        var sum: UInt64 = 0
        for index in 0..<joins {
            let (a, b) = naivePool.join({ half(index, 0, rounds: rounds) }, { half(index, 1, rounds: rounds) })
            sum = sum &+ a &+ b
        }
        return sum
    }
}
