import Tasklets

/// What a pool's supervision did during one run of a supervision kernel,
/// as metrics: from its counters before and after the run. Nothing for the
/// backends that are not a `TaskletPool`.
///
/// Counts are the run's own; the peaks are the pool's since it started
/// (the warm-up and earlier repetitions included): the pool keeps no
/// per-run peak, and repetitions of one kernel are alike.
enum SupervisionFigures {
    static func metrics(
        before: TaskletPool.SupervisionStatistics?, after: TaskletPool.SupervisionStatistics?
    ) -> [Metric] {
        guard let before, let after else { return [] }
        return [
            Metric("long_tasklets", Double(after.longTasklets &- before.longTasklets)),
            Metric("spares_started", Double(after.sparesStarted &- before.sparesStarted)),
            Metric("peak_spares", Double(after.peakSpares)),
            Metric("peak_blocking_sections", Double(after.peakBlockingSections)),
            Metric("blocking_waits", Double(after.blockingWaits &- before.blockingWaits)),
        ]
    }
}
