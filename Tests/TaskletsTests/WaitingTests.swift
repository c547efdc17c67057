import Foundation
import Synchronization
import Testing
@testable import Tasklets

/// What a waiting worker runs (docs/join.md, "What a waiting worker runs"):
/// enough that the pool never hangs with every worker waiting, and nothing
/// that is not its own.
@Suite struct WaitingTests {
    /// A tree where the second half of each `join` opens a scope whose
    /// tasklets spawn more tasklets into it. A worker waiting for a stolen
    /// half once looked only at its thief's deque, so a tasklet it ran that
    /// spawned into the thief's scope left the new tasklet on its own deque,
    /// where nobody ran it: every worker ended up waiting, and the pool hung
    /// within a few hundred rounds.
    static func tree(_ depth: Int, _ seen: Counters) {
        guard depth > 0 else { return }
        _ = join({ tree(depth - 1, seen) }, {
            scope { s in
                for _ in 0..<2 {
                    s.spawn { s in
                        s.spawn { seen.increment(0) }
                        seen.increment(0)
                    }
                }
                tree(depth - 1, seen)
            }
        })
    }

    /// What `tree(depth)` counts: its two halves recurse once each, and the
    /// second half's scope counts 4.
    static func treeCount(_ depth: Int) -> Int {
        depth == 0 ? 0 : 2 * treeCount(depth - 1) + 4
    }

    @Test(arguments: [2, 4, 8])
    func scopesInsideStolenJoinHalvesNeverHang(workers: Int) throws {
        let pool = try TaskletPool(workers: workers)
        defer { pool.shutdown() }
        for round in 0..<1_000 {
            let seen = Counters(count: 1)
            try bounded(30, "round \(round) on \(workers) workers") {
                try pool.run { WaitingTests.tree(6, seen) }
            }
            #expect(seen[0] == WaitingTests.treeCount(6))
        }
    }

    /// A waiting `join` runs the jobs its own deque received while it
    /// waited, and its thief's jobs while the thief runs the stolen half,
    /// and counts both (the latter as steals too).
    @Test func aWaitingJoinCountsWhatItRuns() throws {
        let pool = try TaskletPool(workers: 2)
        defer { pool.shutdown() }
        let started = Counters(count: 1)
        let ownerIndex = try bounded {
            try pool.run {
                join({ () -> Int in
                    _ = eventually(within: 10) { started[0] == 1 }
                    return TaskletPool.currentWorkerIndex!
                }, { () -> Int in
                    started.increment(0)
                    // Many subtasks, each slow enough that the waiting owner
                    // gets to steal some of them.
                    try? parallelFor(0..<64, grain: 1) { _ in usleep(2_000) }
                    return 2
                }).0
            }
        }
        let owner = pool.statistics().workers[ownerIndex]
        #expect(owner.leapfrogs > 0)
        #expect(owner.steals > 0)
        // Those steals are the thief's (the owner's deque is empty here, and
        // a join wait never searches), so they are all leapfrog steals.
        #expect(owner.leapfrogSteals > 0)
        #expect(owner.leapfrogSteals == owner.steals)
        #expect(owner.leapfrogSteals <= owner.leapfrogs)
    }
}
