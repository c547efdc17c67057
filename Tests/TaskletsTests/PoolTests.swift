import Foundation
import Synchronization
import Testing
@testable import Tasklets

@Suite struct PoolTests {
    /// Spawned tasklets run exactly once, counted per id, whether they are
    /// spawned from a thread outside the pool (the injector) or from a
    /// worker (its deque).
    @Test(arguments: [1, 2, 4], [false, true])
    func spawnedTaskletsRunExactlyOnce(workers: Int, fromInside: Bool) throws {
        let pool = try TaskletPool(workers: workers)
        defer { pool.shutdown() }
        let total = 20_000
        let seen = Counters(count: total)
        let finished = Counters(count: 1)
        let spawnAll: @Sendable () throws -> Void = {
            for index in 0..<total {
                try pool.spawn {
                    seen.increment(index)
                    finished.increment(0)
                }
            }
        }
        if fromInside {
            try bounded { try pool.run { try spawnAll() } }
        } else {
            try spawnAll()
        }
        #expect(eventually { finished[0] == total })
        #expect(seen.mismatches() == [])
    }

    @Test(arguments: [1, 2])
    func nestedJoinTwentyFiveDeep(workers: Int) throws {
        let pool = try TaskletPool(workers: workers)
        defer { pool.shutdown() }
        // 25 levels of nesting along the left spine, a full binary tree in
        // the last five levels.
        let total = try bounded { try pool.run { leaves(25) } }
        #expect(total == 32)  // leaves(d) == leaves(d - 1) above depth 5
    }

    @Test(arguments: [1, 2, 3])
    func fibonacciWithJoinAtEveryCall(workers: Int) throws {
        let pool = try TaskletPool(workers: workers)
        defer { pool.shutdown() }
        #expect(try bounded { try pool.run { fib(24) } } == 46368)
    }

    @Test func joinOutsideAPoolRunsBothHalves() {
        let (a, b) = join({ 1 }, { "two" })
        #expect(a == 1 && b == "two")
    }

    @Test func runFromInsideThePoolRunsInline() throws {
        let pool = try TaskletPool(workers: 2)
        defer { pool.shutdown() }
        let (outer, inner) = try bounded {
            try pool.run { (TaskletPool.currentWorkerIndex, try pool.run { TaskletPool.currentWorkerIndex }) }
        }
        #expect(outer != nil && outer == inner)
    }

    @Test func runFromInsideAnotherPoolWaitsForIt() throws {
        let first = try TaskletPool(workers: 1)
        let second = try TaskletPool(workers: 1)
        defer {
            first.shutdown()
            second.shutdown()
        }
        let value = try bounded { try first.run { try second.run { 7 } * 6 } }
        #expect(value == 42)
    }

    @Test func statisticsCountStealsAndTasklets() throws {
        let pool = try TaskletPool(workers: 2)
        defer { pool.shutdown() }
        _ = try bounded {
            try pool.run {
                join({ usleep(20_000) }, { usleep(20_000) })
            }
        }
        let total = pool.statistics().total
        #expect(total.tasklets >= 2)  // the run itself and the stolen half
        #expect(total.steals >= 1)
        #expect(pool.statistics().workers.count == 2)
    }
}

/// A left spine of nested joins, `depth` deep, with a full binary tree in
/// its last five levels.
func leaves(_ depth: Int) -> Int {
    if depth == 0 { return 1 }
    let (left, right) = join({ leaves(depth - 1) }, { depth > 5 ? 0 : leaves(depth - 1) })
    return left + right
}

func fib(_ n: Int) -> Int {
    if n < 2 { return n }
    let (a, b) = join({ fib(n - 1) }, { fib(n - 2) })
    return a + b
}
