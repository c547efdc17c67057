import Dispatch
import Histogram
import Synchronization

/// starve: STARVE_SPINNERS tasklets (0: one per worker) that each spin on
/// the CPU for STARVE_SPIN_MS are submitted first; once all of them run, the
/// calling thread submits STARVE_TASKLETS empty ones behind them. Records
/// each tiny tasklet's start latency from its submission (HdrHistogram:
/// p50, p99, max in µs) and the time from the first tiny submission until
/// the last tiny one finished.
///
/// With every worker held up, nothing but supervision (a spare started for
/// the held-back queue) lets the tiny ones past the spinners: without it
/// they wait about STARVE_SPIN_MS. The checksum counts the tiny tasklets
/// that ran exactly once; a spinner missing or run twice fails the run.
enum Starve {
    static func run(_ context: BackendContext, _ parameters: KernelParameters) throws(BenchError) -> KernelOutcome {
        let spinnerCount = parameters.starveSpinners == 0 ? context.workers : parameters.starveSpinners
        let count = parameters.starveTasklets
        let before = context.supervisionStatistics
        let spinners = Spinners(count: spinnerCount, milliseconds: parameters.starveSpinMs)
        for _ in 0..<spinnerCount { try context.submit { spinners.spin() } }
        // Polled, not waited on: a spinner has no time to spare for a signal.
        while spinners.started.load(ordering: .acquiring) < spinnerCount { BenchClock.sleep(nanoseconds: 50_000) }

        let ledger = RunLedger(count: count)
        let tiny = SharedCounters(remaining: count)
        let allRan = DispatchSemaphore(value: 0)
        var submittedAt = [UInt64](repeating: 0, count: count)
        let firstSubmission = BenchClock.nanoseconds()
        for index in 0..<count {
            submittedAt[index] = BenchClock.nanoseconds()
            try context.submit {
                ledger.record(index, startedAt: BenchClock.nanoseconds())
                if tiny.finishOne() { allRan.signal() }
            }
        }
        allRan.wait()
        spinners.allFinished.wait()
        let spun = spinners.finished.sum.load(ordering: .acquiring)
        guard spun == UInt64(spinnerCount) else {
            throw .backendFailed(
                backend: context.backend.rawValue, reason: "\(spun) spinner runs for \(spinnerCount) spinners")
        }

        var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
        for index in 0..<count {
            let started = ledger.startedAt(index)
            _ = histogram.record(started > submittedAt[index] ? started - submittedAt[index] : 0)
        }
        let lastFinished = tiny.finishedAt.load(ordering: .acquiring)
        let metrics = [
            Metric("spinners", Double(spinnerCount)),
            Metric("p50_us", Double(histogram.valueAtPercentile(50)) / 1000),
            Metric("p99_us", Double(histogram.valueAtPercentile(99)) / 1000),
            Metric("max_us", Double(histogram.max) / 1000),
            Metric("ms_until_all_ran", BenchClock.milliseconds(from: firstSubmission, to: lastFinished)),
        ]
        return KernelOutcome(
            checksum: ledger.ranExactlyOnce,
            metrics: metrics + SupervisionFigures.metrics(before: before, after: context.supervisionStatistics))
    }

    /// The spinning tasklets: each spins from its own start for the given
    /// time, checking the clock between rounds of hashing.
    final class Spinners: Sendable {
        let nanoseconds: UInt64
        /// Spinners that have started.
        let started = Atomic<Int>(0)
        /// Spinner runs (`sum`) and the countdown to the last one.
        let finished: SharedCounters
        let allFinished = DispatchSemaphore(value: 0)
        /// Where the hashing goes, so that it is not optimized away.
        let sink = Atomic<UInt64>(0)

        init(count: Int, milliseconds: Int) {
            nanoseconds = UInt64(milliseconds) * 1_000_000
            finished = SharedCounters(remaining: count)
        }

        func spin() {
            started.add(1, ordering: .acquiringAndReleasing)
            let deadline = BenchClock.nanoseconds() &+ nanoseconds
            var hash: UInt64 = 0
            while BenchClock.nanoseconds() < deadline { hash = KernelHash.spin(hash, 64) }
            sink.store(hash, ordering: .relaxed)
            finished.add(1)
            if finished.finishOne() { allFinished.signal() }
        }
    }
}
