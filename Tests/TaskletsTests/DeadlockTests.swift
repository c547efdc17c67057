import Foundation
import Synchronization
import Testing
@testable import Tasklets

/// Deadlocks and stalls reported against other runtimes, as tests. Each must
/// finish, or fail with a clear error, within a bounded time: `bounded`
/// stops the test process if it hangs.
@Suite struct DeadlockTests {
    /// rayon-rs/rayon#592: a thread holds a lock across a `join` while
    /// unrelated queued work takes the same lock. A waiting `join` that ran
    /// that work on the lock-holding thread would deadlock on itself. Here
    /// the second half is stolen, and while the owner waits for it (holding
    /// the lock) lock-taking jobs arrive from outside the pool.
    @Test func aLockHeldAcrossJoinDoesNotDeadlockWithQueuedWork() throws {
        let pool = try TaskletPool(workers: 2)
        defer { pool.shutdown() }
        let lock = PthreadLock()
        let flags = Counters(count: 2)  // 0: b started, 1: unrelated jobs run
        try bounded(30, "join under a lock") {
            try pool.run {
                lock.withLock {
                    _ = join({ () -> Int in
                        _ = eventually(within: 10) { flags[0] == 1 }
                        runConcurrently(1) { _ in
                            for _ in 0..<20 {
                                try? pool.spawn { lock.withLock { flags.increment(1) } }
                            }
                        }
                        return 1
                    }, { () -> Int in
                        flags.increment(0)
                        usleep(100_000)
                        return 2
                    })
                }
            }
        }
        #expect(eventually { flags[1] == 20 })
    }

    /// rayon-rs/rayon#957: a waiting `join` must not pick up an unrelated
    /// long job and keep its caller waiting long after its own work is done.
    /// Here the second half is stolen, and while the owner waits for it an
    /// unrelated job that runs until released arrives from outside.
    @Test func aWaitingJoinIsNotBuriedUnderAnUnrelatedLongJob() throws {
        let pool = try TaskletPool(workers: 2)
        let flags = Counters(count: 3)  // 0: b started, 1: release, 2: long job started
        defer {
            flags.increment(1)
            pool.shutdown()
        }
        try bounded(30, "join next to a long job") {
            try pool.run {
                _ = join({ () -> Int in
                    // Wait until the other worker stole b, then queue the
                    // unrelated job from a thread outside the pool.
                    _ = eventually(within: 10) { flags[0] == 1 }
                    runConcurrently(1) { _ in
                        try? pool.spawn {
                            flags.increment(2)
                            while flags[1] == 0 { usleep(1_000) }
                        }
                    }
                    return 1
                }, { () -> Int in
                    flags.increment(0)
                    usleep(100_000)
                    return 2
                })
            }
        }
        // Had the waiting worker taken the long job, `run` would only have
        // returned after the release, which comes after `run`: the bounded
        // wait would have stopped the process.
        #expect(flags[0] == 1)
        #expect(eventually { flags[2] == 1 })
    }

    /// A detached `spawn` made by a join's first half lands above the join's
    /// own record. Taking the record back must not run it inline: it takes
    /// the lock the caller holds across the join (one worker, so only the
    /// join's own worker could run it there).
    @Test func aJoinDoesNotRunItsFirstHalfsDetachedSpawnUnderTheCallersLock() throws {
        let pool = try TaskletPool(workers: 1)
        defer { pool.shutdown() }
        let lock = PthreadLock()
        let ran = Counters(count: 1)
        try bounded(30, "join after a detached spawn, under a lock") {
            try pool.run {
                lock.withLock {
                    _ = join({ () -> Int in
                        try? pool.spawn { lock.withLock { ran.increment(0) } }
                        return 1
                    }, { 2 })
                }
            }
        }
        #expect(eventually { ran[0] == 1 })
    }

