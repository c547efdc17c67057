import Foundation
import Synchronization
import Testing
@testable import Tasklets

/// An actor whose messages run on a pool strand.
actor StrandCounter {
    let strand: TaskletStrand
    nonisolated var unownedExecutor: UnownedSerialExecutor { strand.asUnownedSerialExecutor() }
    private(set) var count = 0  // not atomic: the strand serializes access
    private var workersSeen: [Int?] = []

    init(pool: TaskletPool) {
        strand = pool.makeSerialExecutor()
    }

    func increment() {
        count += 1
    }

    func note(_ tag: Int, into log: LockedLog) {
        log.append("\(tag)@\(TaskletPool.currentWorkerIndex.map(String.init) ?? "none")")
    }

    func isolationSeenFromInside() -> (Bool?, Int?) {
        (strand.isIsolatingCurrentContext(), readCountAssumingIsolation(self))
    }
}

/// A synchronous function that is not isolated: it may only touch the actor
/// through `assumeIsolated`, which checks the strand.
func readCountAssumingIsolation(_ counter: StrandCounter) -> Int {
    counter.assumeIsolated { $0.count }
}

@Suite struct StrandTests {
    @Test func anActorOnAStrandRunsOneMessageAtATimeOnThePool() async throws {
        try await onTestDriver {
            let pool = try TaskletPool(workers: 2)
            defer { pool.shutdown() }
            let counter = StrandCounter(pool: pool)
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<100 {
                    group.addTask {
                        for _ in 0..<100 { await counter.increment() }
                    }
                }
            }
            #expect(await counter.count == 10_000)
            let log = LockedLog()
            await counter.note(0, into: log)
            #expect(log.entries.allSatisfy { !$0.hasSuffix("@none") })
        }
    }

    @Test func isolationChecksAnswerCorrectly() async throws {
        try await onTestDriver {
            let pool = try TaskletPool(workers: 2)
            defer { pool.shutdown() }
            let counter = StrandCounter(pool: pool)
            await counter.increment()
            let (inside, read) = await counter.isolationSeenFromInside()
            #expect(inside == true)
            #expect(read == 1)
            #expect(counter.strand.isIsolatingCurrentContext() == false)
            // Another strand is not this one, even on the same worker.
            let other = StrandCounter(pool: pool)
            let crossCheck = await counter.strandCheck(of: other)
            #expect(crossCheck == false)
        }
    }

    @Test(.enabled(if: !runsUnderASanitizer, "sanitizers handle the trap's signal themselves"))
    func checkIsolatedTrapsOffTheStrand() async {
        await #expect(processExitsWith: .failure) {
            let pool = try TaskletPool(workers: 1)
            let counter = StrandCounter(pool: pool)
            counter.strand.checkIsolated()
        }
    }

    /// A strand is one job in the queues: whichever worker takes it runs its
    /// queued messages one after another. Here the messages are sent from a
    /// worker that then stays busy: the other worker runs them all.
    @Test func aStrandsQueuedMessagesRunTogetherOnTheWorkerThatTakesIt() async throws {
        try await onTestDriver {
            let pool = try TaskletPool(workers: 2)
            defer { pool.shutdown() }
            let counter = StrandCounter(pool: pool)
            let log = LockedLog()
            let (sender, stolen) = await Task(executorPreference: pool) { () -> (Int?, Bool) in
                let sender = TaskletPool.currentWorkerIndex
                // Ten messages queued on the strand from this worker; the first
                // one schedules the strand here (this worker's next slot).
                let senders = (0..<10).map { tag in
                    Task(executorPreference: pool) { await counter.note(tag, into: log) }
                }
                // Keep this worker busy without suspending.
                let stolen = eventually(within: 10) { log.entries.count == 10 }
                for sender in senders { await sender.value }
                return (sender, stolen)
            }.value
            #expect(stolen, "the other worker did not take the strand: \(log.entries)")
            let workers = Set(log.entries.map { $0.split(separator: "@").last.map(String.init) ?? "" })
            #expect(workers.count == 1, "\(log.entries)")
            #expect(workers.first != sender.map(String.init))
        }
    }

    /// 100,000 actors that received a message and went idle leave every
    /// worker parked; prints what an idle actor costs in memory.
    @Test func idleActorsCostNoCPU() async throws {
        try await onTestDriver {
            let pool = try TaskletPool(workers: 2)
            defer { pool.shutdown() }
            let before = residentBytes()
            var actors: [StrandCounter] = []
            actors.reserveCapacity(100_000)
            for _ in 0..<100_000 { actors.append(StrandCounter(pool: pool)) }
            await withTaskGroup(of: Void.self) { group in
                for chunk in stride(from: 0, to: actors.count, by: 1_000) {
                    let slice = Array(actors[chunk..<min(chunk + 1_000, actors.count)])
                    group.addTask { for actor in slice { await actor.increment() } }
                }
            }
            let after = residentBytes()
            #expect(await asyncEventually { pool.sleepingWorkers == 2 && pool.parkedWorkers == 2 })
            let parks = pool.statistics().total.parks
            try await Task.sleep(for: .milliseconds(200))
            #expect(pool.statistics().total.parks == parks)
            #expect(pool.parkedWorkers == 2)
            print("idle actor on a strand: about \((after - before) / 100_000) bytes each (RSS delta over 100,000)")
            withExtendedLifetime(actors) {}
        }
    }
}

extension StrandCounter {
    func strandCheck(of other: StrandCounter) -> Bool? {
        other.strand.isIsolatingCurrentContext()
    }
}

/// The process's resident memory, from /proc/self/statm.
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}
