#if Metrics
import CoreMetrics
import Tasklets

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Exports a pool's statistics as swift-metrics counters and gauges, every
/// `interval`, from one sampling thread of its own; nothing is sampled until
/// ``start()`` (or a call to ``sample()``), and ``stop()`` ends the thread.
///
/// ```swift
/// let metrics = try TaskletPoolMetrics(pool: pool, label: "render", interval: .seconds(10))
/// try metrics.start()
/// // ...
/// metrics.stop()
/// ```
///
/// Every metric carries the dimension `pool` (the `label` given here), so
/// several pools share one Prometheus family. The pool's counters only
/// grow, so each sample adds the growth since the last one to a `Counter`;
/// the first sample adds everything since the pool started. Workers and
/// spare workers are summed.
///
/// Counters (`<prefix>` defaults to `tasklets`):
/// - `<prefix>_executed_total`: tasklets run from a queue (`WorkerStatistics.tasklets`),
/// - `<prefix>_steals_total`, with the dimension `tier` (`same_cache`,
///   `same_node`, `other_node`): successful steals, by where the victim was,
/// - `<prefix>_failed_steals_total`, `<prefix>_parks_total`,
///   `<prefix>_wakes_total`, `<prefix>_leapfrogs_total`, `<prefix>_skipped_total`,
/// - `<prefix>_long_tasklets_total`, `<prefix>_spares_started_total`,
///   `<prefix>_spares_retired_total`, `<prefix>_blocking_sections_total`.
///
/// Gauges:
/// - `<prefix>_workers`: the pool's worker threads,
/// - `<prefix>_spares`: spare workers alive now,
/// - `<prefix>_queued_jobs`, with the dimension `queue`: `workers` (jobs in
///   the workers' and spares' own queues) and `injectors` (work submitted
///   from outside the pool and not yet taken).
///
/// The sampler holds the pool. Dropping a sampler that still runs stops its
/// thread too (without waiting for it): the thread holds the sampler only
/// while it takes a sample.
public final class TaskletPoolMetrics: @unchecked Sendable {
    /// The pool sampled.
    public let pool: TaskletPool
    /// The value of the `pool` dimension.
    public let label: String
    /// How often the sampling thread samples.
    public let interval: Duration

    private let counters: Counters
    private let gauges: Gauges
    /// The totals at the last sample (guarded by `lock`).
    private var last = Totals()

    /// The library's pthread mutex, and a condition on the monotonic clock
    /// for the sampling thread's timed sleep.
    private let lock: _PthreadLock
    private let wakeUp: _PthreadCondition
    /// The sampling thread and its stop flag, while it runs (guarded by `lock`).
    private var thread: (handle: pthread_t, run: SamplingRun)?
    /// Sampling threads whose loop has not returned yet (guarded by `lock`):
    /// what the tests read to see that `stop()` leaves none behind.
    private var liveThreads = 0

    /// The shortest interval accepted.
    public static let minimumInterval: Duration = .milliseconds(1)

    /// Makes the metrics (nothing is recorded until a sample).
    ///
    /// - Parameters:
    ///   - pool: the pool to sample.
    ///   - label: the value of the `pool` dimension; not empty.
    ///   - interval: how often ``start()``'s thread samples; at least
    ///     ``minimumInterval``.
    ///   - prefix: the start of every metric's label; not empty.
    ///   - factory: where the metrics go; by default the one bootstrapped
    ///     with `MetricsSystem.bootstrap`.
    /// - Throws: ``TaskletsMetricsError`` for an empty label or prefix, or an
    ///   interval below ``minimumInterval``.
    public init(
        pool: TaskletPool, label: String, interval: Duration, prefix: String = "tasklets",
        factory: any MetricsFactory = MetricsSystem.factory
    ) throws(TaskletsMetricsError) {
        guard !label.isEmpty else { throw .invalidLabel(label) }
        guard !prefix.isEmpty else { throw .invalidPrefix(prefix) }
        guard interval >= Self.minimumInterval else { throw .invalidInterval(interval) }
        self.pool = pool
        self.label = label
        self.interval = interval
        counters = Counters(prefix: prefix, pool: label, factory: factory)
        gauges = Gauges(prefix: prefix, pool: label, factory: factory)
        lock = _PthreadLock()
        wakeUp = _PthreadCondition(lock: lock)
    }

