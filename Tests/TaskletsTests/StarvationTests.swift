import Foundation
import Synchronization
import Testing
@testable import Tasklets

#if canImport(Glibc)
import Glibc
#endif

/// Nanoseconds on the monotonic clock.
func nowNanoseconds() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

/// Latencies of tiny tasklets queued behind held-up workers.
struct TinyLatencies: CustomStringConvertible {
    var starts: [UInt64]
    var ends: [UInt64]
    var firstStart: UInt64 { starts.min() ?? 0 }
    var lastEnd: UInt64 { ends.max() ?? 0 }
    func percentile(_ p: Double) -> UInt64 {
        let sorted = starts.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))]
    }
    var description: String {
        "start p50 \(percentile(0.5) / 1_000) µs, p99 \(percentile(0.99) / 1_000) µs, "
            + "max \(percentile(1) / 1_000) µs, first \(firstStart / 1_000) µs; last finish \(lastEnd / 1_000) µs"
    }
}

/// Spawns `count` tiny tasklets from this (outside) thread and waits, with
/// a bound, until they all ran; times are from the first submission.
func runTinyTasklets(_ count: Int, on pool: TaskletPool, within seconds: Double = 10) throws -> TinyLatencies {
    let starts = UnsafeMutableBufferPointer<Atomic<UInt64>>.allocate(capacity: count)
    let ends = UnsafeMutableBufferPointer<Atomic<UInt64>>.allocate(capacity: count)
    for index in 0..<count {
        (starts.baseAddress! + index).initialize(to: Atomic(0))
        (ends.baseAddress! + index).initialize(to: Atomic(0))
    }
    defer {
        starts.deallocate()
        ends.deallocate()
    }
    let shared = UnsafeShared(pointer: starts.baseAddress!)
    let sharedEnds = UnsafeShared(pointer: ends.baseAddress!)
    let done = Counters(count: 1)
    let origin = nowNanoseconds()
    for index in 0..<count {
        try pool.spawn {
            shared.pointer[index].store(nowNanoseconds() - origin, ordering: .relaxed)
            var x: UInt64 = 1
            for step in 0..<1_000 { x = x &* 6364136223846793005 &+ UInt64(step) }
            sharedEnds.pointer[index].store((nowNanoseconds() - origin) | (x & 0), ordering: .relaxed)
            done.increment(0)
        }
    }
    #expect(eventually(within: seconds) { done[0] == count }, "only \(done[0]) of \(count) tiny tasklets ran")
    return TinyLatencies(
        starts: (0..<count).map { starts[$0].load(ordering: .relaxed) },
        ends: (0..<count).map { ends[$0].load(ordering: .relaxed) })
}

/// Holds `count` workers in `hold` until released; returns once all started.
final class HeldWorkers: @unchecked Sendable {
    let released = Atomic<Bool>(false)
    let started = Counters(count: 1)
    let finished = Counters(count: 1)

    init(_ count: Int, on pool: TaskletPool, name: StaticString = "held", hold: @escaping @Sendable (HeldWorkers) -> Void) throws {
        for _ in 0..<count {
            try pool.spawn(name: name) { [self] in
                started.increment(0)
                hold(self)
                finished.increment(0)
            }
        }
        #expect(eventually(within: 10) { self.started[0] == count }, "the holding tasklets did not all start")
    }

    var isReleased: Bool { released.load(ordering: .relaxed) }
    func release() { released.store(true, ordering: .relaxed) }

    /// Spins until released: a CPU-bound tasklet that never ends by itself.
    static let spin: @Sendable (HeldWorkers) -> Void = { held in
        while !held.isReleased { }
    }
    /// Blocks its thread (without saying so) until released.
    static let sleepUndeclared: @Sendable (HeldWorkers) -> Void = { held in
        while !held.isReleased { usleep(1_000) }
    }
    /// Blocks inside a declared blocking section until released.
    static let sleepDeclared: @Sendable (HeldWorkers) -> Void = { held in
        blocking { while !held.isReleased { usleep(1_000) } }
    }
}

