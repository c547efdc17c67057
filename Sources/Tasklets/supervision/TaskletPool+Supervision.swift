extension TaskletPool {
    /// How a pool keeps one long or blocked tasklet from holding back the
    /// work queued behind it (docs/starvation.md).
    ///
    /// Swift cannot preempt a running closure, so the pool supervises: a
    /// watchdog thread notices a worker that has run one tasklet for longer
    /// than `longTaskletThreshold` while work waits behind it, wakes an idle
    /// worker to steal that work, and if none is idle starts a *spare*
    /// worker that does. Code that knows it will block says so with
    /// ``blocking(_:)``, and its worker's queue is handed over at once.
    public struct Supervision: Sendable {
        /// How long one tasklet may run before the work queued behind it is
        /// handed to another thread; nil turns the watchdog off (no spares,
        /// no long-tasklet reports; `blocking` then only counts). Default
        /// 10 ms, or `TASKLETS_LONG_TASKLET_MS` (0 turns it off).
        public var longTaskletThreshold: Duration?
        /// Spares that may run at once for long tasklets; nil means the
        /// worker count. Spares for threads inside `blocking` sections come
        /// on top, one per section at most.
        public var maxSpareWorkers: Int?
        /// Threads that may be inside `blocking` sections at once (workers
        /// and spares together). A section that would exceed it waits for
        /// one to end. Default 512, as Tokio's blocking pool: blocked
        /// threads cost memory (their stacks), not CPU, and a cap in the
        /// hundreds still stops a runaway loop from creating thousands.
        public var maxBlockingThreads: Int
        /// How long a spare stays without work before its thread exits.
        public var spareIdleTimeout: Duration
        /// Called on the watchdog thread, once per long tasklet, when it
        /// crosses `longTaskletThreshold`. Keep it short: the watchdog waits
        /// for it. Capture the pool weakly, if at all: the pool keeps its
        /// settings, so a strong capture keeps the pool alive for ever.
        public var onLongTasklet: (@Sendable (LongTasklet) -> Void)?

        /// The environment variable for `longTaskletThreshold`, in
        /// milliseconds (0: off).
        public static let thresholdVariable = "TASKLETS_LONG_TASKLET_MS"
        /// The default threshold.
        public static let defaultThreshold: Duration = .milliseconds(10)

        /// Settings for `TaskletPool(supervision:)`; each parameter sets the
        /// property of the same name.
        ///
        /// The pool checks them when it starts: a threshold or idle timeout
        /// outside 1 ms to 1 hour, or a spare or blocking-thread count
        /// outside what a pool allows, makes `TaskletPool.init` throw
        /// `TaskletPoolError.invalidSupervision`.
        ///
        /// - Parameters:
        ///   - longTaskletThreshold: how long one tasklet may run before the
        ///     work behind it is handed on (default 10 ms); nil turns the
        ///     watchdog off.
        ///   - maxSpareWorkers: spares for long tasklets; nil means the
        ///     worker count.
        ///   - maxBlockingThreads: threads inside `blocking` sections at once
        ///     (default 512).
        ///   - spareIdleTimeout: how long an idle spare lives (default 100 ms).
        ///   - onLongTasklet: called on the watchdog thread for each long
        ///     tasklet.
        public init(
            longTaskletThreshold: Duration? = Supervision.defaultThreshold,
            maxSpareWorkers: Int? = nil,
            maxBlockingThreads: Int = 512,
            spareIdleTimeout: Duration = .milliseconds(100),
            onLongTasklet: (@Sendable (LongTasklet) -> Void)? = nil
        ) {
            self.longTaskletThreshold = longTaskletThreshold
            self.maxSpareWorkers = maxSpareWorkers
            self.maxBlockingThreads = maxBlockingThreads
            self.spareIdleTimeout = spareIdleTimeout
            self.onLongTasklet = onLongTasklet
        }

        /// No watchdog and no spares: long tasklets hold back what is queued
        /// behind them until a worker is free.
        public static var disabled: Supervision { Supervision(longTaskletThreshold: nil) }
    }

    /// A tasklet that ran past the threshold, as `onLongTasklet` hears of it.
    public struct LongTasklet: Sendable, CustomStringConvertible {
        /// The worker's index (`TaskletPool.currentWorkerIndex`); spares
        /// come after the regular workers.
        public var worker: Int
        /// Whether that thread is a spare.
        public var isSpare: Bool
        /// How long the tasklet had run when the watchdog noticed (at most
        /// one watchdog period past the threshold).
        public var runningFor: Duration
        /// The name given to `spawn(name:)`, if any.
        public var name: String?
        /// Whether work was queued behind it (and was handed on).
        public var heldWorkBack: Bool

        /// One line saying which thread has run which tasklet for how long,
        /// as the watchdog would log it.
        public var description: String {
            let who = isSpare ? "spare \(worker)" : "worker \(worker)"
            let what = name.map { "tasklet \"\($0)\"" } ?? "a tasklet"
            return "\(who) has run \(what) for \(runningFor)\(heldWorkBack ? " with work queued behind it" : "")"
        }
    }
}

