import Foundation
import Synchronization
import Testing
@testable import Tasklets

/// Random mixes of `join`, `scope`, `parallelFor` and `spawn` on an
/// oversubscribed pool, nested in each other every way the API allows
/// (tasklets that spawn into an enclosing scope from a stolen join half,
/// detached spawns from inside joins and scopes), with shutdowns, checking
/// that every tasklet ran exactly once and that nothing hangs. CI runs a
/// short version; `scripts/soak.sh` runs 10^8 tasklets by setting
/// `TASKLETS_SOAK_TASKLETS`.
@Suite struct SoakTests {
    static var budget: Int {
        Int(ProcessInfo.processInfo.environment["TASKLETS_SOAK_TASKLETS"] ?? "") ?? 300_000
    }

    /// One round: a tree of tasklets numbered 0..<count, built by a random
    /// mix of the ways to fork, each leaf marking its number once.
    static func fork(_ range: Range<Int>, seed: UInt64, _ seen: Counters, _ pool: TaskletPool) {
        if range.count == 1 {
            seen.increment(range.lowerBound)
            return
        }
        var random = SplitMix(seed: seed)
        let middle = range.lowerBound + range.count / 2
        let left = range.lowerBound..<middle
        let right = middle..<range.upperBound
        let (seedA, seedB) = (random.next(), random.next())
        switch random.next() % 6 {
        case 0:
            _ = join({ fork(left, seed: seedA, seen, pool) }, { fork(right, seed: seedB, seen, pool) })
        case 1:
            scope { scope in
                scope.spawn { fork(left, seed: seedA, seen, pool) }
                scope.spawn { fork(right, seed: seedB, seen, pool) }
            }
        case 2:
            // A tasklet that spawns its sibling into the enclosing scope, in
            // a join's second half (the shape that once hung the pool).
            _ = join({ fork(left, seed: seedA, seen, pool) }, {
                scope { scope in
                    scope.spawn { scope in
                        scope.spawn { fork(right, seed: seedB, seen, pool) }
                    }
                }
            })
        case 3:
            // Half of it detached: nobody waits for it, shutdown drains it.
            _ = join({ fork(left, seed: seedA, seen, pool) }, {
                do {
                    try pool.spawn { fork(right, seed: seedB, seen, pool) }
                } catch {
                    fork(right, seed: seedB, seen, pool)  // refused after shutdown
                }
            })
        case 4:
            let pieces = [left, right]
            let seeds = [seedA, seedB]
            try? parallelFor(0..<2, grain: 1) { index in fork(pieces[index], seed: seeds[index], seen, pool) }
        default:
            // Uneven: four children, the first one doing most of the range.
            let quarter = max(1, range.count / 8)
            let pieces = stride(from: range.lowerBound, to: range.upperBound, by: quarter).map {
                $0..<min($0 + quarter, range.upperBound)
            }
            scope { scope in
                for (offset, piece) in pieces.enumerated() {
                    let seed = seedA &+ UInt64(offset)
                    scope.spawn { fork(piece, seed: seed, seen, pool) }
                }
            }
        }
    }

    @Test func everyTaskletRunsExactlyOnceUnderRandomMixes() throws {
        let roundSize = 100_000
        var remaining = SoakTests.budget
        var round: UInt64 = 0
        while remaining > 0 {
            let count = min(roundSize, remaining)
            let seen = Counters(count: count)
            let pool = try TaskletPool(workers: 8)  // oversubscribed on 2 cores
            // Half the rounds also push detached spawns and shut the pool
            // down while they may still be queued: shutdown must run them.
            let detached = round % 2 == 0 ? 1_000 : 0
            let detachedSeen = Counters(count: max(detached, 1))
            let seed = round
            try bounded(600, "soak round \(round)") {
                try pool.run { SoakTests.fork(0..<count, seed: seed, seen, pool) }
                for index in 0..<detached { try pool.spawn { detachedSeen.increment(index) } }
                pool.shutdown()
            }
            #expect(seen.mismatches() == [], "round \(round)")
            if detached > 0 { #expect(detachedSeen.mismatches() == [], "round \(round)") }
            remaining -= count
            round += 1
        }
    }
}
