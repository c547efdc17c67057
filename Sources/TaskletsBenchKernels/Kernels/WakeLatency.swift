import Dispatch
import Histogram

/// wake-latency: after the backend has idled 0, 1 and 10 ms, a thread
/// outside it submits one empty tasklet; the time from the submission to the
/// tasklet's start is recorded in an HdrHistogram (p50, p99, max in µs).
/// Before each idle time's samples, as many of the raw futex floor after the
/// same idle time (`FutexFloor`: `floor_p50_us`, `floor_p99_us`), taken while
/// the backend sleeps, so that the floor is what this machine offers then.
enum WakeLatency {
    static let idleTimes: [UInt64] = [0, 1, 10]

    static func run(_ context: BackendContext, samples: Int) throws(BenchError) -> KernelOutcome {
        var started: UInt64 = 0
        var metrics: [Metric] = []
        let floor = try FutexFloor()
        for idleMs in idleTimes {
            var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
            var floorHistogram = histogram
            // Long enough for every backend's idle threads to park.
            BenchClock.sleep(nanoseconds: 20_000_000)
            for _ in 0..<samples {
                if idleMs > 0 { BenchClock.sleep(nanoseconds: idleMs * 1_000_000) }
                _ = floorHistogram.record(floor.sample())
            }
            for _ in 0..<samples {
                if idleMs > 0 { BenchClock.sleep(nanoseconds: idleMs * 1_000_000) }
                let startedAt = ResultSlot<UInt64>()
                let ran = DispatchSemaphore(value: 0)
                let submittedAt = BenchClock.nanoseconds()
                try context.submit {
                    startedAt.value = BenchClock.nanoseconds()
                    ran.signal()
                }
                ran.wait()
                _ = histogram.record(startedAt.take() &- submittedAt)
                started += 1
            }
            let prefix = "idle\(idleMs)ms_"
            metrics.append(Metric(prefix + "p50_us", Double(histogram.valueAtPercentile(50)) / 1000))
            metrics.append(Metric(prefix + "p99_us", Double(histogram.valueAtPercentile(99)) / 1000))
            metrics.append(Metric(prefix + "max_us", Double(histogram.max) / 1000))
            metrics.append(Metric(prefix + "floor_p50_us", Double(floorHistogram.valueAtPercentile(50)) / 1000))
            metrics.append(Metric(prefix + "floor_p99_us", Double(floorHistogram.valueAtPercentile(99)) / 1000))
        }
        return KernelOutcome(checksum: started, metrics: metrics)
    }
}
