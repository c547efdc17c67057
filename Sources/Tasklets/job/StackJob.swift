import CTaskletsShims
import Synchronization

/// A job record on the stack of a thread that waits for it: the second half
/// of a `join`, or a `run` submitted from outside the pool.
///
/// The waiter owns the record and does not return before the latch is set,
/// so the record needs no allocation and no reference counting (Rayon's
/// `StackJob`). It lends the waiter's closure (`BorrowedClosure`) and points
/// to where the result goes; the latch orders the result before the wait ends.
@usableFromInline
struct StackJob: ~Copyable {
    /// Must stay the first stored property: a `JobRef` points here.
    @usableFromInline let header: JobHeader
    /// The lent closure: the `join`'s second half, or the body of a `run`.
    @usableFromInline let body: ClosureWords
    /// Where the invoker writes the result (typed by the invoker).
    @usableFromInline let results: UnsafeMutableRawPointer
    @usableFromInline let latch: Latch
    /// Which worker stole the job and where its deque stood then, packed by
    /// `ThiefMark`; 0 until a thief starts the job. The waiting owner uses it
    /// to help only with the stolen job's own subtasks (leapfrogging).
    @usableFromInline let thief: Atomic<UInt64>

    @inlinable @inline(__always)
    init(invoker: @escaping Invoker, body: ClosureWords, results: UnsafeMutableRawPointer) {
        header = JobHeader(invoker: invoker)
        self.body = body
        self.results = results
        latch = Latch()
        thief = Atomic(0)
    }

    /// The frame of every StackJob invoker, which runs on the thread that
    /// took the job from a queue (never the owner, which takes its own job
    /// back and runs the closure inline): notes the thief, lets `work`
    /// produce the result, and sets the latch. After that the record may be
    /// gone, so nothing touches it.
    @inlinable @inline(__always)
    static func runTaken(_ reference: JobRef, _ work: (UnsafeMutablePointer<StackJob>) -> Void) {
        let job = reference.assumingMemoryBound(to: StackJob.self)
        let worker = Worker.current
        markThief(job, worker: worker)
        work(job)
        complete(job, worker: worker)
    }

    @usableFromInline
    static func markThief(_ job: UnsafeMutablePointer<StackJob>, worker: UnsafeMutablePointer<Worker>?) {
        guard let worker else { return }
        // relaxed: a hint for the owner's choice of deque to help with;
        // correctness of what it steals rests on the deque alone.
        job.pointee.thief.store(
            ThiefMark.pack(worker: worker.pointee.index, base: worker.pointee.deque.bottomIndex),
            ordering: .relaxed)
    }

    @usableFromInline
    static func complete(_ job: UnsafeMutablePointer<StackJob>, worker: UnsafeMutablePointer<Worker>?) {
        let system = worker?.pointee.registry.takeUnretainedValue().system ?? .live
        job.pointee.latch.set(system: system)
    }
}

/// The packing of `StackJob.thief`: the thief's worker index + 1 in the low
/// 16 bits, its deque's bottom index above them.
@usableFromInline
enum ThiefMark {
    @inlinable
    static func pack(worker: Int, base: Int) -> UInt64 {
        UInt64(truncatingIfNeeded: base) << 16 | UInt64(worker + 1)
    }

    /// The thief's index and deque floor, or nil when no thief started yet.
    @inlinable
    static func unpack(_ mark: UInt64) -> (worker: Int, base: Int)? {
        guard mark != 0 else { return nil }
        return (Int(mark & 0xFFFF) - 1, Int(truncatingIfNeeded: mark >> 16))
    }
}
