/// A job record on the heap: a detached `spawn`, or a tasklet of a scope.
/// The job frees its own record before it runs the body.
@usableFromInline
struct HeapJob {
    /// Must stay the first stored property: a `JobRef` points here.
    let header: JobHeader
    let body: @Sendable () -> Void

    /// Allocates a record for `body`; it is freed when the job runs.
    @usableFromInline
    static func make(_ body: @escaping @Sendable () -> Void) -> JobRef {
        let record = UnsafeMutablePointer<HeapJob>.allocate(capacity: 1)
        record.initialize(to: HeapJob(header: JobHeader(execute: execute), body: body))
        return JobRef(record)
    }

    private static let execute: @convention(c) (JobRef) -> Void = { reference in
        let record = reference.assumingMemoryBound(to: HeapJob.self)
        let body = record.move().body
        record.deallocate()
        body()
    }

    /// Frees a job that will never run (a submission refused at shutdown).
    static func discard(_ reference: JobRef) {
        let record = reference.assumingMemoryBound(to: HeapJob.self)
        record.deinitialize(count: 1)
        record.deallocate()
    }
}