/// A complete binary tree of joins, `depth` deep: its leaf count.
@Sendable func joinTree(_ depth: Int) -> Int {
    if depth == 0 { return 1 }
    let (a, b) = join({ joinTree(depth - 1) }, { joinTree(depth - 1) })
    return a + b
}

/// Sleeps, returning nothing (usleep's result is of no use here).
func nap(microseconds: UInt32) { usleep(microseconds) }

/// Sanitizers slow every step several times over; bounds stretch with them.
let sanitizerSlowdown: UInt64 = runsUnderASanitizer ? 10 : 1

@Suite(.serialized) struct StarvationTests {
    /// The bound: every worker held up (spinning, blocked without a
    /// word, blocked in a section), 1,000 tiny tasklets submitted from
    /// outside: the first starts within 50 ms, the last ends within 250 ms.
    @Test(arguments: ["spin", "sleepUndeclared", "sleepDeclared"])
    func tinyTaskletsBehindHeldUpWorkersStillRun(_ kind: String) throws {
        let hold = switch kind {
        case "spin": HeldWorkers.spin
        case "sleepUndeclared": HeldWorkers.sleepUndeclared
        default: HeldWorkers.sleepDeclared
        }
        let pool = try TaskletPool(workers: 2)
        defer { pool.shutdown() }
        let held = try HeldWorkers(2, on: pool, hold: hold)
        defer { held.release() }
        usleep(20_000)  // both well past the threshold before the tiny ones come
        let latencies = try bounded(60, "tiny tasklets") { try runTinyTasklets(1_000, on: pool) }
        print("starvation bound, 2 workers held up (\(kind)): \(latencies)")
        #expect(latencies.firstStart <= 50_000_000 * sanitizerSlowdown, "\(latencies)")
        #expect(latencies.lastEnd <= 250_000_000 * sanitizerSlowdown, "\(latencies)")
        #expect(pool.statistics().supervision.sparesStarted >= 1)
        held.release()
        #expect(eventually(within: 10) { held.finished[0] == 2 })
    }

    /// The same with supervision off: the tiny tasklets wait for a worker.
    @Test func withoutSupervisionTinyTaskletsWaitForTheLongOnes() throws {
        let pool = try TaskletPool(workers: 2, supervision: .disabled)
        defer { pool.shutdown() }
        let held = try HeldWorkers(2, on: pool, hold: HeldWorkers.spin)
        let releaser = Thread {
            usleep(150_000)
            held.release()
        }
        releaser.start()
        let latencies = try bounded(60, "tiny tasklets") { try runTinyTasklets(100, on: pool) }
        #expect(latencies.firstStart >= 100_000_000, "\(latencies)")
        #expect(pool.statistics().supervision.sparesStarted == 0)
    }

    /// A fork-join computation that forks and joins all the time is not
    /// held up, however long it runs: no spare joins a one-worker pool. (A
    /// worker the OS does not run for a whole threshold does look held up;
    /// a 50 ms threshold, stretched under sanitizers, keeps a busy machine's
    /// time slicing out of this test.)
    @Test func aLongForkJoinComputationGetsNoSpare() throws {
        let pool = try TaskletPool(
            workers: 1, supervision: .init(longTaskletThreshold: .milliseconds(50 * Int(sanitizerSlowdown))))
        defer { pool.shutdown() }
        let deadline = nowNanoseconds() + 150_000_000
        var leaves = 0
        while nowNanoseconds() < deadline {
            leaves += try pool.run { joinTree(12) }
        }
        // One long root tasklet, too.
        leaves += try pool.run {
            var total = 0
            while nowNanoseconds() < deadline + 500_000_000 { total += joinTree(10) }
            return total
        }
        #expect(leaves > 0)
        let supervision = pool.statistics().supervision
        #expect(supervision.sparesStarted == 0, "\(supervision)")
    }

