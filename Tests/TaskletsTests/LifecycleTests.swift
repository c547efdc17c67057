import Foundation
import Synchronization
import Testing
@testable import Tasklets
import CTaskletsShims

@Suite struct LifecycleTests {
    /// The kernel thread ids of the pool's workers.
    func workerThreadIDs(_ pool: TaskletPool) throws -> Set<Int32> {
        Set(try onEveryWorker(pool) { ctasklets_thread_id() }.values)
    }

    func threadIsAlive(_ id: Int32) -> Bool {
        FileManager.default.fileExists(atPath: "/proc/self/task/\(id)")
    }

    @Test func noWorkerThreadOutlivesShutdown() throws {
        let pool = try TaskletPool(workers: 3, supervision: .disabled)
        let ids = try bounded { try self.workerThreadIDs(pool) }
        #expect(ids.count == 3)
        #expect(ids.allSatisfy(threadIsAlive))
        try bounded { pool.shutdown() }
        // pthread_join returns when the kernel clears the thread's TID word,
        // a moment before the exited task is reaped and leaves /proc.
        #expect(eventually(within: 10) { !ids.contains(where: threadIsAlive) })
    }

    @Test func shutdownWhileIdle() throws {
        let pool = try TaskletPool(workers: 2)
        #expect(eventually { pool.sleepingWorkers == 2 })
        try bounded { pool.shutdown() }
        #expect(pool.isShutDown)
    }

    @Test func shutdownWhileBusyFinishesQueuedWork() throws {
        let pool = try TaskletPool(workers: 2)
        let total = 2_000
        let ran = Counters(count: 1)
        for _ in 0..<total {
            try pool.spawn {
                usleep(20)
                ran.increment(0)
            }
        }
        try bounded { pool.shutdown() }
        #expect(ran[0] == total)
    }

    @Test func shutdownTwiceAndThenSubmissionsThrow() throws {
        let pool = try TaskletPool(workers: 2)
        try bounded {
            pool.shutdown()
            pool.shutdown()
        }
        #expect(throws: TaskletPoolError.shutDown) { try pool.spawn {} }
        #expect(throws: TaskletPoolError.shutDown) { try pool.run { 1 } }
    }

    /// Submissions racing `shutdown`, handed to sleepers or queued: each
    /// accepted one runs, each refused one throws `.shutDown`.
    @Test func shutdownRacingSubmissionsLosesNothing() throws {
        var handOffs: UInt64 = 0
        for _ in 0..<50 {
            let pool = try TaskletPool(workers: 2)
            let accepted = Counters(count: 1)
            let ran = Counters(count: 1)
            runConcurrently(3) { index in
                if index == 0 {
                    usleep(200)
                    pool.shutdown()
                } else {
                    for _ in 0..<500 {
                        do throws(TaskletPoolError) {
                            try pool.spawn { ran.increment(0) }
                            accepted.increment(0)
                        } catch {
                            #expect(error == .shutDown)
                        }
                    }
                }
            }
            pool.shutdown()
            #expect(ran[0] == accepted[0])
            handOffs += pool.statistics().total.handOffs
        }
        // The pool starts idle: its first submissions take the hand-off.
        #expect(handOffs > 0)
    }

    @Test func aReleasedPoolShutsItselfDown() throws {
        var ids: Set<Int32> = []
        try {
            let pool = try TaskletPool(workers: 2, supervision: .disabled)
            ids = try bounded { try self.workerThreadIDs(pool) }
        }()
        #expect(eventually { !ids.contains(where: threadIsAlive) })
    }

    @Test func shutdownFromInsideThePoolDoesNotDeadlock() throws {
        let pool = try TaskletPool(workers: 2)
        try bounded { try pool.run { pool.shutdown() } }
        #expect(pool.isShutDown)
        try bounded { pool.shutdown() }
    }

    /// A worker of pool A waits in `B.run` while B's worker shuts A down:
    /// `shutdown` must not wait for A's threads (one of them waits for it).
    @Test func shutdownFromAnotherPoolsWorkerThatTheShutDownPoolWaitsOn() throws {
        let pool = try TaskletPool(workers: 1)
        let other = try TaskletPool(workers: 1)
        defer { other.shutdown() }
        try bounded(30, "B.run { A.shutdown() } on A's worker") {
            try pool.run { try other.run { pool.shutdown() } }
        }
        #expect(pool.isShutDown)
        #expect(eventually { pool.registry.lifecycle.withLock { pool.registry.exitedWorkers } == 1 })
        // A later shutdown from outside waits for the threads, and returns.
        try bounded(30, "shutdown after the shutdown from another pool") { pool.shutdown() }
    }

