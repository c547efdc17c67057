extension TaskletPool {
    /// Runs `body` on a worker of this pool and returns its result, from
    /// async code: the calling task hops onto a worker (nothing blocks the
    /// thread it came from, unlike the blocking `run`), runs `body` there,
    /// and hops back (docs/async.md, "The async `run`").
    ///
    /// Task-locals are visible in `body` (it runs in the calling task).
    /// Cancelling the task cancels the work by the errors rule of `join`
    /// and the scopes: constructs inside `body` skip what has not started and
    /// throw `CancellationError`; `Tasklet.isCancelled` is true inside.
    ///
    /// - Throws: `CancellationError` (without running `body`) if the task is
    ///   already cancelled, `TaskletPoolError.shutDown` after shutdown, or
    ///   what `body` throws.
    public func run<R, E: Error>(_ body: sending () throws(E) -> R) async throws -> sending R {
        guard !isShutDown else { throw TaskletPoolError.shutDown }
        try Task.checkCancellation()
        let cancellation = TaskCancellation()
        return try await withTaskCancellationHandler {
            try await withTaskExecutorPreference(self, isolation: nil) { () async throws -> sending R in
                // A shutdown between the check above and the hop sends the
                // task to the last-resort thread instead of a worker.
                guard let worker = Worker.current, registry.owns(worker) else {
                    throw TaskletPoolError.shutDown
                }
                return try Ambient.with(UnsafePointer(cancellation.node)) { () throws(E) -> R in try body() }
            }
        } onCancel: {
            cancellation.node.pointee.cancel()
        }
    }
}

/// The cancellation node of an async `run`'s body, in a class: the task's
/// cancellation handler, which may fire at any moment, even after the body
/// returned, holds it.
final class TaskCancellation: Sendable {
    private let owned = HeapCancellationNode(parent: nil)
    var node: UnsafeMutablePointer<CancellationNode> { owned.node }
}
