/// A worker's queues for jobs nobody waits for inside the pool: Swift jobs,
/// actor strands with messages, detached `spawn`s. One Chase-Lev deque per
/// `JobClass`; the owner takes from each oldest first, as thieves do, so each
/// is first in, first out (Go's local run queue).
struct TaskQueues: ~Copyable {
    let high: WorkStealingDeque
    let normal: WorkStealingDeque
    let low: WorkStealingDeque

    init(memory: RingMemory?) {
        high = WorkStealingDeque(memory: memory)
        normal = WorkStealingDeque(memory: memory)
        low = WorkStealingDeque(memory: memory)
    }

    /// Appends a job to its class's queue. Owner only.
    func push(_ job: JobRef, _ jobClass: JobClass) {
        switch jobClass {
        case .high: high.push(job)
        case .normal: normal.push(job)
        case .low: low.push(job)
        }
    }

    /// The owner's next job: the oldest of the class `aging` picks among
    /// those with work (if thieves emptied that class meanwhile, the oldest
    /// of the others, by priority).
    func takeOldest(_ aging: inout Aging) -> JobRef? {
        // The owner's view of emptiness: exact for `bottom`, `top` may lag.
        guard let jobClass = aging.pick(
            high: !high.looksEmpty, normal: !normal.looksEmpty, low: !low.looksEmpty)
        else { return nil }
        return takeOldest(jobClass) ?? high.takeOldest() ?? normal.takeOldest() ?? low.takeOldest()
    }

    private func takeOldest(_ jobClass: JobClass) -> JobRef? {
        switch jobClass {
        case .high: return high.takeOldest()
        case .normal: return normal.takeOldest()
        case .low: return low.takeOldest()
        }
    }

    /// A thief's take: high, then normal, then low.
    func steal() -> JobRef? {
        high.stealRetrying(fromQueue: true) ?? normal.stealRetrying(fromQueue: true)
            ?? low.stealRetrying(fromQueue: true)
    }

    /// The owner's view: true if no class has a job (exact for `bottom`;
    /// a lagging `top` only makes it say false).
    var looksEmpty: Bool {
        high.looksEmpty && normal.looksEmpty && low.looksEmpty
    }

    /// Queued jobs, with the seq_cst loads of the sleep protocol's re-check.
    var count: Int {
        high.count + normal.count + low.count
    }
}
