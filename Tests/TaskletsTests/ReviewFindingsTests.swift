import Foundation
import Synchronization
import Testing
@testable import Tasklets
import CTaskletsShims

#if canImport(Glibc)
import Glibc
#endif

/// Defects found by a hostile review of the waiting rule, the error stamps
/// and the async layer, as regressions (each failed before its fix).
@Suite struct ReviewFindingsTests {
    struct Late: Error { let name: String }
    struct Old: Error {}

    /// A worker running a stolen half that waits in another pool's `run`
    /// runs unrelated work meanwhile; the owner waiting for the half must not
    /// take that work's `join` halves from it (the help gate).
    @Test func aWaitingJoinNeverRunsWorkItsThiefPickedUpInACrossPoolWait() throws {
        let pool = try TaskletPool(workers: 2)
        let other = try TaskletPool(workers: 1)
        defer {
            pool.shutdown()
            other.shutdown()
        }
        let flags = Counters(count: 4)  // 0: b started, 1: ran on the waiting owner, 2: ran, 3: owner inside
        let owner = LockedBox<UInt>()
        try bounded(30, "a join waiting next to a cross-pool wait") {
            try pool.run {
                owner.value = UInt(bitPattern: Int(bitPattern: pthread_self()))
                flags.increment(3)
                defer { flags.increment(3) }
                _ = join({
                    _ = eventually(within: 10) { flags[0] == 1 }
                    try? pool.spawn {
                        _ = join({ usleep(150_000) }, {
                            if UInt(bitPattern: Int(bitPattern: pthread_self())) == owner.value && flags[3] == 1 {
                                flags.increment(1)
                            }
                            flags.increment(2)
                        })
                    }
                }, {
                    flags.increment(0)
                    _ = try? other.run { usleep(500_000) }
                })
            }
        }
        #expect(eventually(within: 10) { flags[2] == 1 })
        #expect(flags[1] == 0, "an unrelated job's half ran inside a waiting join")
    }

    /// An error caught and dropped by user code leaves no stamp for an
    /// unrelated error (of another type) thrown later in the same job.
    @Test func aSwallowedErrorsStampIsNotInheritedByAnotherError() throws {
        let pool = try TaskletPool(workers: 2)
        defer { pool.shutdown() }
        let started = Counters(count: 1)
        let name: String = try bounded(30) {
            try pool.run {
                do {
                    _ = try join({ () throws -> Int in
                        _ = eventually(within: 10) { started[0] == 1 }
                        _ = try? join({ () throws -> Int in throw Old() }, { () throws -> Int in 0 })
                        usleep(300_000)
                        throw Late(name: "late")
                    }, { () throws -> Int in
                        started.increment(0)
                        usleep(50_000)
                        throw Late(name: "early")
                    })
                    return "none"
                } catch {
                    return (error as? Late)?.name ?? "\(error)"
                }
            }
        }
        #expect(name == "early")
    }

    /// A stamp left on a worker by an async `run` whose body threw out of a
    /// construct does not outlive the job.
    @Test func noStampOutlivesTheJobThatLeftIt() async throws {
        try await onTestDriver {
            let pool = try TaskletPool(workers: 1)
            defer { pool.shutdown() }
            _ = try? await pool.run { () throws -> Int in
                try join({ () throws -> Int in throw Old() }, { () throws -> Int in 0 }).0
            }
            let left = try await pool.run { ctasklets_pending_stamp() }
            #expect(left == 0)
        }
    }

    /// A job run inside a wait that an actor's message is in is not on that
    /// actor's strand.
    @Test func aJobRunInsideAStrandMessagesWaitIsNotIsolatedToTheStrand() async throws {
        try await onTestDriver {
            let pool = try TaskletPool(workers: 1)
            let other = try TaskletPool(workers: 1)
            defer {
                pool.shutdown()
                other.shutdown()
            }
            let probe = BlockingProbe(pool: pool)
            let started = Counters(count: 1)
            let blocked = Task(executorPreference: pool) { await probe.blockIn(other, started) }
            #expect(await asyncEventually { started[0] == 1 })
            // Runs on the pool's one worker, inside the message's wait.
            let isolated = await Task(executorPreference: pool) {
                probe.strand.isIsolatingCurrentContext() ?? false
            }.value
            await blocked.value
            #expect(isolated == false)
        }
    }

    /// A default actor's processing job is a wake-up, not a yield.
    @Test func aDefaultActorsJobIsNotTakenForAYield() async throws {
        try await onTestDriver {
            let pool = try TaskletPool(workers: 2)
            defer { pool.shutdown() }
            let executor = ClassifyingExecutor(pool: pool)
            let actor = DefaultCounter()
            await Task(executorPreference: executor) {
                for _ in 0..<100 { await actor.bump() }
                await Task.yield()
            }.value
            #expect(executor.counts[0] == 1, "yields seen: \(executor.counts[0]) of \(executor.counts[1]) jobs")
        }
    }
}

/// An actor on a strand whose message blocks in another pool's `run`.
actor BlockingProbe {
    let strand: TaskletStrand
    nonisolated var unownedExecutor: UnownedSerialExecutor { strand.asUnownedSerialExecutor() }
    init(pool: TaskletPool) { strand = pool.makeSerialExecutor() }
    func blockIn(_ other: TaskletPool, _ started: Counters) {
        started.increment(0)
        BlockingProbe.blockingRun(other)
    }
    nonisolated static func blockingRun(_ other: TaskletPool) {
        _ = try? other.run { usleep(300_000) }
    }
}

actor DefaultCounter {
    var value = 0
    func bump() { value += 1 }
}

/// Forwards to a pool, counting the jobs the pool takes for yields.
final class ClassifyingExecutor: TaskExecutor, @unchecked Sendable {
    let pool: TaskletPool
    let counts = Counters(count: 2)  // 0: yields, 1: all
    init(pool: TaskletPool) { self.pool = pool }
    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        if unowned.isYield { counts.increment(0) }
        counts.increment(1)
        pool.enqueue(ExecutorJob(unowned))
    }
}