    /// Spawned from a held-up worker itself, the tiny tasklets sit in its
    /// task queue: a spare serves that queue first.
    @Test func aSpareServesTheQueueOfTheWorkerItCompensates() throws {
        let pool = try TaskletPool(workers: 1)
        defer { pool.shutdown() }
        let ran = Counters(count: 1)
        let spinner = Counters(count: 2)  // [0]: release, [1]: finished
        try pool.spawn {
            for _ in 0..<100 { try? pool.spawn { ran.increment(0) } }
            while spinner[0] == 0 { }
            spinner.increment(1)
        }
        #expect(eventually(within: 10) { ran[0] == 100 }, "ran \(ran[0]) of 100 behind a spinning worker")
        spinner.increment(0)
        #expect(eventually(within: 10) { spinner[1] == 1 })
        #expect(pool.statistics().spares.tasklets >= 100)
    }

    /// A scope's tasklets on a held-up worker's deque (it spawned them,
    /// then stopped forking) are taken by a spare.
    @Test func aSpareTakesTheDequeOfAWorkerThatStoppedForking() throws {
        let pool = try TaskletPool(workers: 1)
        defer { pool.shutdown() }
        let ran = Counters(count: 1)
        let waited = try bounded(30, "scope") {
            try pool.run {
                let start = nowNanoseconds()
                var waited: UInt64 = 0
                scope { s in
                    for _ in 0..<50 { s.spawn { ran.increment(0) } }
                    // The owner busy-waits for its own spawns: only a
                    // spare can run them.
                    while ran[0] < 50 { }
                    waited = nowNanoseconds() - start
                }
                return waited
            }
        }
        #expect(waited < 1_000_000_000 * sanitizerSlowdown)
        #expect(pool.statistics().supervision.sparesStarted >= 1)
    }

    /// The blocking storm: 1,000 sections of 10 ms spawned on 2 workers end
    /// within 1 s (2 threads alone need 5 s), never more sections at once
    /// than the cap, and the spares retire afterwards.
    @Test(arguments: [512, 64])
    func aBlockingStormFinishesFastUnderItsCap(cap: Int) throws {
        let pool = try TaskletPool(
            workers: 2, supervision: .init(maxBlockingThreads: cap, spareIdleTimeout: .milliseconds(50)))
        defer { pool.shutdown() }
        let done = Counters(count: 1)
        let start = nowNanoseconds()
        try pool.run {
            for _ in 0..<1_000 {
                try pool.spawn {
                    blocking { nap(microseconds: 10_000) }
                    done.increment(0)
                }
            }
        }
        #expect(eventually(within: 30) { done[0] == 1_000 })
        let elapsed = nowNanoseconds() - start
        let statistics = pool.statistics().supervision
        print("blocking storm, cap \(cap): \(elapsed / 1_000_000) ms, \(statistics)")
        #expect(elapsed <= 1_000_000_000 * sanitizerSlowdown, "took \(elapsed / 1_000_000) ms")
        #expect(statistics.peakBlockingSections <= cap)
        #expect(statistics.peakSpares <= cap + pool.workerCount)
        #expect(statistics.blockingSections == 1_000)
        #expect(eventually(within: 10) { pool.statistics().supervision.currentSpares == 0 }, "spares did not retire")
        let after = pool.statistics().supervision
        #expect(after.sparesRetired == after.sparesStarted)
    }

    /// Shut down while spares run and work is queued: every tasklet runs,
    /// and shutdown returns only after every spare has left.
    @Test func shutdownWithSparesAliveLosesNothing() throws {
        let pool = try TaskletPool(workers: 2)
        let ran = Counters(count: 1)
        for _ in 0..<4 {
            try pool.spawn { blocking { nap(microseconds: 30_000) } }
        }
        for _ in 0..<500 {
            try pool.spawn {
                usleep(50)
                ran.increment(0)
            }
        }
        usleep(5_000)
        try bounded(30, "shutdown") { pool.shutdown() }
        #expect(ran[0] == 500)
        #expect(pool.registry.supervisor.lock.withLock { pool.registry.supervisor.liveThreads } == 0)
    }