    /// Takes one sample now: adds each counter's growth since the last
    /// sample, and sets each gauge. Safe from any thread, at any time.
    public func sample() {
        let statistics = pool.statistics()
        let snapshot = pool.snapshot()
        var totals = Totals()
        totals.add(statistics.total)
        totals.add(statistics.spares)
        let supervision = statistics.supervision
        totals.longTasklets = supervision.longTasklets
        totals.sparesStarted = supervision.sparesStarted
        totals.sparesRetired = supervision.sparesRetired
        totals.blockingSections = supervision.blockingSections
        lock.withLock {
            counters.add(totals, since: last)
            last.merge(totals)
            gauges.workers.record(pool.workerCount)
            gauges.spares.record(supervision.currentSpares)
            gauges.workerQueues.record(snapshot.threads.reduce(0) { $0 + $1.queuedJobs })
            gauges.injectors.record(snapshot.injectedJobs)
        }
    }

    /// Whether the sampling thread runs.
    public var isRunning: Bool {
        lock.withLock { thread != nil }
    }

    /// Sampling threads whose loop has not yet returned: 1 while running, 0
    /// once `stop()` has returned.
    var samplingThreads: Int {
        lock.withLock { liveThreads }
    }

    /// Starts the sampling thread: a sample now, then one every `interval`
    /// until ``stop()``. Does nothing if it already runs.
    ///
    /// - Throws: ``TaskletsMetricsError/threadCreationFailed(errno:)``.
    public func start() throws(TaskletsMetricsError) {
        let result: Int32 = lock.withLock {
            guard thread == nil else { return 0 }
            let run = SamplingRun(sampler: self, lock: lock, wakeUp: wakeUp, interval: Self.nanoseconds(interval))
            var handle = pthread_t()
            let retained = Unmanaged.passRetained(run)
            let result = pthread_create(&handle, nil, { raw in
                TaskletPoolMetrics.samplingLoop(Unmanaged<SamplingRun>.fromOpaque(raw!).takeRetainedValue())
                return nil
            }, retained.toOpaque())
            if result != 0 {
                retained.release()
                return result
            }
            thread = (handle, run)
            liveThreads += 1
            return 0
        }
        if result != 0 { throw .threadCreationFailed(errno: result) }
    }

    /// Stops the sampling thread and waits for it to exit (it finishes a
    /// sample under way first). Does nothing if it does not run, or if
    /// another `stop()` already took it. Call it from any thread but the
    /// sampler's own.
    public func stop() {
        let handle: pthread_t? = lock.withLock {
            guard let (handle, run) = thread else { return nil }
            thread = nil
            run.stopping = true
            wakeUp.broadcast()
            return handle
        }
        if let handle { pthread_join(handle, nil) }
    }

    /// The sampling thread's body: sample, wait `interval` or until stopped.
    /// It holds the sampler only while it samples, so a sampler dropped
    /// without `stop()` is freed, and its `deinit` stops the thread.
    private static func samplingLoop(_ run: SamplingRun) {
        while true {
            do {
                guard let sampler = run.sampler else { break }
                sampler.sample()
            }
            let stop: Bool = run.lock.withLock {
                if !run.stopping { run.wakeUp.wait(timeoutNanoseconds: run.interval) }
                return run.stopping
            }
            if stop { break }
        }
        run.sampler?.lock.withLock { run.sampler?.liveThreads -= 1 }
    }

    /// A sampler dropped while its thread runs stops the thread; the thread
    /// is detached, not joined (this may run on the thread itself).
    deinit {
        if let (handle, run) = thread {
            lock.withLock {
                run.stopping = true
                wakeUp.broadcast()
            }
            pthread_detach(handle)
        }
    }

    static func nanoseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        let capped = min(max(seconds, 0), 1 << 32)
        return UInt64(capped) * 1_000_000_000 + UInt64(max(attoseconds, 0) / 1_000_000_000)
    }
}

/// Bad arguments to ``TaskletPoolMetrics``, or a thread it could not start.
public enum TaskletsMetricsError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidInterval(Duration)
    case invalidLabel(String)
    case invalidPrefix(String)
    case threadCreationFailed(errno: Int32)

    public var description: String {
        switch self {
        case .invalidInterval(let interval):
            "TaskletPoolMetrics: sampling interval \(interval) is too short: expected at least \(TaskletPoolMetrics.minimumInterval)"
        case .invalidLabel:
            "TaskletPoolMetrics: the pool label (the `pool` dimension) is empty"
        case .invalidPrefix:
            "TaskletPoolMetrics: the metric prefix is empty"
        case .threadCreationFailed(let errno):
            "TaskletPoolMetrics: could not start the sampling thread (pthread_create: errno \(errno))"
        }
    }
}

