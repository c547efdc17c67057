import Foundation
import Synchronization
import Testing
@testable import Tasklets

@Suite struct ScopeTests {
    @Test(arguments: [1, 2, 4])
    func scopeWaitsForEveryTasklet(workers: Int) throws {
        let pool = try TaskletPool(workers: workers)
        defer { pool.shutdown() }
        let total = 5_000
        let seen = Counters(count: total)
        let countAtReturn = try bounded {
            try pool.run {
                scope { scope in
                    for index in 0..<total {
                        scope.spawn {
                            if index % 1000 == 0 { usleep(1_000) }
                            seen.increment(index)
                        }
                    }
                }
                return (0..<total).filter { seen[$0] == 1 }.count
            }
        }
        #expect(countAtReturn == total)
        #expect(seen.mismatches() == [])
    }

    @Test func taskletsMayBorrowTheCallersData() throws {
        let pool = try TaskletPool(workers: 2)
        defer { pool.shutdown() }
        var squares = [Int](repeating: 0, count: 1000)
        try squares.withUnsafeMutableBufferPointer { buffer in
            let shared = UnsafeShared(pointer: buffer.baseAddress!)
            try pool.run {
                scope { scope in
                    for index in 0..<1000 {
                        scope.spawn { shared.pointer[index] = index * index }
                    }
                }
            }
        }
        #expect(squares == (0..<1000).map { $0 * $0 })
    }

    @Test func nestedSpawnsJoinTheSameScope() throws {
        let pool = try TaskletPool(workers: 2)
        defer { pool.shutdown() }
        let count = Counters(count: 1)
        try bounded {
            try pool.run {
                scope { scope in
                    for _ in 0..<10 {
                        scope.spawn { inner in
                            for _ in 0..<10 {
                                inner.spawn { count.increment(0) }
                            }
                        }
                    }
                }
                #expect(count[0] == 100)
            }
        }
    }

    @Test func scopeOutsideAPoolRunsTaskletsInline() {
        let count = Counters(count: 1)
        scope { scope in
            for _ in 0..<5 { scope.spawn { count.increment(0) } }
        }
        #expect(count[0] == 5)
    }
}

@Suite struct ParallelLoopTests {
    @Test(arguments: [nil, 1, 7, 1000] as [Int?])
    func parallelForVisitsEveryIndexOnce(grain: Int?) throws {
        let pool = try TaskletPool(workers: 2)
        defer { pool.shutdown() }
        let total = 10_000
        let seen = Counters(count: total)
        try bounded {
            try pool.run { try parallelFor(0..<total, grain: grain) { seen.increment($0) } }
        }
        #expect(seen.mismatches() == [])
    }

    @Test(arguments: [nil, 3, 100] as [Int?])
    func parallelReduceMatchesTheSequentialSum(grain: Int?) throws {
        let pool = try TaskletPool(workers: 2)
        defer { pool.shutdown() }
        let sum = try bounded {
            try pool.run {
                try parallelReduce(0..<100_000, grain: grain, identity: 0, combine: +) { range in
                    range.reduce(0, +)
                }
            }
        }
        #expect(sum == (0..<100_000).reduce(0, +))
    }

    @Test func reduceKeepsLeftToRightOrder() throws {
        let pool = try TaskletPool(workers: 2)
        defer { pool.shutdown() }
        let text = try bounded {
            try pool.run {
                try parallelReduce(0..<200, grain: 7, identity: "", combine: +) { range in
                    range.map { String($0 % 10) }.joined()
                }
            }
        }
        #expect(text == (0..<200).map { String($0 % 10) }.joined())
    }

    @Test func emptyRangesDoNothing() throws {
        try parallelFor(0..<0) { _ in Issue.record("called for an empty range") }
        #expect(try parallelReduce(5..<5, identity: 11, combine: +) { _ in 1 } == 11)
    }

    @Test func grainsBelowOneAreRejected() {
        #expect(throws: TaskletPoolError.invalidGrain(0)) { try parallelFor(0..<10, grain: 0) { _ in } }
        #expect(throws: TaskletPoolError.invalidGrain(-3)) {
            _ = try parallelReduce(0..<10, grain: -3, identity: 0, combine: +) { _ in 1 }
        }
    }

    @Test func errorsFromTheBodyPropagate() throws {
        let pool = try TaskletPool(workers: 2)
        defer { pool.shutdown() }
        #expect(throws: Boom(id: 500)) {
            try bounded {
                try pool.run {
                    try parallelFor(0..<1000, grain: 10) { index in
                        if index == 500 { throw Boom(id: 500) }
                    }
                }
            }
        }
    }
}
