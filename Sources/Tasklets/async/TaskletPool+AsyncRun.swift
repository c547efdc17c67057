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
        let cancellation = TaskCancellationNode()
        return try await withTaskCancellationHandler {
            try await withTaskExecutorPreference(self, isolation: nil) { () async throws -> sending R in
                try Ambient.with(UnsafePointer(cancellation.node)) { () throws(E) -> R in try body() }
            }
        } onCancel: {
            cancellation.node.pointee.cancel()
        }
    }
}

/// The cancellation node of an async `run`'s body, on the heap: the task's
/// cancellation handler may cancel it at any moment, even after the body
/// returned, so it lives as long as the handler holds it.
final class TaskCancellationNode: @unchecked Sendable {
    let node: UnsafeMutablePointer<CancellationNode>

    init() {
        node = .allocate(capacity: 1)
        node.initialize(to: CancellationNode(parent: nil))
    }

    deinit {
        node.deinitialize(count: 1)
        node.deallocate()
    }
}