/// One sampling thread's stop flag (guarded by the sampler's lock), so that
/// a `start()` right after a `stop()` cannot revive the old thread.
private final class SamplingRun: @unchecked Sendable {
    /// Weak: the thread must not keep a sampler its owner dropped.
    weak var sampler: TaskletPoolMetrics?
    /// The sampler's lock and condition, which outlive it here.
    let lock: _PthreadLock
    let wakeUp: _PthreadCondition
    let interval: UInt64
    var stopping = false

    init(sampler: TaskletPoolMetrics, lock: _PthreadLock, wakeUp: _PthreadCondition, interval: UInt64) {
        self.sampler = sampler
        self.lock = lock
        self.wakeUp = wakeUp
        self.interval = interval
    }
}

// MARK: - The metrics

/// The cumulative values a sample reads.
private struct Totals {
    var tasklets: UInt64 = 0
    var stealsSameCache: UInt64 = 0
    var stealsSameNode: UInt64 = 0
    var stealsOtherNode: UInt64 = 0
    var failedSteals: UInt64 = 0
    var parks: UInt64 = 0
    var wakes: UInt64 = 0
    var handOffs: UInt64 = 0
    var leapfrogs: UInt64 = 0
    var skipped: UInt64 = 0
    var longTasklets: UInt64 = 0
    var sparesStarted: UInt64 = 0
    var sparesRetired: UInt64 = 0
    var blockingSections: UInt64 = 0

    static let fields: [any WritableKeyPath<Totals, UInt64> & Sendable] = [
        \.tasklets, \.stealsSameCache, \.stealsSameNode, \.stealsOtherNode, \.failedSteals, \.parks, \.wakes,
        \.handOffs, \.leapfrogs, \.skipped, \.longTasklets, \.sparesStarted, \.sparesRetired, \.blockingSections,
    ]

    mutating func add(_ worker: TaskletPool.WorkerStatistics) {
        tasklets += worker.tasklets
        stealsSameCache += worker.stealsSameCache
        stealsSameNode += worker.stealsSameNode
        stealsOtherNode += worker.stealsOtherNode
        failedSteals += worker.failedSteals
        parks += worker.parks
        wakes += worker.wakes
        handOffs += worker.handOffs
        leapfrogs += worker.leapfrogs
        skipped += worker.skipped
    }

    /// Keeps the larger of each value: two samples racing must not make a
    /// counter go back and count the same growth twice.
    mutating func merge(_ other: Totals) {
        for field in Self.fields { self[keyPath: field] = max(self[keyPath: field], other[keyPath: field]) }
    }
}

private struct Counters {
    let fields: [(any WritableKeyPath<Totals, UInt64> & Sendable, Counter)]

    init(prefix: String, pool: String, factory: any MetricsFactory) {
        func counter(_ name: String, _ extra: [(String, String)] = []) -> Counter {
            Counter(label: "\(prefix)_\(name)_total", dimensions: [("pool", pool)] + extra, factory: factory)
        }
        fields = [
            (\.tasklets, counter("executed")),
            (\.stealsSameCache, counter("steals", [("tier", "same_cache")])),
            (\.stealsSameNode, counter("steals", [("tier", "same_node")])),
            (\.stealsOtherNode, counter("steals", [("tier", "other_node")])),
            (\.failedSteals, counter("failed_steals")),
            (\.parks, counter("parks")),
            (\.wakes, counter("wakes")),
            (\.handOffs, counter("hand_offs")),
            (\.leapfrogs, counter("leapfrogs")),
            (\.skipped, counter("skipped")),
            (\.longTasklets, counter("long_tasklets")),
            (\.sparesStarted, counter("spares_started")),
            (\.sparesRetired, counter("spares_retired")),
            (\.blockingSections, counter("blocking_sections")),
        ]
    }

    func add(_ now: Totals, since last: Totals) {
        for (field, counter) in fields where now[keyPath: field] > last[keyPath: field] {
            counter.increment(by: Int64(clamping: now[keyPath: field] - last[keyPath: field]))
        }
    }
}

private struct Gauges {
    let workers: Gauge
    let spares: Gauge
    let workerQueues: Gauge
    let injectors: Gauge

    init(prefix: String, pool: String, factory: any MetricsFactory) {
        workers = Gauge(label: "\(prefix)_workers", dimensions: [("pool", pool)], factory: factory)
        spares = Gauge(label: "\(prefix)_spares", dimensions: [("pool", pool)], factory: factory)
        workerQueues = Gauge(
            label: "\(prefix)_queued_jobs", dimensions: [("pool", pool), ("queue", "workers")], factory: factory)
        injectors = Gauge(
            label: "\(prefix)_queued_jobs", dimensions: [("pool", pool), ("queue", "injectors")], factory: factory)
    }
}
#endif
