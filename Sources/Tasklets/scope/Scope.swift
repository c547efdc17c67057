/// Runs `body`, which may spawn tasklets, and returns once all of them have
/// finished (Rayon's `scope`).
///
/// ```swift
/// try pool.run {
///     scope { s in
///         s.spawn { print("one") }
///         s.spawn { s in s.spawn { print("nested, waited for too") } }
///     }
/// }
/// ```
///
/// To fill an array in parallel, hand out its disjoint chunks with
/// `withParallelChunks`, or build it with `parallelMap`.
///
/// Tasklets may borrow what outlives the scope (the scope does not return
/// before they finish). The scope itself cannot escape: it is `~Copyable`
/// and only lent to `body` and to the tasklets (`s.spawn { s in ... }`).
/// On a pool's worker the tasklets run in parallel; elsewhere each runs
/// inline when spawned.
///
/// Errors: if `body` throws, tasklets that have not started are skipped and
/// the error reaches the caller once the started ones have finished. For
/// tasklets that throw, use `throwingScope`.
public func scope<R, E: Error>(
    _ body: (borrowing TaskletScope) throws(E) -> R
) throws(E) -> R {
    let (result, state) = ScopeState.withScope(canThrow: false) { state in
        let result = Result { () throws(E) -> R in
            do throws(E) {
                return try body(TaskletScope(state: state))
            } catch {
                state.record(error, stamp: ErrorStamp.claim(for: error))
                throw error
            }
        }
        return (result, state)
    }
    if case .failure(let error) = result, let stamp = state.error?.stamp { ErrorStamp.leave(stamp, for: error) }
    return try result.get()
}

/// Like `scope`, but its tasklets may throw.
///
/// Errors: the first error thrown (in time) by the body or by any tasklet
/// cancels the scope: tasklets that have not started are skipped, running
/// ones can see it (`isCancelled`), and the error reaches the caller once
/// every started tasklet has finished. A scope cancelled from outside (an
/// enclosing construct failed) skips its unstarted tasklets too and, having
/// no error of its own, throws `CancellationError`.
public func throwingScope<R>(
    _ body: (borrowing ThrowingTaskletScope) throws -> R
) throws -> R {
    let (result, state) = ScopeState.withScope(canThrow: true) { state in
        let result = Result { () throws -> R in
            do {
                return try body(ThrowingTaskletScope(state: state))
            } catch {
                state.record(error, stamp: ErrorStamp.claim(for: error))
                throw error
            }
        }
        return (result, state)
    }
    if let (error, stamp) = state.error {
        ErrorStamp.leave(stamp, for: error)
        throw error
    }
    if state.skippedAny.load(ordering: .relaxed) { throw CancellationError() }
    return try result.get()
}

/// The handle through which a `scope`'s body and tasklets spawn tasklets.
public struct TaskletScope: ~Copyable, Sendable {
    let state: ScopeState

    /// Starts a tasklet that the scope waits for.
    public func spawn(_ body: @escaping @Sendable () -> Void) {
        state.spawn(body)
    }

    /// Starts a tasklet that may itself spawn into the same scope.
    public func spawn(_ body: @escaping @Sendable (borrowing TaskletScope) -> Void) {
        let state = state
        state.spawn { body(TaskletScope(state: state)) }
    }

    /// Whether the scope, or a construct around it, was cancelled (its body
    /// threw, or an enclosing construct has an error to throw).
    public var isCancelled: Bool {
        state.node.pointee.isCancelledHereOrAbove
    }
}

/// The handle through which a `throwingScope`'s body and tasklets spawn.
public struct ThrowingTaskletScope: ~Copyable, Sendable {
    let state: ScopeState

    /// Starts a tasklet that the scope waits for; if its error is the first
    /// thrown in the scope, it cancels the scope and reaches the caller.
    public func spawn(_ body: @escaping @Sendable () throws -> Void) {
        state.spawn(body)
    }

    /// Starts a tasklet that may itself spawn into the same scope.
    public func spawn(_ body: @escaping @Sendable (borrowing ThrowingTaskletScope) throws -> Void) {
        let state = state
        state.spawn { try body(ThrowingTaskletScope(state: state)) }
    }

    /// Whether the scope, or a construct around it, was cancelled: an error
    /// was thrown in it, or an enclosing construct has an error to throw.
    public var isCancelled: Bool {
        state.node.pointee.isCancelledHereOrAbove
    }
}