    /// A job queued while the only worker still searches for the job before
    /// it, which then runs long, starts within the threshold even though the
    /// watchdog dozed (up to 1 s after a long idle): the submission saw a
    /// searcher and woke nobody, so the searcher, leaving with nobody asleep
    /// and work queued, wakes the watchdog. A review found this gap.
    @Test func aJobQueuedBehindASearcherThatThenRunsLongStillStarts() throws {
        final class Shared: Sendable {
            let released = Atomic<Bool>(false)
            let startedAt = Atomic<UInt64>(0)
        }
        let shared = Shared()
        let pool = try TaskletPool(workers: 1)
        defer { pool.shutdown() }
        defer { shared.released.store(true, ordering: .relaxed) }
        #expect(try bounded { try pool.run { 1 } } == 1)
        // Idle long enough for the watchdog's doze to grow to a second.
        usleep(1_300_000)
        let submittedAt = nowNanoseconds()
        try pool.spawn(name: "long") { while !shared.released.load(ordering: .relaxed) {} }
        try pool.spawn { shared.startedAt.store(nowNanoseconds(), ordering: .relaxed) }
        #expect(eventually(within: 10) { shared.startedAt.load(ordering: .relaxed) != 0 })
        shared.released.store(true, ordering: .relaxed)
        let waited = shared.startedAt.load(ordering: .relaxed) &- submittedAt
        print("queued behind a searcher that then ran long: started after \(waited / 1_000_000) ms")
        #expect(waited <= 300_000_000 * sanitizerSlowdown, "started after \(waited / 1_000_000) ms")
    }

    /// The long-tasklet hook hears of a named tasklet once, with its name.
    @Test func theHookNamesTheLongTasklet() throws {
        let reports = Recorder<TaskletPool.LongTasklet>()
        let pool = try TaskletPool(
            workers: 2, supervision: .init(onLongTasklet: { reports.append($0) }))
        defer { pool.shutdown() }
        let held = try HeldWorkers(1, on: pool, name: "the-spinner", hold: HeldWorkers.spin)
        #expect(eventually(within: 10) { !reports.values.isEmpty })
        usleep(30_000)
        held.release()
        let seen = reports.values
        #expect(seen.count == 1, "\(seen)")
        #expect(seen.first?.name == "the-spinner")
        #expect((seen.first?.runningFor ?? .zero) >= .milliseconds(10))
        #expect(pool.statistics().supervision.longTasklets >= 1)
    }

    /// Blocking sections nest in every construct and count once when nested.
    @Test func blockingSectionsNestInJoinsScopesAndThemselves() throws {
        let pool = try TaskletPool(workers: 2)
        defer { pool.shutdown() }
        let total = try bounded(30, "nested blocking") {
            try pool.run {
                let (a, b) = join(
                    { blocking { blocking { nap(microseconds: 2_000); return 1 } } },
                    { blocking { () -> Int in
                        var sum = 0
                        scope { s in
                            for _ in 0..<8 { s.spawn { blocking { nap(microseconds: 1_000) } } }
                        }
                        sum += 1
                        return sum
                    } })
                return a + b
            }
        }
        #expect(total == 2)
        #expect(blocking { 7 } == 7)  // off the pool: just runs
        let statistics = pool.statistics().supervision
        // Two sections, plus each scope tasklet another worker stole (one
        // run by the blocked worker itself is nested in its section).
        #expect((2...10).contains(statistics.blockingSections), "\(statistics)")
    }

