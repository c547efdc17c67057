import Synchronization

/// Per-tasklet records of one run of a kernel that numbers its tasklets
/// (starve, blockstorm): how often each one ran and when it first started.
///
/// The check is "every tasklet ran exactly once", which a shared counter
/// cannot tell from "one ran twice and another never": so one counter per
/// tasklet, atomic, so that two runs of the same one at once are counted
/// too. Read after the run, once the kernel has waited for its tasklets.
final class RunLedger: @unchecked Sendable {
    let count: Int
    private let runs: UnsafeMutablePointer<Atomic<UInt64>>
    private let starts: UnsafeMutablePointer<Atomic<UInt64>>

    init(count: Int) {
        self.count = count
        runs = .allocate(capacity: count)
        starts = .allocate(capacity: count)
        for index in 0..<count {
            (runs + index).initialize(to: Atomic(0))
            (starts + index).initialize(to: Atomic(0))
        }
    }

    deinit {
        runs.deinitialize(count: count)
        runs.deallocate()
        starts.deinitialize(count: count)
        starts.deallocate()
    }

    /// Notes that tasklet `index` runs, having started at `startedAt`
    /// (`BenchClock.nanoseconds()`); only its first start is kept.
    @inline(__always)
    func record(_ index: Int, startedAt: UInt64) {
        if runs[index].add(1, ordering: .relaxed).newValue == 1 {
            starts[index].store(startedAt, ordering: .relaxed)
        }
    }

    /// When tasklet `index` first started (0: never).
    func startedAt(_ index: Int) -> UInt64 { starts[index].load(ordering: .relaxed) }

    /// The tasklets that ran exactly once: the kernels' checksum.
    var ranExactlyOnce: UInt64 {
        var once: UInt64 = 0
        for index in 0..<count where runs[index].load(ordering: .relaxed) == 1 { once += 1 }
        return once
    }
}
