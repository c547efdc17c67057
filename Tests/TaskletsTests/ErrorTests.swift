import Foundation
import Synchronization
import Testing
@testable import Tasklets

struct Boom: Error, Equatable { let id: Int }

/// The errors rule, the same for every construct: the first error thrown
/// (in time) cancels the rest; work not yet started is skipped, running work
/// can see it, and the caller gets the first error once every started branch
/// has returned.
@Suite struct JoinErrorTests {
    @Test func anErrorFromTheFirstHalfSkipsAnUnstartedSecondHalf() throws {
        // One worker: nobody can steal `b`, so it has not started when `a` throws.
        let pool = try TaskletPool(workers: 1)
        defer { pool.shutdown() }
        let secondRan = Counters(count: 1)
        #expect(throws: Boom(id: 1)) {
            try bounded {
                try pool.run { () throws(Boom) in
                    _ = try join({ () throws(Boom) -> Int in throw Boom(id: 1) }, { () throws(Boom) -> Int in
                        secondRan.increment(0)
                        return 2
                    })
                }
            }
        }
        #expect(secondRan[0] == 0)
        #expect(pool.statistics().total.skipped == 1)
        // Outside a pool the halves run in turn: the same rule.
        #expect(throws: Boom(id: 1)) {
            _ = try join({ () throws(Boom) -> Int in throw Boom(id: 1) }, { () throws(Boom) -> Int in
                secondRan.increment(0)
                return 2
            })
        }
        #expect(secondRan[0] == 0)
    }

    @Test func aRunningStolenHalfSeesTheCancellationAndTheCallerWaitsForIt() throws {
        let pool = try TaskletPool(workers: 2)
        defer { pool.shutdown() }
        let flags = Counters(count: 3)  // 0: b started, 1: b saw the cancellation, 2: b returned
        #expect(throws: Boom(id: 1)) {
            try bounded {
                try pool.run { () throws(Boom) in
                    _ = try join({ () throws(Boom) -> Int in
                        _ = eventually(within: 10) { flags[0] == 1 }
                        throw Boom(id: 1)
                    }, { () throws(Boom) -> Int in
                        flags.increment(0)
                        if eventually(within: 10, { Tasklet.isCancelled }) { flags.increment(1) }
                        usleep(20_000)
                        flags.increment(2)
                        return 2
                    })
                }
            }
        }
        #expect(flags[1] == 1)
        #expect(flags[2] == 1)  // returned before the error reached the caller
    }

    @Test func anErrorFromTheSecondHalfCancelsTheFirst() throws {
        let pool = try TaskletPool(workers: 2)
        defer { pool.shutdown() }
        let flags = Counters(count: 2)  // 0: b started, 1: a saw the cancellation
        #expect(throws: Boom(id: 2)) {
            try bounded {
                try pool.run { () throws(Boom) in
                    _ = try join({ () throws(Boom) -> Int in
                        if eventually(within: 10, { Tasklet.isCancelled }) { flags.increment(1) }
                        return 1
                    }, { () throws(Boom) -> Int in
                        flags.increment(0)
                        throw Boom(id: 2)
                    })
                }
            }
        }
        #expect(flags[1] == 1)
    }

    @Test(arguments: [false, true])
    func whenBothHalvesThrowTheFirstThrownWins(secondFirst: Bool) throws {
        let pool = try TaskletPool(workers: 2)
        defer { pool.shutdown() }
        let started = Counters(count: 1)
        // Each half waits for the other to have started, then one throws
        // at once and the other 30 ms later: the early one wins, whichever
        // half it is.
        let expected = Boom(id: secondFirst ? 2 : 1)
        #expect(throws: expected) {
            try bounded {
                try pool.run { () throws(Boom) in
                    _ = try join({ () throws(Boom) -> Int in
                        _ = eventually(within: 10) { started[0] == 1 }
                        if secondFirst { usleep(30_000) }
                        throw Boom(id: 1)
                    }, { () throws(Boom) -> Int in
                        started.increment(0)
                        if !secondFirst { usleep(30_000) }
                        throw Boom(id: 2)
                    })
                }
            }
        }
    }

    /// `join({ join({ throw A at 0 ms }, { 60 ms }) }, { 20 ms; throw B })`
    /// delivers A: thrown first, though its join returns last.
    @Test func inNestedJoinsTheEarliestThrownWinsNotTheEarliestReturned() throws {
        let pool = try TaskletPool(workers: 3)
        defer { pool.shutdown() }
        let started = Counters(count: 2)  // 0: outer b, 1: inner b
        for _ in 0..<5 {
            started.reset()
            #expect(throws: Boom(id: 1)) {
                try bounded {
                    try pool.run { () throws(Boom) in
                        _ = try join({ () throws(Boom) -> Int in
                            try join({ () throws(Boom) -> Int in
                                // Both second halves run on thieves by now.
                                _ = eventually(within: 10) { started[0] == 1 && started[1] == 1 }
                                throw Boom(id: 1)
                            }, { () throws(Boom) -> Int in
                                started.increment(1)
                                usleep(60_000)
                                return 1
                            }).0
                        }, { () throws(Boom) -> Int in
                            started.increment(0)
                            _ = eventually(within: 10) { started[1] == 1 }
                            usleep(20_000)
                            throw Boom(id: 2)
                        })
                    }
                }
            }
        }
    }

    @Test func aThrowingJoinNestedInAScopeSeesTheScopeCancelled() throws {
        let pool = try TaskletPool(workers: 2)
        defer { pool.shutdown() }
        let flags = Counters(count: 2)  // 0: the join started, 1: it saw the cancellation
        #expect(throws: Boom(id: 7)) {
            try bounded {
                try pool.run {
                    try throwingScope { s in
                        s.spawn {
                            _ = try join({ () throws(Boom) -> Int in
                                flags.increment(0)
                                if eventually(within: 10, { Tasklet.isCancelled }) { flags.increment(1) }
                                return 1
                            }, { () throws(Boom) -> Int in 2 })
                        }
                        s.spawn {
                            // Started work sees the cancellation; unstarted work is skipped.
                            _ = eventually(within: 10) { flags[0] == 1 }
                            throw Boom(id: 7)
                        }
                    }
                }
            }
        }
        #expect(flags[1] == 1)
    }
}