    /// The async variant suspends the task, not its thread.
    @Test func theAsyncVariantRunsTheBodyAsASection() async throws {
        let pool = try TaskletPool(workers: 2)
        defer { pool.shutdown() }
        let value = try await pool.blocking { () -> Int in
            nap(microseconds: 5_000)
            return Worker.current == nil ? -1 : 42
        }
        #expect(value == 42)
        #expect(pool.statistics().supervision.blockingSections == 1)
        await #expect(throws: TaskletPoolError.self) {
            let closed = try TaskletPool(workers: 1)
            closed.shutdown()
            _ = try await closed.blocking { 1 }
        }
    }

    /// Settings out of range are refused with a clear error.
    @Test func badSettingsThrow() {
        #expect(throws: TaskletPoolError.self) {
            _ = try TaskletPool(workers: 1, supervision: .init(longTaskletThreshold: .microseconds(10)))
        }
        #expect(throws: TaskletPoolError.self) {
            _ = try TaskletPool(workers: 1, supervision: .init(maxSpareWorkers: -1))
        }
        #expect(throws: TaskletPoolError.self) {
            _ = try TaskletPool(workers: 1, supervision: .init(maxBlockingThreads: 0))
        }
        #expect(throws: TaskletPoolError.self) {
            _ = try TaskletPool(workers: 1, supervision: .init(spareIdleTimeout: .zero))
        }
        var system = SystemCalls.live
        system.environment = { $0 == TaskletPool.Supervision.thresholdVariable ? "ten" : nil }
        #expect(throws: TaskletPoolError.self) {
            _ = try TaskletPool(workers: 1, system: system, errorHandler: { _ in })
        }
        system.environment = { $0 == TaskletPool.Supervision.thresholdVariable ? "0" : nil }
        #expect(throws: Never.self) {
            let pool = try TaskletPool(workers: 1, system: system, errorHandler: { _ in })
            #expect(!pool.registry.supervisor.isEnabled)
            pool.shutdown()
        }
    }

    /// An `onLongTasklet` handler may shut its pool down: the watchdog does
    /// not wait for itself.
    @Test func theHookMayShutThePoolDown() throws {
        let box = LockedPool()
        let pool = try TaskletPool(
            workers: 1, supervision: .init(onLongTasklet: { _ in box.pool?.shutdown() }))
        box.pool = pool
        let held = try HeldWorkers(1, on: pool, hold: HeldWorkers.sleepUndeclared)
        let releaser = Thread {
            usleep(100_000)
            held.release()
        }
        releaser.start()
        #expect(eventually(within: 10) { pool.isShutDown })
        try bounded(30, "shutdown from the hook") { pool.shutdown() }
        box.pool = nil
    }

    /// Once the long tasklet ends, its spare stops stealing and leaves, even
    /// while the pool stays busy with short work.
    @Test func sparesLeaveOnceTheWorkerRecoversEvenInABusyPool() throws {
        let pool = try TaskletPool(workers: 2, supervision: .init(spareIdleTimeout: .milliseconds(20)))
        defer { pool.shutdown() }
        let held = try HeldWorkers(2, on: pool, hold: HeldWorkers.spin)
        _ = try runTinyTasklets(100, on: pool)  // run by spares
        #expect(pool.statistics().supervision.sparesStarted >= 1)
        held.release()
        let ran = Counters(count: 1)
        let deadline = nowNanoseconds() + 2_000_000_000
        var retired = false
        while nowNanoseconds() < deadline && !retired {
            for _ in 0..<200 { try pool.spawn { ran.increment(0) } }
            usleep(2_000)
            retired = pool.statistics().supervision.currentSpares == 0
        }
        #expect(retired, "\(pool.statistics().supervision)")
    }

    /// A spare has the workers' stack: a deep recursion that needs more
    /// than the 8 MiB a default thread gets runs on a spare too.
    @Test func aSpareHasTheWorkersStackSize() throws {
        let pool = try TaskletPool(workers: 1, stackSize: 256 << 20)
        defer { pool.shutdown() }
        let held = try HeldWorkers(1, on: pool, hold: HeldWorkers.spin)
        defer { held.release() }
        let depth = Counters(count: 1)
        try pool.spawn { depth.increment(0); _ = deepRecursion(12_000) }
        #expect(eventually(within: 30) { depth[0] == 1 && pool.statistics().spares.tasklets >= 1 })
        held.release()
    }
}

/// Recurses `levels` deep with a kilobyte frame each (about 12 MiB for
/// 12,000): more than a default 8 MiB thread stack.
@inline(never) func deepRecursion(_ levels: Int) -> Int {
    var frame = InlineArray<128, Int>(repeating: levels)
    if levels == 0 { return frame[0] }
    frame[levels % 128] = deepRecursion(levels - 1)
    return frame[(levels + 1) % 128] &+ frame[levels % 128]
}

/// A pool reference the hook can reach.
final class LockedPool: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: TaskletPool?
    var pool: TaskletPool? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}


/// Collects values from any thread.
final class Recorder<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [T] = []
    func append(_ value: T) { lock.withLock { stored.append(value) } }
    var values: [T] { lock.withLock { stored } }
}
