import Foundation
import Synchronization
import Testing
@testable import Tasklets

extension TaskletPool {
    /// How many workers have announced that they sleep (the sleep counters).
    /// A worker counts from its announcement on, a moment before it parks.
    var sleepingWorkers: Int {
        Int(Sleep.sleeping(registry.sleep.counts.pointee.load(ordering: .relaxed)))
    }

    /// How many workers have counted their park and not yet their wake: they
    /// are past the announcement and the re-check, on (or about to call) the
    /// futex, and will count nothing more until woken.
    var parkedWorkers: Int {
        statistics().workers.filter { $0.parks == $0.wakes + 1 }.count
    }
}

@Suite struct SleepTests {
    /// The lost-wakeup loop: let every worker park, submit one tasklet from
    /// outside, and require it to run within a bounded wait. A lost wakeup
    /// leaves it queued while every worker sleeps, and the wait fails.
    @Test(arguments: [1, 2, 3])
    func aTaskletSubmittedWhileEveryWorkerSleepsAlwaysRuns(workers: Int) throws {
        let pool = try TaskletPool(workers: workers)
        defer { pool.shutdown() }
        let ran = Counters(count: 1)
        let rounds = 10_000
        for round in 0..<rounds {
            #expect(eventually(within: 10) { pool.sleepingWorkers == workers }, "round \(round): workers did not park")
            try pool.spawn { ran.increment(0) }
            guard eventually(within: 10, { ran[0] == round + 1 }) else {
                Issue.record("round \(round): the tasklet did not run while \(pool.sleepingWorkers) of \(workers) workers slept")
                return
            }
        }
        #expect(ran[0] == rounds)
    }

    /// An idle pool parks: its workers use (almost) no CPU.
    @Test func anIdlePoolBurnsNoCPU() throws {
        let pool = try TaskletPool(workers: 2)
        defer { pool.shutdown() }
        #expect(try bounded { try pool.run { 1 } } == 1)
        // Not `sleepingWorkers`: it counts a worker from its announcement,
        // before it counts its park, and a park counted inside the window
        // below would fail the test on a busy machine.
        #expect(eventually { pool.sleepingWorkers == 2 && pool.parkedWorkers == 2 })
        let parksBefore = pool.statistics().total.parks
        usleep(200_000)
        let parksAfter = pool.statistics().total.parks
        // A parked worker sleeps on its futex: no wakeups while idle.
        #expect(parksAfter == parksBefore)
        #expect(pool.sleepingWorkers == 2)
    }

    /// A burst of work wakes the sleepers, and they go back to sleep after.
    @Test func sleepersWakeForABurstAndParkAfterIt() throws {
        let pool = try TaskletPool(workers: 3)
        defer { pool.shutdown() }
        #expect(eventually { pool.sleepingWorkers == 3 })
        let total = try bounded {
            try pool.run {
                try parallelReduce(0..<3_000, grain: 1, identity: 0, combine: +) { range in
                    usleep(50)
                    return range.count
                }
            }
        }
        #expect(total == 3_000)
        #expect(pool.statistics().workers.filter { $0.tasklets > 0 }.count >= 2)
        #expect(eventually { pool.sleepingWorkers == 3 })
    }
}
