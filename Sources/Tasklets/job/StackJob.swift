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
    /// Which worker stole the job and where its deque stood then, packed by
    /// `ThiefMark`; 0 until a thief starts the job. The waiting owner uses it
    /// to help only with the stolen job's own subtasks (leapfrogging).
    @usableFromInline let thief: Atomic<UInt64>

    @inlinable @inline(__always)
    init(body: LentClosure) {
        header = JobHeader(execute: { StackJob.executeTaken($0) })
        self.body = body
        latch = Latch()
        thief = Atomic(0)
    }

    /// Runs the job on the thread that took it from a queue: never its
    /// owner, which takes its own job back and runs it inline. Notes the
    /// thief, runs the body, sets the latch; after that the record may be
    /// gone, so nothing touches it.
    @usableFromInline
    static func executeTaken(_ reference: JobRef) {
        let job = reference.assumingMemoryBound(to: StackJob.self)
        let worker = Worker.current
        if let worker {
            // relaxed: a hint for the owner's choice of deque to help with;
            // correctness of what it steals rests on the deque alone.
            job.pointee.thief.store(
                ThiefMark.pack(worker: worker.pointee.index, base: worker.pointee.deque.bottomIndex),
                ordering: .relaxed)
        }
        job.pointee.body()
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
