import CTaskletsShims
import Dispatch

extension TaskletPool {
    /// Makes `pool` run every job that would go to Swift's global concurrent
    /// executor: `Task { }`, `async let`, child tasks without another
    /// executor, nonisolated async functions (docs/async.md, "Swift's global
    /// executor").
    ///
    /// Opt-in and process-wide, so unsafe in spirit: it goes through the
    /// runtime's C hooks (`swift_task_enqueueGlobal_hook` and the delay and
    /// deadline hooks of `Task.sleep`), as SwiftNIO's singletons do. Call it
    /// once, early (before tasks run). The pool is then kept alive for the
    /// life of the process; the main actor stays on the main thread. Jobs
    /// that arrive after the pool shut down go back to the runtime's own
    /// global executor.
    ///
    /// - Throws: `TaskletPoolError.globalExecutorUnavailable` when the
    ///   runtime has no such hooks, `.globalExecutorHookTaken` when another
    ///   library installed one, `.globalExecutorAlreadyInstalled` on a
    ///   second call.
    public static func installAsGlobalExecutor(_ pool: TaskletPool) throws(TaskletPoolError) {
        try GlobalExecutorInstallation.install(pool)
    }
}

/// The one installation a process may have.
enum GlobalExecutorInstallation {
    private static let lock = PthreadLock()
    nonisolated(unsafe) private static var installed = false

    static func install(_ pool: TaskletPool) throws(TaskletPoolError) {
        try lock.withLock { () throws(TaskletPoolError) in
            guard !installed else { throw .globalExecutorAlreadyInstalled }
            let context = Unmanaged.passUnretained(pool.registry).toOpaque()
            switch pool.registry.system.installGlobalExecutorHooks(context, enqueueGlobal, enqueueGlobalAfter) {
            case Int32(CTASKLETS_GLOBAL_INSTALLED):
                installed = true
                // Retained for good (the pool, which also keeps its registry):
                // the runtime may hand the hooks jobs at any moment for the
                // rest of the process, and they run on the pool as executor.
                _ = Unmanaged.passRetained(pool)
            case Int32(CTASKLETS_GLOBAL_HOOK_TAKEN):
                throw .globalExecutorHookTaken
            default:
                throw .globalExecutorUnavailable
            }
        }
    }

    private static let enqueueGlobal: ctasklets_global_enqueue = { context, job in
        enqueue(unsafeBitCast(job, to: UnownedJob.self), Unmanaged<Registry>.fromOpaque(context!).takeUnretainedValue())
    }

    /// On the pool; after its shutdown, back on the runtime's own global
    /// executor (the whole process depends on it: one last-resort thread
    /// would serialize every task).
    private static func enqueue(_ job: UnownedJob, _ registry: Registry) {
        if registry.submitSwiftJob(job) { return }
        if ctasklets_global_enqueue_on_runtime(unsafeBitCast(job, to: UnsafeMutableRawPointer.self)) != 0 { return }
        registry.enqueueSwiftJob(job)  // never called the hook before: the last-resort thread
    }

    /// `Task.sleep`: a Dispatch timer, then the pool (not the runtime's own
    /// executor, which would resume the task on a Dispatch thread).
    private static let enqueueGlobalAfter: ctasklets_global_enqueue_after = { context, job, delay in
        let registry = Unmanaged<Registry>.fromOpaque(context!).takeUnretainedValue()
        let job = unsafeBitCast(job, to: UnownedJob.self)
        let deadline = DispatchTime(uptimeNanoseconds: DispatchTime.now().uptimeNanoseconds &+ delay)
        DispatchQueue.global().asyncAfter(deadline: deadline) {
            enqueue(job, registry)
        }
    }
}