@Suite struct ScopeErrorTests {
    @Test func theFirstErrorSkipsTaskletsThatHaveNotStarted() throws {
        // One worker runs the newest tasklet first: the throwing one.
        let pool = try TaskletPool(workers: 1)
        defer { pool.shutdown() }
        let ran = Counters(count: 1)
        #expect(throws: Boom(id: 3)) {
            try bounded {
                try pool.run {
                    try throwingScope { s in
                        for _ in 0..<20 { s.spawn { ran.increment(0) } }
                        s.spawn { throw Boom(id: 3) }
                    }
                }
            }
        }
        #expect(ran[0] == 0)
        #expect(pool.statistics().total.skipped == 20)
    }

    @Test func runningTaskletsSeeTheCancellationAndFinishFirst() throws {
        let pool = try TaskletPool(workers: 2)
        defer { pool.shutdown() }
        let flags = Counters(count: 3)  // 0: long one started, 1: saw it, 2: returned
        #expect(throws: Boom(id: 4)) {
            try bounded {
                try pool.run {
                    try throwingScope { s in
                        s.spawn { s in
                            flags.increment(0)
                            if eventually(within: 10, { s.isCancelled && Tasklet.isCancelled }) {
                                flags.increment(1)
                            }
                            usleep(20_000)
                            flags.increment(2)
                        }
                        s.spawn {
                            _ = eventually(within: 10) { flags[0] == 1 }
                            throw Boom(id: 4)
                        }
                    }
                }
            }
        }
        #expect(flags[1] == 1)
        #expect(flags[2] == 1)
    }

    @Test func theEarliestThrownWinsOverTheEarliestFinished() throws {
        let pool = try TaskletPool(workers: 3)
        defer { pool.shutdown() }
        // 0: second tasklet, 1: the join's a, 2: the join's b, 3: a throws now
        let started = Counters(count: 4)
        #expect(throws: Boom(id: 1)) {
            try bounded {
                try pool.run {
                    try throwingScope { s in
                        // Thrown first, but inside a join that returns after 400 ms.
                        s.spawn {
                            _ = try join({ () throws(Boom) -> Int in
                                started.increment(1)
                                _ = eventually(within: 10) { started[0] == 1 && started[2] == 1 }
                                started.increment(3)
                                throw Boom(id: 1)
                            }, { () throws(Boom) -> Int in
                                started.increment(2)
                                usleep(400_000)
                                return 1
                            })
                        }
                        // Thrown 100 ms after the first (a margin for a thread
                        // descheduled on a busy machine under TSan: 20 ms was
                        // not always enough), and finished 300 ms earlier.
                        s.spawn {
                            started.increment(0)
                            _ = eventually(within: 10) { started[3] == 1 }
                            usleep(100_000)
                            throw Boom(id: 2)
                        }
                    }
                }
            }
        }
    }

    @Test func aPlainScopeWhoseBodyThrowsSkipsUnstartedTasklets() throws {
        let pool = try TaskletPool(workers: 1)
        defer { pool.shutdown() }
        let ran = Counters(count: 1)
        #expect(throws: Boom(id: 5)) {
            try bounded {
                try pool.run { () throws(Boom) in
                    try scope { (s) throws(Boom) in
                        for _ in 0..<10 { s.spawn { ran.increment(0) } }
                        throw Boom(id: 5)
                    }
                }
            }
        }
        #expect(ran[0] == 0)
    }

    @Test func aPlainScopeRunsEveryTaskletWhenOnlyAnOuterConstructFailed() throws {
        // A plain scope cannot throw on its own, so it never skips silently:
        // its tasklets run (and can see the outer cancellation).
        let pool = try TaskletPool(workers: 2)
        defer { pool.shutdown() }
        let counts = Counters(count: 3)  // 0: ran, 1: inner scope started, 2: saw the cancellation
        #expect(throws: Boom(id: 6)) {
            try bounded {
                try pool.run {
                    try throwingScope { outer in
                        outer.spawn {
                            scope { inner in
                                counts.increment(1)
                                for _ in 0..<10 {
                                    inner.spawn {
                                        if eventually(within: 10, { Tasklet.isCancelled }) { counts.increment(2) }
                                        counts.increment(0)
                                    }
                                }
                            }
                        }
                        outer.spawn {
                            _ = eventually(within: 10) { counts[1] == 1 }
                            throw Boom(id: 6)
                        }
                    }
                }
            }
        }
        #expect(counts[0] == 10)
        #expect(counts[2] == 10)
    }

    @Test func spawnedTaskletErrorsGoToTheHandlerAndThePoolKeepsRunning() throws {
        let reported = Counters(count: 1)
        let pool = try TaskletPool(workers: 2, errorHandler: { error in
            if (error as? Boom) == Boom(id: 9) { reported.increment(0) }
        })
        defer { pool.shutdown() }
        for _ in 0..<10 { try pool.spawn { throw Boom(id: 9) } }
        #expect(eventually { reported[0] == 10 })
        #expect(try bounded { try pool.run { 5 } } == 5)
    }
}

