import CTaskletsShims

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What a waiting worker may run while it waits: only work created inside
/// what it waits for, so that waiting can neither deadlock it nor bury it
/// under unrelated work, while every job its waits depend on stays within
/// reach of some waiter (docs/join.md, "What a waiting worker runs").
@usableFromInline
enum HelpPolicy {
    /// A `join` whose second half a thief runs: the jobs this worker's own
    /// deque received since the wait began (`floor`: the deque is empty at
    /// that moment), then the thief's jobs pushed while it runs the half.
    case join(UnsafeMutablePointer<StackJob>, floor: Int)
    /// A scope: the jobs this worker's own deque received since the scope
    /// began (its tasklets, and what the tasklets it ran left there).
    case scope(floor: Int)
    /// A `run` into another pool: any job of this worker's own pool, as if
    /// it were idle, except the older jobs of its own deque (they belong to
    /// the frames below, such as a `join` waiting for its own half). Without
    /// this, two pools that call into each other could block every worker of
    /// both (the trade-off is in docs/join.md). `floor` is the deque's bottom
    /// when the wait began.
    case anyWork(floor: Int)
}

extension Registry {
    /// How long a thread blocked in `run` lets its job run alone before it
    /// brings a helper (`waitWatching`). About what waking a helper costs
    /// in CPU time on a VM (a futex wake of a halted vCPU, and the helper's
    /// fruitless search), so that a job that ends sooner wakes nobody. The
    /// futex timeout also takes the waiter's timer slack (50 µs by default
    /// on Linux), so the helper comes 20-70 µs after the job started.
    @usableFromInline static var helperDelayNanoseconds: UInt64 { 20_000 }

    /// For a worker about to skip a wake-up inside a watched job: whether
    /// the waiter still watches and the delay has not passed.
    @inlinable
    static func isStillWatched(_ watch: (job: UnsafeMutablePointer<StackJob>, since: UInt64)) -> Bool {
        watch.job.pointee.latch.isStillWatched
            && ctasklets_now_ns() &- watch.since < helperDelayNanoseconds
    }

    /// A thread outside the pool waits for the `run` job it submitted with
    /// `Latch.watched` set. The worker running such a job wakes nobody for
    /// the jobs it pushes; if the job is still running after
    /// `helperDelayNanoseconds`, this thread stops watching and, if that
    /// worker's deque holds a job, wakes a sleeper on its behalf
    /// (docs/sleep-protocol.md, "A blocked `run` brings its own helper").
    func waitWatching(_ latch: borrowing Latch) {
        if latch.waitBlocking(system: system, until: ctasklets_now_ns() &+ Registry.helperDelayNanoseconds) {
            return
        }
        // A job not started yet is no longer watched once it starts; one
        // that runs may have left its wake-ups to us, all in its worker's
        // deque. The load of `count` is seq_cst, after `endWatch`'s seq_cst
        // read-modify-write.
        if let index = latch.endWatch(), workers[index].pointee.deque.count > 0 {
            announceQueuedJob(publishedSequentiallyConsistent: true)
        }
        _ = latch.waitBlocking(system: system)
    }

    /// Waits until `latch` is set: helps as `policy` allows, spins a little,
    /// then sleeps on the latch in slices that grow from 10 µs to 1 ms (so
    /// that it keeps helping when the thief publishes new subtasks; in a
    /// `join`, a thief that starts the half wakes it at once).
    @usableFromInline
    func wait(
        for latch: borrowing Latch, helping policy: HelpPolicy,
        on worker: UnsafeMutablePointer<Worker>
    ) {
        if case .anyWork = policy {
            closeToHelpers(worker)
        }
        defer {
            if case .anyWork = policy { reopenToHelpers(worker) }
        }
        // Only a `join` can help the thief that started its half.
        let wakeOnStart = if case .join = policy { true } else { false }
        var idleRounds = 0
        var sliceNanoseconds: Int64 = 10_000
        while !latch.isSet {
            if let job = helpingJob(policy, on: worker) {
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
                if latch.sleep(
                    system: system, timeoutNanoseconds: sliceNanoseconds, wakeOnStart: wakeOnStart) { return }
                sliceNanoseconds = min(sliceNanoseconds * 2, 1_000_000)
            }
        }
    }