    /// The same when A's last reference goes away inside `B.run`.
    @Test func droppingAPoolInsideAnotherPoolsRunThatItWaitsOn() throws {
        final class Holder: @unchecked Sendable {
            var pool: TaskletPool?
        }
        try bounded(30, "dropping A's last reference inside B.run on A's worker") {
            let other = try TaskletPool(workers: 1)
            defer { other.shutdown() }
            let holder = Holder()
            holder.pool = try TaskletPool(workers: 1)
            let registry = holder.pool!.registry
            let flags = Counters(count: 2)  // 0: go, 1: done
            try holder.pool!.spawn {
                // Wait until the test thread holds no reference any more.
                _ = eventually(within: 10) { flags[0] == 1 }
                _ = try? other.run { holder.pool = nil }
                flags.increment(1)
            }
            flags.increment(0)
            #expect(eventually(within: 20) { flags[1] == 1 })
            let isShutDown = registry.isShutDown.load(ordering: .relaxed)
            #expect(isShutDown)
            #expect(eventually { registry.lifecycle.withLock { registry.exitedWorkers } == 1 })
        }
    }

    @Test func spawnFromInsideAfterShutdownThrows() throws {
        let pool = try TaskletPool(workers: 1)
        let outcome = LockedBox<String>()
        try bounded {
            try pool.run {
                pool.shutdown()
                do {
                    try pool.spawn {}
                    outcome.value = "accepted"
                } catch {
                    outcome.value = "\(error)"
                }
            }
        }
        #expect(outcome.value == "\(TaskletPoolError.shutDown)")
        try bounded { pool.shutdown() }
    }

    @Test func poolsComeAndGo() throws {
        for _ in 0..<200 {
            let pool = try TaskletPool(workers: 2)
            #expect(try pool.run { 3 } == 3)
            pool.shutdown()
        }
    }
}

@Suite struct ConfigurationTests {
    func system(workers: String?, cpus: [Int] = [0, 1, 2]) -> SystemCalls {
        var system = SystemCalls.live
        system.environment = { name in name == TaskletPool.workersVariable ? workers : nil }
        system.affinityCPUs = { .success(cpus) }
        return system
    }

    @Test func defaultWorkerCountComesFromTheAffinityMask() throws {
        // The mask is intersected with the CPUs that exist (0 and 1 here, or more).
        #expect(try TaskletPool.defaultWorkerCount(system: system(workers: nil, cpus: [1])) == 1)
        #expect(try TaskletPool.defaultWorkerCount(system: system(workers: nil, cpus: [0, 1])) == 2)
        let real = try TaskletPool()
        defer { real.shutdown() }
        if case .success(let cpus) = SystemCalls.live.affinityCPUs(), ProcessInfo.processInfo.environment["TASKLETS_WORKERS"] == nil {
            #expect(real.workerCount == cpus.count)
        }
    }

    @Test func environmentOverridesTheDefault() throws {
        #expect(try TaskletPool.defaultWorkerCount(system: system(workers: "5")) == 5)
        #expect(try TaskletPool.defaultWorkerCount(system: system(workers: " 3 ")) == 3)
        let pool = try TaskletPool(workers: nil, system: system(workers: "3"), errorHandler: { _ in })
        defer { pool.shutdown() }
        #expect(pool.workerCount == 3)
    }

    @Test(arguments: ["0", "-2", "lots", "", "99999"])
    func badEnvironmentValuesThrowAClearError(value: String) {
        #expect(throws: TaskletPoolError.self) {
            _ = try TaskletPool.defaultWorkerCount(system: system(workers: value))
        }
        do {
            _ = try TaskletPool.defaultWorkerCount(system: system(workers: value))
        } catch {
            #expect(error.description.contains("TASKLETS_WORKERS"))
        }
    }

    @Test(arguments: [0, -1, TaskletPool.maximumWorkers + 1])
    func invalidWorkerCountsThrow(count: Int) {
        #expect(throws: TaskletPoolError.invalidWorkerCount(count)) { _ = try TaskletPool(workers: count) }
    }

    @Test func affinityFailureIsReported() {
        var broken = system(workers: nil)
        broken.affinityCPUs = { .failure(SystemError(errno: 1, call: "sched_getaffinity")) }
        #expect(throws: TaskletPoolError.affinityUnavailable(SystemError(errno: 1, call: "sched_getaffinity"))) {
            _ = try TaskletPool.defaultWorkerCount(system: broken)
        }
    }
}
