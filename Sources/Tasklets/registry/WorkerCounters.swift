import Synchronization

/// One worker's event counters. Only the worker writes them, with a relaxed
/// load and store (a plain `mov`, no locked instruction), and anyone may read
/// them while the pool runs.
struct WorkerCounters: ~Copyable {
    let tasklets = Atomic<UInt64>(0)
    let steals = Atomic<UInt64>(0)
    let stealsSameCache = Atomic<UInt64>(0)
    let stealsSameNode = Atomic<UInt64>(0)
    let stealsOtherNode = Atomic<UInt64>(0)
    let batchedJobs = Atomic<UInt64>(0)
    let failedSteals = Atomic<UInt64>(0)
    let leapfrogs = Atomic<UInt64>(0)
    let leapfrogSteals = Atomic<UInt64>(0)
    let leapfrogStealsOtherNode = Atomic<UInt64>(0)
    let skipped = Atomic<UInt64>(0)
    let parks = Atomic<UInt64>(0)
    let wakes = Atomic<UInt64>(0)
    let handOffs = Atomic<UInt64>(0)

    /// Counts one steal, by where the victim is.
    func recordSteal(_ relation: PoolLayout.Relation) {
        steals.bumpOwned()
        switch relation {
        case .sameCache: stealsSameCache.bumpOwned()
        case .sameNode: stealsSameNode.bumpOwned()
        case .otherNode: stealsOtherNode.bumpOwned()
        }
    }

    /// Counts one steal of a waiting `join` from its thief: a steal (by
    /// where the thief is), a leapfrog, and one of the leapfrog steals, which
    /// go wherever the stolen half went rather than where the steal search
    /// would look.
    func recordLeapfrogSteal(_ relation: PoolLayout.Relation) {
        recordSteal(relation)
        leapfrogs.bumpOwned()
        leapfrogSteals.bumpOwned()
        if relation == .otherNode { leapfrogStealsOtherNode.bumpOwned() }
    }
}

extension Atomic where Value == UInt64 {
    /// Adds one; for counters that only their owner thread writes.
    @inline(__always)
    func bumpOwned() {
        store(load(ordering: .relaxed) &+ 1, ordering: .relaxed)
    }
}
