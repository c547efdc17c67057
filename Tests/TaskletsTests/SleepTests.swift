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

    /// A tasklet from outside into an idle pool is handed to one sleeper as
    /// it is woken (`Sleep.handOff`): one wake-up per tasklet, no queue, and
    /// the other workers stay asleep. Every tasklet runs exactly once.
    @Test func anOutsideTaskletIsHandedToOneSleeper() throws {
        let workers = 3
        let pool = try TaskletPool(workers: workers)
        defer { pool.shutdown() }
        let ran = Counters(count: 1)
        let rounds = 50
        for round in 0..<rounds {
            try #require(eventually { pool.sleepingWorkers == workers && pool.parkedWorkers == workers })
            let before = pool.statistics().total
            try pool.spawn { ran.increment(0) }
            try #require(eventually { ran[0] == round + 1 }, "round \(round): the tasklet did not run")
            try #require(eventually { pool.sleepingWorkers == workers && pool.parkedWorkers == workers })
            let after = pool.statistics().total
            #expect(after.handOffs - before.handOffs == 1, "round \(round)")
            #expect(after.wakes - before.wakes == 1, "round \(round): other workers were woken")
            #expect(after.tasklets - before.tasklets == 1, "round \(round)")
        }
        #expect(ran[0] == rounds)
    }

    /// A Swift task's job from outside, and a `run` (a job record on the
    /// caller's stack), take the same hand-off into an idle pool.
    @Test func swiftJobsAndRunsAreHandedOverToo() async throws {
        try await onTestDriver {
            let pool = try TaskletPool(workers: 2)
            defer { pool.shutdown() }
            try #require(eventually { pool.sleepingWorkers == 2 && pool.parkedWorkers == 2 })
            let handedBefore = pool.statistics().total.handOffs
            let fromTask = await Task(executorPreference: pool) { TaskletPool.currentWorkerIndex }.value
            #expect(fromTask != nil)
            #expect(pool.statistics().total.handOffs > handedBefore)

            try #require(eventually { pool.sleepingWorkers == 2 && pool.parkedWorkers == 2 })
            let handedBeforeRun = pool.statistics().total.handOffs
            #expect(try bounded { try pool.run { TaskletPool.currentWorkerIndex } } != nil)
            #expect(pool.statistics().total.handOffs == handedBeforeRun + 1)
        }
    }

    /// Outside threads submitting while workers park and wake, some jobs
    /// handed over and some queued: each runs exactly once.
    @Test func handOffsAndQueuedJobsTogetherRunEachJobOnce() throws {
        let pool = try TaskletPool(workers: 2)
        defer { pool.shutdown() }
        let submitters = 4
        let perSubmitter = 2_000
        let ran = Counters(count: submitters * perSubmitter)
        runConcurrently(submitters) { submitter in
            for index in 0..<perSubmitter {
                // Pauses now and then, so that workers go to sleep between
                // bursts and later jobs find sleepers to be handed to.
                if index % 50 == 0 { usleep(300) }
                do {
                    try pool.spawn { ran.increment(submitter * perSubmitter + index) }
                } catch {
                    Issue.record("spawn failed: \(error)")
                }
            }
        }
        #expect(eventually { (0..<submitters * perSubmitter).allSatisfy { ran[$0] == 1 } })
        #expect((0..<submitters * perSubmitter).allSatisfy { ran[$0] == 1 }, "a job ran twice")
        #expect(pool.statistics().total.handOffs > 0)
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
