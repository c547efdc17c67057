import Dispatch
import Tasklets

/// fib: naive Fibonacci, one spawn per call with n >= 2 (per-spawn overhead).
///
/// Each backend's version has its own shape (value return, leaf counter,
/// task group, queued task), so LLVM has no identical bodies to merge.
enum Fib {
    static func run(_ context: BackendContext, _ n: Int) throws(BenchError) -> KernelOutcome {
        switch context.backend {
        case .sequential:
            return KernelOutcome(checksum: sequential(n))
        case .pool, .poolUnsupervised:
            return KernelOutcome(checksum: try context.inPool { pool(n) })
        case .dispatch:
            let counters = SharedCounters()
            let group = DispatchGroup()
            dispatch(n, DispatchQueue.global(), group, counters)
            group.wait()
            return KernelOutcome(checksum: counters.sum.load(ordering: .acquiring))
        case .taskgroup:
            return KernelOutcome(checksum: AsyncBridge.run { await taskGroup(n) })
        case .naive:
            let naivePool = try context.naivePool()
            return KernelOutcome(checksum: naivePool.runBlocking { naive(n, naivePool) })
        }
    }

    /// Plain recursion: the Ts baseline.
    static func sequential(_ n: Int) -> UInt64 {
        n < 2 ? UInt64(n) : sequential(n - 1) &+ sequential(n - 2)
    }

    /// `join` with closure literals, so it inlines; b is the stealable half.
    static func pool(_ n: Int) -> UInt64 {
        if n < 2 { return UInt64(n) }
        let (x, y) = join({ pool(n - 1) }, { pool(n - 2) })
        return x &+ y
    }

    /// Spawns fib(n-1) and goes on with n-2 itself; leaves add to a counter.
    static func dispatch(_ n: Int, _ queue: DispatchQueue, _ group: DispatchGroup, _ counters: SharedCounters) {
        var n = n
        while n >= 2 {
            let child = n - 1
            queue.async(group: group) { dispatch(child, queue, group, counters) }
            n -= 2
        }
        counters.add(UInt64(n))
    }

    /// One child task per call; the caller computes fib(n-2) meanwhile.
    static func taskGroup(_ n: Int) async -> UInt64 {
        if n < 2 { return UInt64(n) }
        return await withTaskGroup(of: UInt64.self) { group in
            group.addTask { await taskGroup(n - 1) }
            var total = await taskGroup(n - 2)
            for await value in group { total &+= value }
            return total
        }
    }

    /// fib(n-1) queued on the shared list, fib(n-2) here.
    static func naive(_ n: Int, _ pool: NaivePool) -> UInt64 {
        if n < 2 { return UInt64(n) }
        let (y, x) = pool.join({ naive(n - 2, pool) }, { naive(n - 1, pool) })
        return x &+ y
    }
}
