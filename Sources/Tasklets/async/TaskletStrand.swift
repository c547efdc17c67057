import CTaskletsShims

/// A serial executor on a pool's workers: an actor whose `unownedExecutor` is
/// a strand runs its messages one at a time on the pool, and a strand with
/// messages is stolen by idle workers as a unit (docs/async.md, "Actors on
/// the pool: strands").
///
/// ```swift
/// actor Inbox {
///     let strand: TaskletStrand
///     nonisolated var unownedExecutor: UnownedSerialExecutor {
///         strand.asUnownedSerialExecutor()
///     }
///     init(pool: TaskletPool) { strand = pool.makeSerialExecutor() }
/// }
/// ```
///
/// A strand keeps its pool alive; an actor keeps its strand in a `let`.
public final class TaskletStrand: SerialExecutor, @unchecked Sendable {
    /// Messages a strand runs before it lets other work on its worker go
    /// first (it then goes to the tail of that worker's queue).
    public static let messageBudget = 64

    let pool: TaskletPool
    private let lock = PthreadLock()
    /// Queued messages (Swift jobs, tagged), oldest first; under `lock`.
    private var messages = JobRing()
    /// Whether the strand's record is in a queue or running; under `lock`.
    private var scheduled = false
    /// The strand's job record, reused for every scheduling.
    private let record: UnsafeMutablePointer<StrandJob>

    init(pool: TaskletPool) {
        self.pool = pool
        record = .allocate(capacity: 1)
        record.initialize(to: StrandJob(header: JobHeader(execute: StrandJob.execute), strand: nil))
        record.pointee.strand = Unmanaged.passUnretained(self)
    }

    deinit {
        record.deinitialize(count: 1)
        record.deallocate()
    }

    /// Queues a message; an idle strand schedules itself on the pool like a
    /// woken task (the next slot of the calling worker, or the injector).
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let mustSchedule: Bool = lock.withLock {
            messages.append(JobRef(swiftJob: job))
            if scheduled { return false }
            scheduled = true
            return true
        }
        if mustSchedule { schedule(JobClass(job.priority), .wakeUp) }
    }

    /// The strand as an actor's `unownedExecutor`: return it from an
    /// actor's `nonisolated var unownedExecutor` to run the actor on the
    /// pool.
    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// Traps unless the caller runs one of this strand's messages.
    public func checkIsolated() {
        precondition(isRunningHere, "swift-tasklets: not running on this actor's strand")
    }

    /// Whether the caller runs one of this strand's messages.
    public func isIsolatingCurrentContext() -> Bool? {
        isRunningHere
    }

    private var isRunningHere: Bool {
        ctasklets_current_strand() == UnsafeRawPointer(Unmanaged.passUnretained(self).toOpaque())
    }

    /// Puts the strand's record in a queue, keeping the strand alive until
    /// it runs; after shutdown, on the last-resort thread.
    private func schedule(_ jobClass: JobClass, _ placement: Registry.TaskPlacement) {
        _ = Unmanaged.passRetained(self)
        let registry = pool.registry
        if !registry.submitTask(JobRef(record), jobClass, placement) {
            registry.runLate { self.drain() }
        }
    }

    /// Runs up to `messageBudget` messages, one at a time, isolated to this
    /// strand; then goes idle, or to the back of the worker's queue if more
    /// are waiting. Balances the retain of `schedule`.
    fileprivate func drain() {
        defer { Unmanaged.passUnretained(self).release() }
        let worker = Worker.current
        let savedStrand = ctasklets_current_strand()
        let savedJob = worker?.pointee.runningSwiftJob ?? 0
        ctasklets_set_current_strand(Unmanaged.passUnretained(self).toOpaque())
        defer {
            ctasklets_set_current_strand(savedStrand)
            worker?.pointee.runningSwiftJob = savedJob
        }
        let serial = asUnownedSerialExecutor()
        let executor = pool.asUnownedTaskExecutor()
        for _ in 0..<TaskletStrand.messageBudget {
            // Going idle is decided under the lock, so an `enqueue` racing
            // with it either lands before (and is run here) or schedules anew.
            let next: JobRef? = lock.withLock {
                let job = messages.removeFirst()
                if job == nil { scheduled = false }
                return job
            }
            guard let next else { return }
            let job = next.swiftJob
            worker?.pointee.runningSwiftJob = unsafeBitCast(job, to: UInt.self)
            Ambient.with(nil) { job.runSynchronously(isolatedTo: serial, taskExecutor: executor) }
        }
        // The class to go back in: the next message's (so a busy actor keeps
        // its priority), or idle.
        let requeueClass: JobClass? = lock.withLock {
            guard let next = messages.first else {
                scheduled = false
                return nil
            }
            return JobClass(next.swiftJob.priority)
        }
        if let requeueClass { schedule(requeueClass, .requeue) }
    }
}

/// A strand's job record: the header, then the strand it drains.
struct StrandJob {
    let header: JobHeader
    var strand: Unmanaged<TaskletStrand>?

    static let execute: @convention(c) (JobRef) -> Void = { reference in
        reference.assumingMemoryBound(to: StrandJob.self).pointee.strand.unsafelyUnwrapped
            .takeUnretainedValue().drain()
    }
}

extension TaskletPool {
    /// A serial executor on this pool, for an actor's `unownedExecutor`: the
    /// actor's messages run one at a time on the pool's workers.
    public func makeSerialExecutor() -> TaskletStrand {
        TaskletStrand(pool: self)
    }
}
