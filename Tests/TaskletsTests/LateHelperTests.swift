import Foundation
import Synchronization
import Testing
@testable import Tasklets

/// A thread blocked in `run` watches its job and brings a helper itself
/// only if the job outlasts `Registry.helperDelayNanoseconds`
/// (docs/sleep-protocol.md, "A blocked `run` brings its own helper").
@Suite(.serialized) struct LateHelperTests {
    /// The halves of a tiny fork-join: a few multiplications each.
    final class Sink: Sendable {
        let value = Atomic<UInt64>(0)
        func tiny(_ seed: UInt64) {
            var value = seed
            for _ in 0..<16 { value = value &* 6364136223846793005 &+ 1442695040888963407 }
            self.value.store(value, ordering: .relaxed)
        }
    }

    final class Flag: Sendable {
        let isSet = Atomic<Bool>(false)
    }

    /// Wake-ups of parked workers as searchers (not hand-offs), so far.
    static func searcherWakes(_ pool: TaskletPool) -> UInt64 {
        let total = pool.statistics().total
        return total.wakes - total.handOffs
    }

    /// A tiny fork-join `run` from outside wakes no second worker: its push
    /// is left to the watching caller, and the job ends first. The control
    /// is the same fork-join spawned (nobody watches it), whose push wakes
    /// the other sleeper nearly every time. Each round starts with both
    /// workers parked. A round whose job outlasts the delay (a vCPU the host
    /// did not run in time, other suites busy on both cores) does bring a
    /// helper, so the 200 rounds are tried up to three times for one in
    /// which at most a quarter of the runs did; without the watch every
    /// attempt wakes about once a round. Under a sanitizer every job can
    /// outlast the delay (CI's ThreadSanitizer run once saw 200 of 200 in all
    /// three attempts, with other suites busy on both cores), so there the
    /// counts are printed and only the control is checked: the delay is a
    /// fixed 20 µs, and the claim is about uninstrumented code.
    @Test func aTinyRunWakesNoSecondWorker() throws {
        let pool = try TaskletPool(workers: 2, placement: .unpinned)
        defer { pool.shutdown() }
        let sink = Sink()
        let rounds = 200
        func parked() -> Bool { eventually(within: 10) { pool.parkedWorkers == 2 } }
        let spawned = Counters(count: 1)
        var results: [(control: UInt64, watched: UInt64)] = []
        for _ in 0..<3 {
            let controlBefore = Self.searcherWakes(pool)
            for round in 0..<rounds {
                #expect(parked(), "control round \(round): workers did not park")
                let done = spawned[0] + 1
                try pool.spawn { _ = join({ sink.tiny(1) }, { sink.tiny(2) }); spawned.increment(0) }
                #expect(eventually(within: 10) { spawned[0] == done })
            }
            let control = Self.searcherWakes(pool) - controlBefore
            let watchedBefore = Self.searcherWakes(pool)
            for round in 0..<rounds {
                #expect(parked(), "watched round \(round): workers did not park")
                try pool.run { _ = join({ sink.tiny(1) }, { sink.tiny(2) }) }
            }
            let watched = Self.searcherWakes(pool) - watchedBefore
            print("searcher wake-ups over \(rounds) tiny fork-joins: spawned \(control), run \(watched)")
            results.append((control, watched))
            if watched * 4 < control || runsUnderASanitizer { break }
        }
        #expect(results.allSatisfy { $0.control >= UInt64(rounds / 2) }, "the control's pushes did not wake the sleeper")
        if !runsUnderASanitizer {
            #expect(results.contains { $0.watched * 4 < $0.control }, "\(results)")
        }
    }

    /// A watched job that pushes `b` and then runs a long leaf still gets a
    /// helper: the caller wakes one after the delay, and `b` runs on the
    /// other worker long before the leaf would end by itself. The pool has
    /// no watchdog, which would otherwise wake the other worker after a
    /// while too: only the caller can.
    @Test func aLongRunGetsItsHelperFromTheWatchingCaller() throws {
        let pool = try TaskletPool(workers: 2, placement: .unpinned, supervision: .disabled)
        defer { pool.shutdown() }
        for round in 0..<20 {
            #expect(eventually(within: 10) { pool.parkedWorkers == 2 }, "round \(round): workers did not park")
            let bStarted = Flag()
            let ((owner, sawB), helper) = try pool.run {
                join(
                    {
                        let start = DispatchTime.now().uptimeNanoseconds
                        while !bStarted.isSet.load(ordering: .acquiring)
                            && DispatchTime.now().uptimeNanoseconds - start < 5_000_000_000 {}
                        return (TaskletPool.currentWorkerIndex, bStarted.isSet.load(ordering: .acquiring))
                    },
                    {
                        bStarted.isSet.store(true, ordering: .releasing)
                        return TaskletPool.currentWorkerIndex
                    })
            }
            #expect(sawB, "round \(round): b waited for the 5 s leaf to end")
            #expect(owner != helper, "round \(round): b ran on the owner")
        }
    }

    /// Nested constructs: a watched run whose job waits in a scope, whose
    /// tasklets join and run into a second pool (not watched: the caller
    /// there is a worker). Every job runs once and every result arrives.
    @Test func watchedRunsNestWithScopesJoinsAndOtherPools() throws {
        let pool = try TaskletPool(workers: 2, placement: .unpinned)
        let other = try TaskletPool(workers: 2, placement: .unpinned)
        defer { pool.shutdown(); other.shutdown() }
        let ran = Counters(count: 1)
        for _ in 0..<50 {
            try pool.run {
                scope { scope in
                    for _ in 0..<4 {
                        scope.spawn {
                            let (x, y) = join({ ran.increment(0); return 1 }, { ran.increment(0); return 2 })
                            #expect(x + y == 3)
                            let z = try? other.run { join({ 3 }, { 4 }) }
                            #expect(z.map { $0.0 + $0.1 } == 7)
                        }
                    }
                }
            }
        }
        #expect(ran[0] == 50 * 4 * 2)
    }
}
