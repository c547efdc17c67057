/// The pool as a Swift `TaskExecutor` (docs/async.md): tasks that prefer it
/// (`Task(executorPreference: pool)`, `withTaskExecutorPreference(pool)`,
/// `group.addTask(executorPreference: pool)`) run on its workers, their jobs
/// queued next to the pool's own work and stolen like it.
extension TaskletPool: TaskExecutor {
    /// Queues a job of a task that prefers this pool: on the calling worker
    /// (its next slot for a task it woke, its queue's tail for a task that
    /// yields), else in the injector of the caller's node. After shutdown, on
    /// the last-resort thread.
    public func enqueue(_ job: consuming ExecutorJob) {
        registry.enqueueSwiftJob(UnownedJob(job))
    }

    /// The pool as an `UnownedTaskExecutor`, the form Swift's runtime keeps
    /// a task's executor preference in. Pass the pool itself to
    /// `Task(executorPreference:)`; this is what the runtime calls.
    public func asUnownedTaskExecutor() -> UnownedTaskExecutor {
        UnownedTaskExecutor(ordinary: self)
    }
}

extension Registry {
    /// Where `TaskletPool.enqueue` sends a Swift job; after shutdown, to the
    /// last-resort thread.
    func enqueueSwiftJob(_ job: UnownedJob) {
        if submitSwiftJob(job) { return }
        let executor = taskExecutor.unsafelyUnwrapped
        runLate { job.runSynchronously(on: executor) }
    }

    /// Queues a Swift job where docs/async.md says (a yield behind the
    /// worker's queue, any other job as a wake-up); false after shutdown.
    func submitSwiftJob(_ job: UnownedJob) -> Bool {
        submitTask(JobRef(swiftJob: job), JobClass(job.priority), job.isYield ? .yield : .wakeUp)
    }

    /// Runs work that reached the pool after its shutdown on the last-resort
    /// thread, counting it and saying so once.
    func runLate(_ work: @escaping @Sendable () -> Void) {
        if lateJobs.add(1, ordering: .relaxed).oldValue == 0 {
            report("async jobs arrived after shutdown; they run on the last-resort thread (count: statistics().lateJobs)", kind: .lateJobs)
        }
        LastResortThread.shared.run(work)
    }
}
