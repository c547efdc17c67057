/// A pointer to a job record, as the deques and the injector carry it.
///
/// Every job record starts with a `JobHeader`, so a `JobRef` can be run
/// without knowing the record's type: Rayon's `JobRef` is the same idea.
/// Records live wherever their lifetime is known: a `join` half and a
/// `run` from outside live on the waiting caller's stack (`StackJob`), a
/// detached `spawn` or a scope's tasklet lives on the heap (`HeapJob`).
///
/// Swift jobs (`ExecutorJob`: a piece of a task, an actor message) travel in
/// the same deques: they are already pointers, so they are told apart by a
/// tag in the low bit (job records are at least 8-byte aligned, so that bit
/// is always clear on a record; see `JobRef(swiftJob:)`).
public typealias JobRef = UnsafeMutableRawPointer

/// The first stored property of every job record: the function that runs
/// the job, given the record. It is called at most once, on the thread that
/// took the job from a queue. A plain C function pointer: building and
/// dropping a record costs no reference counting.
@usableFromInline
struct JobHeader {
    @usableFromInline let execute: @convention(c) (JobRef) -> Void

    @inlinable
    init(execute: @convention(c) (JobRef) -> Void) {
        self.execute = execute
    }
}

extension JobRef {
    /// Runs the job this reference points to.
    @inlinable @inline(__always)
    func executeJob() {
        assumingMemoryBound(to: JobHeader.self).pointee.execute(self)
    }
}
