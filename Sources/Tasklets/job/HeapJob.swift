import CTaskletsShims

/// A job record on the heap: a detached `spawn`, or a tasklet of a scope.
/// The job frees its own record before it runs the body.
///
/// The record carries whom the job answers to, so that a tasklet costs one
/// allocation (the record) beside its own closure, with no wrapper closure
/// to route its error or its completion.
@usableFromInline
struct HeapJob {
    /// Who hears about the job: the pool's error handler for a detached
    /// `spawn`, or the scope that waits for it.
    enum Owner {
        case pool(@Sendable (any Error) -> Void)
        case scope(ScopeState)
    }

    /// Must stay the first stored property: a `JobRef` points here.
    let header: JobHeader
    let body: @Sendable () throws -> Void
    let owner: Owner
    /// The tasklet's name (a `StaticString`'s address, see
    /// `Worker.runningName`), or 0.
    let name: UInt

    /// Allocates a record for `body`; it is freed when the job runs.
    static func make(
        _ body: @escaping @Sendable () throws -> Void, owner: Owner, name: StaticString? = nil
    ) -> JobRef {
        let record = allocateRecord()
        record.initialize(to: HeapJob(
            header: JobHeader(execute: execute), body: body, owner: owner, name: Worker.nameBits(name)))
        return JobRef(record)
    }

    private static let execute: @convention(c) (JobRef) -> Void = { reference in
        let record = reference.assumingMemoryBound(to: HeapJob.self)
        let job = record.move()
        ctasklets_job_record_free(record)
        switch job.owner {
        case .pool(let handler):
            // Closures passed straight down, not stored: no context to allocate.
            if job.name != 0, let worker = Worker.current {
                worker.pointee.withRunningName(job.name) { runDetached(job.body, handler) }
            } else {
                runDetached(job.body, handler)
            }
        case .scope(let scope):
            scope.runTasklet(job.body)
            scope.complete()
        }
    }

    /// A detached tasklet belongs to no construct: it runs at the top of the
    /// cancellation tree, and its error goes to the pool's handler.
    private static func runDetached(
        _ body: @Sendable () throws -> Void, _ handler: @Sendable (any Error) -> Void
    ) {
        Ambient.with(nil) {
            do {
                try body()
            } catch {
                handler(error)
            }
        }
    }

    /// Frees a job that will never run (a submission refused at shutdown).
    static func discard(_ reference: JobRef) {
        let record = reference.assumingMemoryBound(to: HeapJob.self)
        record.deinitialize(count: 1)
        ctasklets_job_record_free(record)
    }

    /// Whether a record (`CTASKLETS_JOB_RECORD_BYTES`, malloc's alignment)
    /// holds a HeapJob.
    static var fitsARecord: Bool {
        MemoryLayout<HeapJob>.size <= Int(CTASKLETS_JOB_RECORD_BYTES)
            && MemoryLayout<HeapJob>.alignment <= 16
    }

    /// A record from the job-record cache (CTaskletsShims.h, "Job records"):
    /// records are allocated on one thread and freed on another, which
    /// glibc's malloc serves poorly when several threads submit.
    @inline(__always)
    private static func allocateRecord() -> UnsafeMutablePointer<HeapJob> {
        precondition(fitsARecord)
        guard let raw = ctasklets_job_record_allocate() else {
            fatalError("out of memory for a job record")
        }
        return raw.bindMemory(to: HeapJob.self, capacity: 1)
    }
}
