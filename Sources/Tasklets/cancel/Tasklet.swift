/// Questions code can ask about the tasklet it runs in, like `Task` for
/// Swift tasks.
public enum Tasklet {
    /// Whether the work this code belongs to was cancelled: the innermost
    /// scope, parallel loop or throwing `join` around it, or one around
    /// that, has an error to throw. Cancellation is cooperative, as with
    /// `Task.isCancelled`: work that has not started is skipped, work that
    /// runs may ask and stop early. false outside every such construct.
    public static var isCancelled: Bool {
        Ambient.node?.pointee.isCancelledHereOrAbove ?? false
    }

    /// Throws `CancellationError` when `isCancelled`.
    public static func checkCancellation() throws(CancellationError) {
        if isCancelled { throw CancellationError() }
    }
}

/// Counts one piece of work skipped after a cancellation (a join half, a
/// scope tasklet, a loop chunk) on the current worker, if any.
@usableFromInline
func countSkippedWork() {
    Worker.current?.pointee.counters.skipped.bumpOwned()
}
