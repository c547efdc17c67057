/// A pointer to a job record, as the deques and the injector carry it.
///
/// Every job record starts with a `JobHeader`, so a `JobRef` can be run
/// without knowing the record's type: Rayon's `JobRef` is the same idea.
/// Records live wherever their lifetime is known: a `join` half and a
/// `run` from outside live on the waiting caller's stack (`StackJob`), a
/// detached `spawn` or a scope's tasklet lives on the heap (`HeapJob`).
///
/// Swift `ExecutorJob`s and async tasklets resumed from channels will travel
/// in the same deques: they are already pointers, so they will be told apart
/// by a tag in the low bit (job records are at least 8-byte aligned, so that
/// bit is always clear on a record).
public typealias JobRef = UnsafeMutableRawPointer

/// The first stored property of every job record: the invoker that runs
/// the job (see `Invoker`). It is called at most once, on the thread that
/// took the job from a queue.
@usableFromInline
struct JobHeader {
    #if PortableClosureABI
    @usableFromInline let invoker: Invoker

    @inlinable
    init(invoker: @escaping Invoker) {
        self.invoker = invoker
    }

    @inlinable @inline(__always)
    func invoke(_ job: JobRef) {
        invoker(job)
    }
    #else
    /// The invoker's two words: a plain value, so that building and dropping
    /// a record costs no reference counting.
    @usableFromInline let invoker: ClosureWords

    @inlinable @inline(__always)
    init(invoker: Invoker) {
        self.invoker = ClosureWords(invoker: invoker)
    }

    @inlinable @inline(__always)
    func invoke(_ job: JobRef) {
        invoker.invoke(job)
    }
    #endif
}

extension JobRef {
    /// Runs the job this reference points to.
    @inlinable @inline(__always)
    func executeJob() {
        assumingMemoryBound(to: JobHeader.self).pointee.invoke(self)
    }
}
