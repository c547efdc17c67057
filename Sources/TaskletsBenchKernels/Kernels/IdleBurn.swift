import Synchronization

/// idle-burn: IDLE_COUNT tiny fork-joins spaced by 100 µs, 1 ms and 10 ms;
/// reports process CPU time over wall time for each spacing, and for one
/// second with no work at all after them (`idle1s`). A pool whose idle
/// workers spin shows up here as a ratio well above the work it did.
enum IdleBurn {
    static let spacings: [(label: String, nanoseconds: UInt64)] = [
        ("100us", 100_000), ("1ms", 1_000_000), ("10ms", 10_000_000),
    ]

    static func run(_ context: BackendContext, count: Int) throws(BenchError) -> KernelOutcome {
        let halves = Halves()
        var metrics: [Metric] = []
        for spacing in spacings {
            let wallStart = BenchClock.nanoseconds()
            let cpuStart = BenchClock.processCPUNanoseconds()
            for _ in 0..<count {
                try context.forkJoin({ halves.run(1) }, { halves.run(2) })
                BenchClock.sleep(nanoseconds: spacing.nanoseconds)
            }
            let cpu = Double(BenchClock.processCPUNanoseconds() &- cpuStart)
            let wall = Double(BenchClock.nanoseconds() &- wallStart)
            metrics.append(Metric("spacing\(spacing.label)_cpu_per_wall", cpu / wall))
        }
        // One second without work: the pool must burn (almost) nothing.
        let wallStart = BenchClock.nanoseconds()
        let cpuStart = BenchClock.processCPUNanoseconds()
        BenchClock.sleep(nanoseconds: 1_000_000_000)
        let idleCPU = Double(BenchClock.processCPUNanoseconds() &- cpuStart)
        metrics.append(Metric("idle1s_cpu_per_wall", idleCPU / Double(BenchClock.nanoseconds() &- wallStart)))
        return KernelOutcome(checksum: UInt64(halves.count.load(ordering: .acquiring)), metrics: metrics)
    }

    /// The halves of the tiny fork-join: a few rounds of hashing each.
    final class Halves: Sendable {
        let count = Atomic<Int>(0)
        let sink = Atomic<UInt64>(0)
        func run(_ seed: UInt64) {
            sink.store(KernelHash.spin(seed, 16), ordering: .relaxed)
            count.add(1, ordering: .relaxed)
        }
    }
}
