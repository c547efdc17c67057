import Benchmark
import Synchronization
@_spi(Benchmarks) import Tasklets

/// The pool's microbenchmarks. Only malloc counts are gated (they repeat
/// exactly from run to run); wall-clock figures on a shared 2-core VM vary
/// by ~20% and stay informational.
///
/// The deque benchmarks use `_BenchmarkDeque`, the real deque exposed to
/// this package through `@_spi(Benchmarks)`.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 3,
        maxDuration: .seconds(2),
        maxIterations: 1000)

    // The owner's fast path: push then take, 1000 pairs per iteration.
    Benchmark(
        "deque push+take (1000 pairs)",
        configuration: .init(thresholds: [.mallocCountTotal: .init(absolute: [.p0: 0, .p50: 0, .p100: 0])])
    ) { benchmark in
        let deque = _BenchmarkDeque()
        let job = JobRef(bitPattern: 0x1000)!
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            for _ in 0..<1000 {
                deque.push(job)
                blackHole(deque.take())
            }
        }
        benchmark.stopMeasurement()
    }

    // A thief's path, uncontended: 1000 pushes, then 1000 steals.
    Benchmark("deque steal (1000 jobs)") { benchmark in
        let deque = _BenchmarkDeque(capacity: 1024)
        let job = JobRef(bitPattern: 0x1000)!
        for _ in benchmark.scaledIterations {
            for _ in 0..<1000 { deque.push(job) }
            benchmark.startMeasurement()
            for _ in 0..<1000 { blackHole(deque.steal()) }
            benchmark.stopMeasurement()
        }
    }

    // An unstolen join allocates nothing: measured inside the pool, so the
    // cost of entering it (`pool.run`) is left out.
    Benchmark(
        "join not stolen (fib 20, 1 worker)",
        configuration: .init(thresholds: [.mallocCountTotal: .init(absolute: [.p0: 0, .p50: 0, .p100: 0])])
    ) { benchmark in
        let pool = try TaskletPool(workers: 1)
        defer { pool.shutdown() }
        nonisolated(unsafe) let benchmark = benchmark  // used inside `run` only, which returns first
        try pool.run {
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { blackHole(Fib.joined(20)) }
            benchmark.stopMeasurement()
        }
    }

    Benchmark("join stolen (fib 20, 2 workers)") { benchmark in
        let pool = try TaskletPool(workers: 2)
        defer { pool.shutdown() }
        nonisolated(unsafe) let benchmark = benchmark  // used inside `run` only, which returns first
        try pool.run {
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { blackHole(Fib.joined(20)) }
            benchmark.stopMeasurement()
        }
    }

    Benchmark("spawn from outside (1000 tasklets)") { benchmark in
        let pool = try TaskletPool(workers: 2)
        defer { pool.shutdown() }
        for _ in benchmark.scaledIterations {
            let remaining = Countdown(1000)
            for _ in 0..<1000 { try pool.spawn { remaining.finishOne() } }
            remaining.waitForZero()
        }
    }

    Benchmark("wake-up: pool.run of an empty body from outside") { benchmark in
        let pool = try TaskletPool(workers: 2)
        defer { pool.shutdown() }
        for _ in benchmark.scaledIterations { blackHole(try pool.run { 1 }) }
    }

    // A channel hand-off allocates nothing in steady state: two tasks on the
    // pool ping-pong over two rendezvous channels; the counts are taken inside
    // the pinging task, after a warm-up that gives the channels their spare
    // waiter nodes.
    for workers in [1, 2] {
        Benchmark(
            "channel ping-pong (1000 round trips, \(workers) worker\(workers == 1 ? "" : "s"))",
            // Not the maximum: the count is process-wide, and a rare sample
            // sees a one-off allocation (a channel's or a task's first
            // use; `--allocation-stacks` shows them).
            configuration: .init(thresholds: [.mallocCountTotal: .init(absolute: [.p50: 0, .p90: 0])])
        ) { benchmark in
            let pool = try TaskletPool(workers: workers)
            defer { pool.shutdown() }
            let ping = try Channel<Int>(capacity: 0, name: "ping")
            let pong = try Channel<Int>(capacity: 0, name: "pong")
            let ponger = Task(executorPreference: pool) {
                while let value = try await ping.receive() { try await pong.send(value) }
            }
            nonisolated(unsafe) let benchmark = benchmark  // used by one task at a time
            try await Task(executorPreference: pool) {
                func roundTrips(_ count: Int) async throws {
                    for i in 0..<count { try await ping.send(i); blackHole(try await pong.receive()) }
                }
                try await roundTrips(1000)
                benchmark.startMeasurement()
                for _ in benchmark.scaledIterations { try await roundTrips(1000) }
                benchmark.stopMeasurement()
            }.value
            ping.close()
            try await ponger.value
        }
    }

    Benchmark("parallelReduce (1M ints, grain 10000, 2 workers)") { benchmark in
        let pool = try TaskletPool(workers: 2)
        defer { pool.shutdown() }
        for _ in benchmark.scaledIterations {
            let total = try pool.run {
                try parallelReduce(0..<1_000_000, grain: 10_000, identity: 0, combine: { $0 &+ $1 }) { range in
                    range.reduce(0, &+)
                }
            }
            blackHole(total)
        }
    }
}

/// Naive fib with `join`, written with closure literals so `join` inlines.
enum Fib {
    static func joined(_ n: Int) -> Int {
        if n < 2 { return n }
        let (x, y) = join({ joined(n - 1) }, { joined(n - 2) })
        return x &+ y
    }
}

/// Counts finished tasklets down to zero; the submitter spins until then.
final class Countdown: Sendable {
    private let remaining: Atomic<Int>
    init(_ count: Int) { remaining = Atomic(count) }
    func finishOne() { remaining.subtract(1, ordering: .releasing) }
    func waitForZero() { while remaining.load(ordering: .acquiring) > 0 {} }
}
