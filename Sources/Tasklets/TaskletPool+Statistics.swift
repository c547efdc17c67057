extension TaskletPool {
    /// A snapshot of the pool's counters.
    public struct Statistics: Sendable, Hashable {
        /// One entry per worker, in worker order.
        public var workers: [WorkerStatistics]
        /// Swift jobs (and actor strands) that reached the pool after its
        /// shutdown and ran on the last-resort thread (docs/async.md).
        public var lateJobs: UInt64 = 0

        /// The spares' counters, summed (supervision: docs/starvation.md).
        public var spares = WorkerStatistics()
        /// What the watchdog saw and did.
        public var supervision = SupervisionStatistics()
        /// The sum over every worker (spares not included).
        public var total: WorkerStatistics {
            workers.reduce(into: WorkerStatistics()) { sum, worker in sum.add(worker) }
        }
    }

    /// One worker's counters since the pool started.
    public struct WorkerStatistics: Sendable, Hashable {
        /// Jobs this worker ran from a queue: stolen, injected, spawned, or
        /// taken from its own deque by its loop. A `join` half taken back
        /// and run inline by its owner is not counted: counting it would
        /// cost the fork-join fast path.
        public var tasklets: UInt64 = 0
        /// Successful steals from another worker's deque, including those of
        /// a waiting `join` from its thief. A batch from another node counts
        /// once (its extra jobs are in `batchedJobs`).
        public var steals: UInt64 = 0
        /// Of those, from a worker on the same last-level cache,
        public var stealsSameCache: UInt64 = 0
        /// from another worker of the same NUMA node,
        public var stealsSameNode: UInt64 = 0
        /// and from a worker on another node.
        public var stealsOtherNode: UInt64 = 0
        /// Jobs moved along with a steal from another node (up to half of
        /// the victim's deque), beyond the one stolen.
        public var batchedJobs: UInt64 = 0
        /// Steal attempts on a victim that found nothing or lost every race.
        public var failedSteals: UInt64 = 0
        /// Jobs run while waiting for a stolen `join` half or for a scope:
        /// taken from this worker's own deque, or stolen from the thief of
        /// the `join` half (those are counted in `steals` too).
        public var leapfrogs: UInt64 = 0
        /// Of the `steals`, those a waiting `join` made from its thief. They
        /// go wherever the stolen half went, not where the steal search
        /// chose to look: `steals - leapfrogSteals` are the search's own.
        public var leapfrogSteals: UInt64 = 0
        /// Of those, from a thief on another node.
        public var leapfrogStealsOtherNode: UInt64 = 0
        /// Work skipped after a cancellation: `join` halves, scope tasklets
        /// and loop chunks that had not started (or, for a loop chunk,
        /// stopped early) when an error cancelled their construct.
        public var skipped: UInt64 = 0
        /// Times the worker went to sleep.
        public var parks: UInt64 = 0
        /// Times it was woken from that sleep.
        public var wakes: UInt64 = 0
        /// Jobs from outside the pool handed to this worker as it was woken,
        /// because nobody searched (docs/sleep-protocol.md): it ran them
        /// without looking in a queue. Counted in `tasklets` too. Not a
        /// part of `wakes`: a worker handed a job between its announcement
        /// and its park counts neither a park nor a wake.
        public var handOffs: UInt64 = 0
    }

    /// The supervision counters since the pool started.
    public struct SupervisionStatistics: Sendable, Hashable, CustomStringConvertible {
        /// Tasklets that ran past the long-tasklet threshold.
        public var longTasklets: UInt64 = 0
        /// Spare threads started and retired; spares alive now; the most
        /// alive at once.
        public var sparesStarted: UInt64 = 0
        /// Spare threads that exited after idling for `spareIdleTimeout`
        /// (or at shutdown).
        public var sparesRetired: UInt64 = 0
        /// Spare threads alive when the statistics were read.
        public var currentSpares = 0
        /// The most spare threads alive at once.
        public var peakSpares = 0
        /// Blocking sections entered; the most at once; sections that had
        /// to wait for a slot under `maxBlockingThreads`.
        public var blockingSections: UInt64 = 0
        /// The most blocking sections running at once.
        public var peakBlockingSections = 0
        /// Blocking sections that had to wait for a slot because
        /// `maxBlockingThreads` sections were already running.
        public var blockingWaits: UInt64 = 0

        /// One line with every counter, for logs.
        public var description: String {
            "supervision: \(longTasklets) long tasklet(s); spares \(sparesStarted) started, "
                + "\(sparesRetired) retired, \(currentSpares) alive (peak \(peakSpares)); "
                + "blocking sections \(blockingSections) (peak \(peakBlockingSections), \(blockingWaits) waited)"
        }
    }

    /// Reads every worker's counters. Safe while the pool runs; each value is
    /// exact, the set is not an atomic snapshot.
    public func statistics() -> Statistics {
        let registry = self.registry
        var statistics = Statistics(workers: (0..<registry.workerCount).map { index in
            WorkerStatistics(registry.workers[index])
        })
        let spareSlots = registry.supervisor.spareSlots.load(ordering: .acquiring)
        for index in registry.workerCount..<registry.workerCount + spareSlots {
            statistics.spares.add(WorkerStatistics(registry.workers[index]))
        }
        statistics.supervision = registry.supervisor.lock.withLock { registry.supervisor.currentStatistics }
        statistics.lateJobs = registry.lateJobs.load(ordering: .relaxed)
        return statistics
    }
}

extension TaskletPool.WorkerStatistics {
    init(_ counters: UnsafeMutablePointer<Worker>) {
        self.init(
                tasklets: counters.pointee.counters.tasklets.load(ordering: .relaxed),
                steals: counters.pointee.counters.steals.load(ordering: .relaxed),
                stealsSameCache: counters.pointee.counters.stealsSameCache.load(ordering: .relaxed),
                stealsSameNode: counters.pointee.counters.stealsSameNode.load(ordering: .relaxed),
                stealsOtherNode: counters.pointee.counters.stealsOtherNode.load(ordering: .relaxed),
                batchedJobs: counters.pointee.counters.batchedJobs.load(ordering: .relaxed),
                failedSteals: counters.pointee.counters.failedSteals.load(ordering: .relaxed),
                leapfrogs: counters.pointee.counters.leapfrogs.load(ordering: .relaxed),
                leapfrogSteals: counters.pointee.counters.leapfrogSteals.load(ordering: .relaxed),
                leapfrogStealsOtherNode: counters.pointee.counters.leapfrogStealsOtherNode.load(ordering: .relaxed),
                skipped: counters.pointee.counters.skipped.load(ordering: .relaxed),
                parks: counters.pointee.counters.parks.load(ordering: .relaxed),
                wakes: counters.pointee.counters.wakes.load(ordering: .relaxed),
                handOffs: counters.pointee.counters.handOffs.load(ordering: .relaxed))
    }
}

extension TaskletPool.WorkerStatistics {
    /// Every counter, for sums.
    static let counters: [any WritableKeyPath<Self, UInt64> & Sendable] = [
        \.tasklets, \.steals, \.stealsSameCache, \.stealsSameNode, \.stealsOtherNode, \.batchedJobs,
        \.failedSteals, \.leapfrogs, \.leapfrogSteals, \.leapfrogStealsOtherNode, \.skipped, \.parks, \.wakes,
        \.handOffs,
    ]

    /// Adds another worker's counters to these.
    mutating func add(_ other: Self) {
        for counter in Self.counters { self[keyPath: counter] += other[keyPath: counter] }
    }
}
