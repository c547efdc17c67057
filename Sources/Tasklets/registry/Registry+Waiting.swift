import CTaskletsShims

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What a waiting worker may run while it waits, so that waiting can never
/// deadlock it or bury it under unrelated work (docs/join.md).
@usableFromInline
enum HelpPolicy {
    /// A stolen `join` half: only the thief's jobs that descend from it.
    case thiefOf(UnsafeMutablePointer<StackJob>)
    /// A scope: only jobs this worker pushed after the scope began.
    case localAtOrAbove(Int)
    /// A `run` into another pool: any job of this worker's own pool, as if
    /// it were idle, except the older jobs of its own deque (they belong to
    /// the frames below, such as a `join` waiting for its own half). Without
    /// this, two pools that call into each other could block every worker of
    /// both (the trade-off is in docs/join.md). `floor` is the deque's bottom
    /// when the wait began.
    case anyWork(floor: Int)
}

extension Registry {
    /// Waits until `latch` is set: helps as `policy` allows, spins a little,
    /// then sleeps on the latch in slices that grow from 10 µs to 1 ms (so
    /// that it keeps helping when the thief publishes new subtasks).
    @usableFromInline
    func wait(
        for latch: borrowing Latch, helping policy: HelpPolicy,
        on worker: UnsafeMutablePointer<Worker>
    ) {
        var idleRounds = 0
        var sliceNanoseconds: Int64 = 10_000
        while !latch.isSet {
            if let job = helpingJob(policy, on: worker) {
                // The stolen half may have finished while we stole from its
                // thief, which may have gone on to unrelated work: queue such
                // a job for the pool rather than run it inside this wait.
                if case .thiefOf = policy, latch.isSet, submitExternal(job) { return }
                run(job, on: worker)
                idleRounds = 0
                continue
            }
            idleRounds += 1
            if idleRounds < 32 {
                for _ in 0..<(1 << min(idleRounds, 6)) { ctasklets_cpu_relax() }
            } else if idleRounds < 40 {
                sched_yield()
            } else {
                if latch.sleep(system: system, timeoutNanoseconds: sliceNanoseconds) { return }
                sliceNanoseconds = min(sliceNanoseconds * 2, 1_000_000)
            }
        }
    }

    private func helpingJob(_ policy: HelpPolicy, on worker: UnsafeMutablePointer<Worker>) -> JobRef? {
        switch policy {
        case .thiefOf(let job):
            // relaxed: see StackJob.thief.
            guard let (thief, base) = ThiefMark.unpack(job.pointee.thief.load(ordering: .relaxed)) else {
                return nil
            }
            while true {
                switch workers[thief].pointee.deque.steal(atOrAbove: base) {
                case .success(let stolen): return stolen
                case .empty: return nil
                case .retry: continue
                }
            }
        case .localAtOrAbove(let floor):
            let job = worker.pointee.deque.take(atOrAbove: floor)
            if job != nil { worker.pointee.counters.leapfrogs.bumpOwned() }
            return job
        case .anyWork(let floor):
            return worker.pointee.deque.take(atOrAbove: floor) ?? popAnyInjector(worker) ?? stealOnce(worker)
        }
    }
}
