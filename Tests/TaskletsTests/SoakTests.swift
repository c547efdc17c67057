import Foundation
import Synchronization
import Testing
@testable import Tasklets

/// Random mixes of `join`, `scope` and `spawn` on an oversubscribed pool,
/// with shutdowns, checking that every tasklet ran exactly once. CI runs a
/// short version; `scripts/soak.sh` runs 10^8 tasklets by setting
/// `TASKLETS_SOAK_TASKLETS`.
@Suite struct SoakTests {
    static var budget: Int {
        Int(ProcessInfo.processInfo.environment["TASKLETS_SOAK_TASKLETS"] ?? "") ?? 300_000
    }

    /// One round: a tree of tasklets numbered 0..<count, built by a random
    /// mix of the three ways to fork, each leaf marking its number once.
    static func fork(_ range: Range<Int>, seed: UInt64, _ seen: Counters) {
        if range.count == 1 {
            seen.increment(range.lowerBound)
            return
        }
        var random = SplitMix(seed: seed)
        let middle = range.lowerBound + range.count / 2
        let left = range.lowerBound..<middle
        let right = middle..<range.upperBound
        let (seedA, seedB) = (random.next(), random.next())
        switch random.next() % 3 {
        case 0:
            _ = join({ fork(left, seed: seedA, seen) }, { fork(right, seed: seedB, seen) })
        case 1:
            scope { scope in
                scope.spawn { fork(left, seed: seedA, seen) }
                scope.spawn { fork(right, seed: seedB, seen) }
            }
        default:
            // Uneven: four children, the first one doing most of the range.
            let quarter = max(1, range.count / 8)
            let pieces = stride(from: range.lowerBound, to: range.upperBound, by: quarter).map {
                $0..<min($0 + quarter, range.upperBound)
            }
            scope { scope in
                for (offset, piece) in pieces.enumerated() {
                    let seed = seedA &+ UInt64(offset)
                    scope.spawn { fork(piece, seed: seed, seen) }
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
                try pool.run { SoakTests.fork(0..<count, seed: seed, seen) }
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
