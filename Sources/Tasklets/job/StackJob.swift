import CTaskletsShims
import Synchronization

/// A job record on the stack of a thread that waits for it: the second half
/// of a `join`, or a `run` submitted from outside the pool.
///
/// The waiter owns the record and does not return before the latch is set,
/// so the record needs no allocation and no reference counting (Rayon's
/// `StackJob`). It lends the waiter a `() -> Void` closure that stores its
/// own result; the latch orders that store before the wait ends.
@usableFromInline
struct StackJob: ~Copyable {
    /// Must stay the first stored property: a `JobRef` points here.
    @usableFromInline let header: JobHeader
    @usableFromInline let body: LentClosure
    @usableFromInline let latch: Latch
    /// The cancellation node the job was created in: whoever runs it runs
    /// it there (see `Ambient`).
    @usableFromInline let context: UnsafePointer<CancellationNode>?
    /// The index where the thief's deque stood when it started the job: the
    /// jobs it pushes from then on, while it runs this one, are this job's
    /// own subtasks. Written by the thief before it sets `running` in the
    /// latch, read by the owner after it sees that bit.
    @usableFromInline let thiefBase: Atomic<Int>

    @inlinable @inline(__always)
    init(body: LentClosure, context: UnsafePointer<CancellationNode>?) {
        header = JobHeader(execute: { StackJob.executeTaken($0) })
        self.body = body
        latch = Latch()
        self.context = context
        thiefBase = Atomic(0)
    }

    /// Runs the job on the thread that took it from a queue: never its
    /// owner, which takes its own job back and runs it inline. Notes the
    /// thief, runs the body in the job's context, sets the latch; after that
    /// the record may be gone, so nothing touches it.
    @usableFromInline
    static func executeTaken(_ reference: JobRef) {
        let job = reference.assumingMemoryBound(to: StackJob.self)
        guard let worker = Worker.current else {
            Ambient.with(job.pointee.context) { job.pointee.body() }
            job.pointee.latch.set(system: .live)
            return
        }
        let system = worker.pointee.registry.takeUnretainedValue().system
        // relaxed: `markRunning` publishes it.
        job.pointee.thiefBase.store(worker.pointee.deque.bottomIndex, ordering: .relaxed)
        let watched = job.pointee.latch.markRunning(by: worker.pointee.index, system: system)
        // A job its waiter watches defers this worker's wake-ups while it
        // runs, and so does every job run inside it (`Worker.watch`).
        // Restored before the latch is set: after that the record may be
        // gone.
        let outer = worker.pointee.watch
        if watched { worker.pointee.watch = (job, ctasklets_now_ns()) }
        Ambient.with(job.pointee.context) { job.pointee.body() }
        worker.pointee.watch = outer
        job.pointee.latch.set(system: system)
    }

    /// For the owner waiting on a stolen job: the thief's worker index and
    /// base while the thief runs the job, with the latch held in `helping`
    /// so that the thief cannot finish the job until `endHelping`. nil when
    /// no thief runs it (not started yet, or finished).
    ///
    /// Why: a job the owner steals from the thief's deque at or above the
    /// base, while the thief cannot finish, was pushed while the thief ran
    /// this job, so it is one of its subtasks. Once the thief finishes, it
    /// may push unrelated work above the same base; the owner must never
    /// take that (rayon-rs/rayon#592, #957).
    @inlinable
    func beginHelping() -> (thief: Int, base: Int, held: UInt32)? {
        // acquiring: pairs with the releasing `markRunning`, so the base the
        // thief wrote before it is visible below.
        let value = latch.state.load(ordering: .acquiring)
        guard value & Latch.running != 0, value & Latch.set == 0 else { return nil }
        // acquiring: nothing of ours may move before the claim; the claim
        // fails if the thief finished meanwhile (the state is then `set`).
        guard latch.state.compareExchange(
            expected: value, desired: value | Latch.helping, ordering: .acquiring
        ).exchanged else { return nil }
        let thief = Int(value >> Latch.thiefShift) - 1
        return (thief, thiefBase.load(ordering: .relaxed), value)
    }

    /// Ends `beginHelping`. Nobody else changes the state while `helping`
    /// is set (the thief waits; only the owner sleeps), so it goes back to
    /// `held`. releasing: the thief's finishing exchange acquires it.
    @inlinable
    func endHelping(_ held: UInt32) {
        latch.state.store(held, ordering: .releasing)
    }
}
