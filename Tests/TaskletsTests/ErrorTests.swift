import Foundation
import Synchronization
import Testing
@testable import Tasklets

struct Boom: Error, Equatable { let id: Int }

@Suite struct ErrorTests {
    @Test(arguments: [1, 2])
    func errorInFirstHalfPropagatesAndSiblingStillRuns(workers: Int) throws {
        let pool = try TaskletPool(workers: workers)
        defer { pool.shutdown() }
        let siblingRan = Counters(count: 1)
        #expect(throws: Boom(id: 1)) {
            try bounded {
                try pool.run { () throws(Boom) in
                    _ = try join({ () throws(Boom) -> Int in throw Boom(id: 1) }, { () throws(Boom) -> Int in
                        usleep(5_000)
                        siblingRan.increment(0)
                        return 2
                    })
                }
            }
        }
        #expect(siblingRan[0] == 1)
    }

    @Test(arguments: [1, 2])
    func errorInSecondHalfPropagatesAfterFirstHalfFinished(workers: Int) throws {
        let pool = try TaskletPool(workers: workers)
        defer { pool.shutdown() }
        let firstFinished = Counters(count: 1)
        #expect(throws: Boom(id: 2)) {
            try bounded {
                try pool.run { () throws(Boom) in
                    _ = try join({ () throws(Boom) -> Int in
                        usleep(20_000)
                        firstFinished.increment(0)
                        return 1
                    }, { () throws(Boom) -> Int in throw Boom(id: 2) })
                }
            }
        }
        #expect(firstFinished[0] == 1)
    }

    @Test func whenBothHalvesThrowTheFirstErrorWins() throws {
        let pool = try TaskletPool(workers: 2)
        defer { pool.shutdown() }
        // The second half throws at once; the first half throws later.
        #expect(throws: Boom(id: 2)) {
            try bounded {
                try pool.run { () throws(Boom) in
                    _ = try join({ () throws(Boom) -> Int in
                        usleep(50_000)
                        throw Boom(id: 1)
                    }, { () throws(Boom) -> Int in throw Boom(id: 2) })
                }
            }
        }
        // Outside a pool the halves run in order: the first one throws first.
        #expect(throws: Boom(id: 1)) {
            _ = try join({ () throws(Boom) -> Int in throw Boom(id: 1) }, { () throws(Boom) -> Int in throw Boom(id: 2) })
        }
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

    @Test func throwingScopeReportsTheFirstErrorAfterEveryTaskletFinished() throws {
        let pool = try TaskletPool(workers: 2)
        defer { pool.shutdown() }
        let finished = Counters(count: 1)
        #expect(throws: Boom(id: 3)) {
            try bounded {
                try pool.run {
                    try throwingScope { scope in
                        scope.spawn { throw Boom(id: 3) }
                        for _ in 0..<20 {
                            scope.spawn {
                                usleep(2_000)
                                finished.increment(0)
                            }
                        }
                    }
                }
            }
        }
        #expect(finished[0] == 20)
    }
}