    /// The same for a scope's final wait.
    @Test func aScopeDoesNotRunADetachedSpawnUnderTheCallersLock() throws {
        let pool = try TaskletPool(workers: 1)
        defer { pool.shutdown() }
        let lock = PthreadLock()
        let ran = Counters(count: 2)
        try bounded(30, "scope after a detached spawn, under a lock") {
            try pool.run {
                lock.withLock {
                    scope { s in
                        s.spawn { ran.increment(1) }
                        // Newest in the deque, so a wait that ran it would
                        // take it before the tasklet.
                        try? pool.spawn { lock.withLock { ran.increment(0) } }
                    }
                }
            }
        }
        #expect(ran[1] == 1)
        #expect(eventually { ran[0] == 1 })
    }

    /// And for a `join` waiting on its stolen second half: the half spawns
    /// a detached job on its thief; the waiting owner, which holds the lock,
    /// must not take it from the thief.
    @Test func aWaitingJoinDoesNotStealItsThiefsDetachedSpawn() throws {
        let pool = try TaskletPool(workers: 2)
        defer { pool.shutdown() }
        let lock = PthreadLock()
        let flags = Counters(count: 2)  // 0: b started, 1: the detached job ran
        for _ in 0..<20 {
            flags.reset()
            try bounded(30, "a join waiting next to its thief's detached spawn") {
                try pool.run {
                    lock.withLock {
                        _ = join({ () -> Int in
                            _ = eventually(within: 10) { flags[0] == 1 }
                            return 1
                        }, { () -> Int in
                            flags.increment(0)
                            try? pool.spawn { lock.withLock { flags.increment(1) } }
                            usleep(20_000)  // the owner waits meanwhile
                            return 2
                        })
                    }
                }
            }
            #expect(eventually { flags[1] == 1 })
        }
    }

    /// `run` from a worker of the same pool runs inline (no self-wait), and
    /// from a worker of another pool waits for that pool; both directions at
    /// once must not deadlock while each pool has a free worker.
    @Test func runAcrossTwoPoolsBothWays() throws {
        let first = try TaskletPool(workers: 2)
        let second = try TaskletPool(workers: 2)
        defer {
            first.shutdown()
            second.shutdown()
        }
        let total = try bounded(30, "run across pools") {
            try first.run {
                try parallelReduce(0..<8, grain: 1, identity: 0, combine: +) { range in
                    try second.run { try first.run { range.count } }
                }
            }
        }
        #expect(total == 8)
    }
}

/// Regressions found in review.
@Suite struct ReviewRegressionTests {
    /// A `join` whose first half calls into another pool: while that worker
    /// waits on the other pool it helps its own pool, but must never take
    /// the join's own pending half (or anything older) from its own deque.
    @Test func aJoinWhoseFirstHalfWaitsOnAnotherPoolRunsItsSecondHalfOnce() throws {
        let pool = try TaskletPool(workers: 1)
        let other = try TaskletPool(workers: 1)
        defer {
            pool.shutdown()
            other.shutdown()
        }
        let secondHalfRuns = Counters(count: 1)
        let spawned = Counters(count: 1)
        for _ in 0..<50 {
            try bounded(30, "join across pools") {
                try pool.run {
                    // An outer join, so that the inner join's half is not
                    // the only job in the deque.
                    _ = join({
                        join({ () -> Int in
                            // Waits on the other pool; meanwhile this worker
                            // helps its own pool. Then a detached spawn lands
                            // on the deque.
                            _ = try? other.run { usleep(200) }
                            try? pool.spawn { spawned.increment(0) }
                            return 1
                        }, { () -> Int in
                            secondHalfRuns.increment(0)
                            return 2
                        })
                    }, { 3 })
                }
            }
        }
        #expect(secondHalfRuns[0] == 50)
        #expect(eventually { spawned[0] == 50 })
    }

    /// `shutdown` from a worker (which cannot wait for itself) racing a
    /// `shutdown` from outside (which waits): neither may deadlock, and the
    /// outside caller returns only after every worker has exited.
    @Test func concurrentShutdownsFromInsideAndOutside() throws {
        for _ in 0..<50 {
            let pool = try TaskletPool(workers: 2)
            let ran = Counters(count: 1)
            for _ in 0..<100 { try pool.spawn { usleep(10); ran.increment(0) } }
            try pool.spawn { pool.shutdown() }
            try bounded(30, "concurrent shutdown") { pool.shutdown() }
            #expect(ran[0] == 100)
        }
    }
}