    private func helpingJob(_ policy: HelpPolicy, on worker: UnsafeMutablePointer<Worker>) -> JobRef? {
        switch policy {
        case .join(let record, let floor):
            return ownJob(atOrAbove: floor, on: worker) ?? stealFromThief(of: record, on: worker)
        case .scope(let floor):
            return ownJob(atOrAbove: floor, on: worker)
        case .anyWork(let floor):
            // No batches: jobs moved onto this deque could outlast the wait,
            // above the floors of the frames below it.
            return worker.pointee.deque.take(atOrAbove: floor) ?? nextTaskJob(worker)
                ?? popAnyInjector(worker) ?? stealOnce(worker, batching: false)
        }
    }

    /// The newest job this worker's deque received since a wait began.
    private func ownJob(atOrAbove floor: Int, on worker: UnsafeMutablePointer<Worker>) -> JobRef? {
        let job = worker.pointee.deque.take(atOrAbove: floor)
        if job != nil { worker.pointee.counters.leapfrogs.bumpOwned() }
        return job
    }

    /// One of the jobs the thief of `record` pushed while running it, taken
    /// while the thief cannot finish (`StackJob.beginHelping`).
    private func stealFromThief(
        of record: UnsafeMutablePointer<StackJob>, on worker: UnsafeMutablePointer<Worker>
    ) -> JobRef? {
        guard let (thief, base, held) = record.pointee.beginHelping() else { return nil }
        defer { record.pointee.endHelping(held) }
        // The thief's jobs above the base are the half's own only while it
        // runs no unrelated work: not inside a cross-pool wait.
        guard enterAsHelper(of: workers[thief]) else { return nil }
        defer { leaveAsHelper(of: workers[thief]) }
        // A lost race means someone else took a job; try a few more times
        // (the thief waits for us meanwhile).
        for _ in 0..<4 {
            switch workers[thief].pointee.deque.steal(atOrAbove: base) {
            case .success(let job):
                worker.pointee.counters.recordLeapfrogSteal(relation(of: worker, to: thief))
                return job
            case .empty:
                return nil
            case .retry:
                continue
            }
        }
        return nil
    }
}

// MARK: - The help gate

/// A worker inside a cross-pool wait (`HelpPolicy.anyWork`) runs unrelated
/// jobs of its pool, and their `join` records land on its deque above the
/// base of any half it is running for a waiting owner. That owner must not
/// take them (docs/join.md, "What a waiting worker runs"). So the worker
/// closes its gate before such a wait and opens it after; a helper enters the
/// gate before it steals and leaves after. Closing waits until the helpers
/// inside have left, so every steal made by a helper happens before the
/// unrelated work the worker runs next.
extension Registry {
    static let gateClosedOne: UInt64 = 1 << 32

    func closeToHelpers(_ worker: UnsafeMutablePointer<Worker>) {
        // acquiringAndReleasing: a read-modify-write of the gate, ordered
        // with the helpers' (one modification order).
        var value = worker.pointee.helpGate.add(Registry.gateClosedOne, ordering: .acquiringAndReleasing).newValue
        var spins = 0
        while value & 0xFFFF_FFFF != 0 {
            Latch.backOff(&spins)
            // acquiring: pairs with a leaving helper's releasing decrement, so
            // its steal happens before what this worker does next.
            value = worker.pointee.helpGate.load(ordering: .acquiring)
        }
    }

    func reopenToHelpers(_ worker: UnsafeMutablePointer<Worker>) {
        // releasing: the unrelated work done inside happens before a helper
        // that enters after.
        worker.pointee.helpGate.subtract(Registry.gateClosedOne, ordering: .releasing)
    }

    /// Counts the caller in as a helper of `thief`, unless its gate is closed.
    func enterAsHelper(of thief: UnsafeMutablePointer<Worker>) -> Bool {
        var value = thief.pointee.helpGate.load(ordering: .relaxed)
        while value < Registry.gateClosedOne {
            // acquiring: pairs with the releasing reopening, so nothing the
            // thief did in its cross-pool wait is missed.
            let (exchanged, original) = thief.pointee.helpGate.compareExchange(
                expected: value, desired: value + 1, ordering: .acquiring)
            if exchanged { return true }
            value = original
        }
        return false
    }

    func leaveAsHelper(of thief: UnsafeMutablePointer<Worker>) {
        // releasing: the steal happens before a closing that sees us leave.
        thief.pointee.helpGate.subtract(1, ordering: .releasing)
    }
}
