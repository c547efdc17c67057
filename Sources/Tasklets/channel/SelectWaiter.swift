import Synchronization

/// What one `select` call's clauses share while it waits: which clause
/// committed, and the continuation to resume (docs/channels.md, "select").
///
/// `state` goes once from waiting to a committed clause or to cancelled, by
/// a compare-and-exchange; whoever wins resumes the continuation. A clause
/// on a channel commits under that channel's lock, and a timeout from its
/// timer: both only after the select registered its clauses, so after the
/// continuation was stored. The task's cancellation handler can win at any
/// time, even before that; so it resumes only once the select is armed
/// (`arm`, after the registration), and `arm` resumes instead if the
/// handler came first: each checks the other (seq_cst), and `resumed` lets
/// exactly one of them resume.
@usableFromInline
final class SelectWaiter: @unchecked Sendable {
    /// 0 while waiting; the committed clause's index + 1; or `cancelled`.
    private let state = Atomic<Int>(0)
    private static let cancelled = -1
    private let armed = Atomic<Bool>(false)
    private let resumed = Atomic<Bool>(false)

    /// Written once, before `arm`; read by whoever resumes after it.
    @usableFromInline var continuation: UnsafeContinuation<Int, any Error>?

    init() {}

    var isWaiting: Bool { state.load(ordering: .sequentiallyConsistent) == 0 }

    /// Commits `clause` if nothing committed and the select was not
    /// cancelled; the caller then resumes the continuation with `clause`
    /// (the resume publishes the value it moved). seq_cst, like every access
    /// to `state`: `arm` and a cancellation rely on one total order of them.
    @usableFromInline
    func commit(_ clause: Int) -> Bool {
        state.compareExchange(expected: 0, desired: clause + 1, ordering: .sequentiallyConsistent).exchanged
    }

    /// Marks the select cancelled if nothing committed; the task's
    /// cancellation handler, the only caller, then calls `resumeCancelled`.
    /// (A stall watch fails a select by committing one of its clauses.)
    func cancel() -> Bool {
        state.compareExchange(expected: 0, desired: Self.cancelled, ordering: .sequentiallyConsistent).exchanged
    }

    /// After the clauses are registered: from now on the cancellation
    /// handler resumes the task; if it came before, resume it here.
    func arm() {
        armed.store(true, ordering: .sequentiallyConsistent)
        if state.load(ordering: .sequentiallyConsistent) == Self.cancelled { resumeCancelled() }
    }

    /// The task's cancellation handler, after winning `cancel`: resumes the
    /// task with `CancellationError` unless it is not armed yet (then `arm`
    /// does), and never twice.
    func resumeCancelled() {
        guard armed.load(ordering: .sequentiallyConsistent),
            !resumed.exchange(true, ordering: .sequentiallyConsistent)
        else { return }
        continuation.unsafelyUnwrapped.resume(throwing: CancellationError())
    }
}
