#if Metrics
import Foundation
import MetricsTestKit
import Tasklets
import Testing

@testable import TaskletsMetrics

@Suite(.serialized) struct TaskletPoolMetricsTests {
    /// A pool whose single worker is held by a tasklet until `release`.
    func heldPool() throws -> (pool: TaskletPool, release: Locked<Bool>, started: Locked<Bool>) {
        let pool = try TaskletPool(workers: 1, supervision: .disabled)
        let release = Locked(false)
        let started = Locked(false)
        try pool.spawn {
            started.withLock { $0 = true }
            _ = waitUntil(seconds: 20) { release.current }
        }
        return (pool, release, started)
    }

    @Test func badArgumentsThrowClearErrors() throws {
        let pool = try TaskletPool(workers: 1, supervision: .disabled)
        defer { pool.shutdown() }
        for interval in [Duration.zero, .seconds(-1), .microseconds(999)] {
            #expect(throws: TaskletsMetricsError.invalidInterval(interval)) {
                _ = try TaskletPoolMetrics(pool: pool, label: "p", interval: interval, factory: TestMetrics())
            }
        }
        #expect(throws: TaskletsMetricsError.invalidLabel("")) {
            _ = try TaskletPoolMetrics(pool: pool, label: "", interval: .seconds(1), factory: TestMetrics())
        }
        #expect(throws: TaskletsMetricsError.invalidPrefix("")) {
            _ = try TaskletPoolMetrics(pool: pool, label: "p", interval: .seconds(1), prefix: "", factory: TestMetrics())
        }
        #expect(TaskletsMetricsError.invalidInterval(.zero).description.contains("at least"))
    }

    @Test func aSampleExportsTheCountersAsTheirGrowthWithAPoolDimension() throws {
        let metrics = TestMetrics()
        let pool = try TaskletPool(workers: 2, supervision: .disabled)
        defer { pool.shutdown() }
        let sampler = try TaskletPoolMetrics(pool: pool, label: "render", interval: .seconds(60), factory: metrics)
        let ran = Locked(0)
        for _ in 0..<200 { try pool.spawn { ran.withLock { $0 += 1 } } }
        #expect(waitUntil { ran.current == 200 })
        func executed() -> UInt64 {
            let statistics = pool.statistics()
            return statistics.total.tasklets + statistics.spares.tasklets
        }
        // Idle again: every worker parked, the counts still.
        #expect(waitUntil { pool.snapshot().threads.allSatisfy { $0.state == .parked } })
        sampler.sample()
        let counter = try metrics.expectCounter("tasklets_executed_total", [("pool", "render")])
        #expect(counter.values.reduce(0, +) == Int64(executed()))
        #expect(executed() >= 200)
        // The next sample adds only the growth.
        for _ in 0..<10 { try pool.spawn { ran.withLock { $0 += 1 } } }
        #expect(waitUntil { ran.current == 210 })
        #expect(waitUntil { pool.snapshot().threads.allSatisfy { $0.state == .parked } })
        sampler.sample()
        #expect(counter.values.count == 2)
        #expect(counter.values.reduce(0, +) == Int64(executed()))
        #expect(counter.values.last! >= 10)

        let statistics = pool.statistics()
        var steals: Int64 = 0
        for tier in ["same_cache", "same_node", "other_node"] {
            steals += try metrics.expectCounter("tasklets_steals_total", [("pool", "render"), ("tier", tier)])
                .values.reduce(0, +)
        }
        #expect(steals == Int64(statistics.total.steals + statistics.spares.steals))
        let parks = try metrics.expectCounter("tasklets_parks_total", [("pool", "render")]).values.reduce(0, +)
        #expect(parks > 0)
        #expect(parks <= Int64(pool.statistics().total.parks + pool.statistics().spares.parks))
        #expect(try metrics.expectGauge("tasklets_workers", [("pool", "render")]).lastValue == 2)
        #expect(try metrics.expectGauge("tasklets_spares", [("pool", "render")]).lastValue == 0)
        for name in ["failed_steals", "wakes", "hand_offs", "leapfrogs", "skipped", "long_tasklets", "spares_started",
                     "spares_retired", "blocking_sections"] {
            _ = try metrics.expectCounter("tasklets_\(name)_total", [("pool", "render")])
        }
    }

    @Test func queueLengthsAreGauges() throws {
        let metrics = TestMetrics()
        let (pool, release, started) = try heldPool()
        defer {
            release.withLock { $0 = true }
            pool.shutdown()
        }
        #expect(waitUntil { started.current })
        for _ in 0..<10 { try pool.spawn {} }  // from outside: to the injector
        let sampler = try TaskletPoolMetrics(pool: pool, label: "held", interval: .seconds(60), factory: metrics)
        sampler.sample()
        let injected = try metrics.expectGauge("tasklets_queued_jobs", [("pool", "held"), ("queue", "injectors")])
        let local = try metrics.expectGauge("tasklets_queued_jobs", [("pool", "held"), ("queue", "workers")])
        #expect(injected.lastValue! + local.lastValue! == 10)
        release.withLock { $0 = true }
        #expect(waitUntil { pool.snapshot().threads.allSatisfy { $0.state == .parked } })
        sampler.sample()
        #expect(injected.lastValue == 0)
        #expect(local.lastValue == 0)
    }

    @Test func theSamplingThreadSamplesAtTheIntervalAndStopsWhenStopped() throws {
        let metrics = TestMetrics()
        let pool = try TaskletPool(workers: 1, supervision: .disabled)
        defer { pool.shutdown() }
        let sampler = try TaskletPoolMetrics(pool: pool, label: "p", interval: .milliseconds(5), factory: metrics)
        #expect(!sampler.isRunning)
        #expect(sampler.samplingThreads == 0)
        let workers = try metrics.expectGauge("tasklets_workers", [("pool", "p")])
        #expect(workers.values.isEmpty)  // off until asked for
        try sampler.start()
        try sampler.start()  // already running: nothing more
        #expect(sampler.isRunning)
        #expect(sampler.samplingThreads == 1)
        #expect(waitUntil { workers.values.count >= 3 })
        sampler.stop()
        #expect(!sampler.isRunning)
        #expect(sampler.samplingThreads == 0)  // the thread's loop returned and it was joined
        let count = workers.values.count
        usleep(50_000)  // ten intervals
        #expect(workers.values.count == count)
        sampler.stop()  // again: nothing

        // Started again after a stop, and stopped again.
        for _ in 0..<5 {
            try sampler.start()
            sampler.stop()
        }
        #expect(sampler.samplingThreads == 0)
    }

    /// A sampler dropped while it runs is freed (its thread does not keep
    /// it), and its thread stops sampling.
    @Test func aRunningSamplerDroppedWithoutStopIsFreedAndStops() throws {
        let metrics = TestMetrics()
        let pool = try TaskletPool(workers: 1, supervision: .disabled)
        defer { pool.shutdown() }
        weak var dropped: TaskletPoolMetrics?
        do {
            let sampler = try TaskletPoolMetrics(pool: pool, label: "d", interval: .milliseconds(5), factory: metrics)
            dropped = sampler
            try sampler.start()
        }
        let workers = try metrics.expectGauge("tasklets_workers", [("pool", "d")])
        #expect(waitUntil { dropped == nil }, "the sampling thread kept a dropped sampler alive")
        usleep(20_000)  // a sample under way when it was dropped may still land
        let count = workers.values.count
        usleep(50_000)  // ten intervals
        #expect(workers.values.count == count, "a dropped sampler's thread went on sampling")
    }
}
#endif