/// The supervision settings, checked and in the units the watchdog uses.
struct SupervisionSettings: Sendable {
    /// nil: no watchdog.
    let thresholdNanoseconds: UInt64?
    /// How often the watchdog looks while the pool runs.
    let periodNanoseconds: UInt64
    /// How long it dozes after a look that found every worker asleep: 8
    /// thresholds, doubling at each look that still finds the pool asleep,
    /// up to a second (or the first doze, if longer). A worker that wakes
    /// does not wake the watchdog: a futex wake there would sit on the path
    /// of every job submitted to an idle pool, and a look costs tens of µs
    /// of CPU on a VM (a timer wake-up of an idle vCPU), so a pool that wakes
    /// often must not look at every wake-up. What a doze delays is bounded:
    /// a submission that finds every worker busy wakes it
    /// (`Supervisor.noteEveryWorkerBusy`), and a lone long tasklet started
    /// on an idle pool is reported up to one doze late.
    var firstDozeNanoseconds: UInt64 { (thresholdNanoseconds ?? periodNanoseconds) &* 8 }
    var longestDozeNanoseconds: UInt64 { max(firstDozeNanoseconds, 1_000_000_000) }
    let maxSpareWorkers: Int
    let maxBlockingThreads: Int
    let spareIdleNanoseconds: UInt64
    let onLongTasklet: (@Sendable (TaskletPool.LongTasklet) -> Void)?

    /// The most spare slots a pool may need.
    var spareCapacity: Int { maxSpareWorkers + maxBlockingThreads }

    init(
        _ supervision: TaskletPool.Supervision?, workerCount: Int, system: SystemCalls
    ) throws(TaskletPoolError) {
        var threshold = supervision.map(\.longTaskletThreshold) ?? TaskletPool.Supervision.defaultThreshold
        if supervision == nil, let value = system.environment(TaskletPool.Supervision.thresholdVariable) {
            guard let milliseconds = Int(value.filter { !$0.isWhitespace }), (0...3_600_000).contains(milliseconds)
            else {
                throw .invalidEnvironment(
                    variable: TaskletPool.Supervision.thresholdVariable, value: value,
                    expected: "a whole number of milliseconds from 0 (off) to 3600000")
            }
            threshold = milliseconds == 0 ? nil : .milliseconds(milliseconds)
        }
        let settings = supervision ?? TaskletPool.Supervision()
        if let threshold {
            guard threshold >= .milliseconds(1), threshold <= .seconds(3600) else {
                throw .invalidSupervision("longTaskletThreshold \(threshold): expected 1 ms to 1 hour, or nil (off)")
            }
        }
        let spares = settings.maxSpareWorkers ?? workerCount
        guard (0...TaskletPool.maximumWorkers).contains(spares) else {
            throw .invalidSupervision("maxSpareWorkers \(spares): expected 0...\(TaskletPool.maximumWorkers)")
        }
        guard (1...TaskletPool.maximumWorkers).contains(settings.maxBlockingThreads) else {
            throw .invalidSupervision(
                "maxBlockingThreads \(settings.maxBlockingThreads): expected 1...\(TaskletPool.maximumWorkers)")
        }
        guard settings.spareIdleTimeout >= .milliseconds(1), settings.spareIdleTimeout <= .seconds(3600) else {
            throw .invalidSupervision("spareIdleTimeout \(settings.spareIdleTimeout): expected 1 ms to 1 hour")
        }
        thresholdNanoseconds = threshold.map(\.nanoseconds)
        // A fifth of the threshold: a tasklet is noticed at most 20% late.
        periodNanoseconds = max(1_000_000, (thresholdNanoseconds ?? 0) / 5)
        maxSpareWorkers = spares
        maxBlockingThreads = settings.maxBlockingThreads
        spareIdleNanoseconds = settings.spareIdleTimeout.nanoseconds
        onLongTasklet = settings.onLongTasklet
    }
}
