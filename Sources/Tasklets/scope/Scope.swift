/// Runs `body`, which may spawn tasklets, and returns once all of them have
/// finished (Rayon's `scope`).
///
/// ```swift
/// var histogram = [Int](repeating: 0, count: 4)
/// histogram.withUnsafeMutableBufferPointer { bins in
///     scope { s in
///         for bin in 0..<4 { s.spawn { bins[bin] = count(bin) } }
///     }
/// }
/// ```
///
/// Tasklets may borrow what outlives the scope (the scope does not return
/// before they finish). The scope itself cannot escape: it is `~Copyable`
/// and only lent to `body` and to the tasklets (`s.spawn { s in ... }`).
/// On a pool's worker the tasklets run in parallel; elsewhere each runs
/// inline when spawned. Errors thrown by `body` reach the caller after every
/// tasklet has finished. For tasklets that throw, use `throwingScope`.
public func scope<R, E: Error>(
    _ body: (borrowing TaskletScope) throws(E) -> R
) throws(E) -> R {
    try ScopeState.withScope { state in
        Result { () throws(E) -> R in try body(TaskletScope(state: state)) }
    }.get()
}

/// Like `scope`, but its tasklets may throw. The first error thrown by the
/// body or by any tasklet reaches the caller, after every tasklet finished.
public func throwingScope<R>(
    _ body: (borrowing ThrowingTaskletScope) throws -> R
) throws -> R {
    let (result, state) = ScopeState.withScope { state in
        let result = Result { () throws -> R in
            do {
                return try body(ThrowingTaskletScope(state: state))
            } catch {
                state.record(error)
                throw error
            }
        }
        return (result, state)
    }
    if let error = state.error { throw error }
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
}

/// The handle through which a `throwingScope`'s body and tasklets spawn.
public struct ThrowingTaskletScope: ~Copyable, Sendable {
    let state: ScopeState

    /// Starts a tasklet that the scope waits for; its error, if first,
    /// reaches the scope's caller.
    public func spawn(_ body: @escaping @Sendable () throws -> Void) {
        state.spawn(body)
    }

    /// Starts a tasklet that may itself spawn into the same scope.
    public func spawn(_ body: @escaping @Sendable (borrowing ThrowingTaskletScope) throws -> Void) {
        let state = state
        state.spawn { try body(ThrowingTaskletScope(state: state)) }
    }
}