@Suite struct LoopErrorTests {
    @Test func parallelForStopsAtTheFirstError() throws {
        // One worker runs the chunks left to right: after index 10 throws,
        // no later index runs.
        let pool = try TaskletPool(workers: 1)
        defer { pool.shutdown() }
        let ran = Counters(count: 1)
        #expect(throws: Boom(id: 10)) {
            try bounded {
                try pool.run {
                    try parallelFor(0..<1_000, grain: 4) { index in
                        ran.increment(0)
                        if index == 10 { throw Boom(id: 10) }
                    }
                }
            }
        }
        #expect(ran[0] == 11)
        #expect(pool.statistics().total.skipped > 0)
        // Outside a pool, the same.
        let outside = Counters(count: 1)
        #expect(throws: Boom(id: 10)) {
            try parallelFor(0..<1_000) { index in
                outside.increment(0)
                if index == 10 { throw Boom(id: 10) }
            }
        }
        #expect(outside[0] == 11)
    }

    @Test func parallelReduceDeliversTheEarliestThrown() throws {
        let pool = try TaskletPool(workers: 2)
        defer { pool.shutdown() }
        let started = Counters(count: 1)
        for _ in 0..<3 {
            started.reset()
            #expect(throws: Boom(id: 1)) {
                try bounded {
                    try pool.run {
                        try parallelReduce(0..<2, grain: 1, identity: 0, combine: +) { range in
                            if range.lowerBound == 1 {
                                started.increment(0)
                                usleep(30_000)
                                throw Boom(id: 2)
                            }
                            _ = eventually(within: 10) { started[0] == 1 }
                            throw Boom(id: 1)
                        }
                    }
                }
            }
        }
    }

    @Test func aThrowingCombineCancelsTheLoop() throws {
        #expect(throws: Boom(id: 11)) {
            try parallelReduce(0..<100, grain: 1, identity: 0, combine: { _, _ in throw Boom(id: 11) }) {
                $0.count
            }
        }
    }

    @Test func aLoopInsideACancelledScopeStopsAndThrowsCancellationError() throws {
        let pool = try TaskletPool(workers: 2)
        defer { pool.shutdown() }
        let loopError = LockedBox<String>()
        let chunksAfter = Counters(count: 2)  // 0: chunks run, 1: loop started
        #expect(throws: Boom(id: 12)) {
            try bounded {
                try pool.run {
                    try throwingScope { s in
                        s.spawn {
                            do {
                                try parallelFor(0..<100_000, grain: 1) { _ in
                                    chunksAfter.increment(1)
                                    chunksAfter.increment(0)
                                    usleep(10)
                                }
                            } catch {
                                loopError.value = "\(type(of: error))"
                                throw error
                            }
                        }
                        s.spawn {
                            _ = eventually(within: 10) { chunksAfter[1] > 0 }
                            throw Boom(id: 12)
                        }
                    }
                }
            }
        }
        #expect(loopError.value == "CancellationError")
        #expect(chunksAfter[0] < 100_000)
    }

    @Test func isCancelledIsFalseOutsideEveryConstruct() throws {
        #expect(!Tasklet.isCancelled)
        let pool = try TaskletPool(workers: 1)
        defer { pool.shutdown() }
        #expect(try pool.run { Tasklet.isCancelled } == false)
        // Outside a pool the tasklet runs at once, and its error cancels
        // the scope before the body's next line.
        let sawCancellation = Counters(count: 1)
        #expect(throws: Boom(id: 1)) {
            try throwingScope { s in
                s.spawn { throw Boom(id: 1) }
                do { try Tasklet.checkCancellation() } catch { sawCancellation.increment(0) }
            }
        }
        #expect(sawCancellation[0] == 1)
        #expect(!Tasklet.isCancelled)
    }
}
