import Synchronization

/// The shared state of one `scope` or `throwingScope`: how many of its
/// tasklets are still to finish, its node in the cancellation tree, the
/// first error thrown inside it, and the latch its owner waits on. Tasklets
/// hold a reference to it, so its latch outlives them.
@usableFromInline
final class ScopeState: @unchecked Sendable {
    /// Unfinished tasklets, plus one for the scope's body until it returns.
    let pending = Atomic<Int>(1)
    let latch = Latch()
    /// The pool the scope runs in; nil outside any pool (tasklets run inline).
    let registry: Registry?
    /// This scope's cancellation node, at a fixed address of its own: the
    /// constructs started inside the scope point to it as their parent.
    private let cancellation: HeapCancellationNode
    var node: UnsafeMutablePointer<CancellationNode> { cancellation.node }
    /// Whether a cancellation from outside also skips tasklets. Only a scope
    /// that can throw may skip work without an error of its own (it then
    /// throws `CancellationError`); a plain `scope` runs every tasklet unless
    /// its body threw.
    let skipsWhenOuterCancelled: Bool
    /// Whether a tasklet was skipped.
    let skippedAny = Atomic<Bool>(false)
    private let errorLock = PthreadLock()
    private var firstError: (error: any Error, stamp: UInt64)?

    init(registry: Registry?, parent: UnsafePointer<CancellationNode>?, canThrow: Bool) {
        self.registry = registry
        cancellation = HeapCancellationNode(parent: parent)
        skipsWhenOuterCancelled = canThrow
    }

    /// Whether tasklets that have not started yet are to be skipped.
    var isSkipping: Bool {
        skipsWhenOuterCancelled ? node.pointee.isCancelledHereOrAbove : node.pointee.isCancelled
    }

    /// Starts a tasklet of this scope: queued on this worker's deque inside
    /// the scope's pool, run at once anywhere else.
    func spawn(_ body: @escaping @Sendable () throws -> Void) {
        guard let registry, let worker = Worker.current, registry.owns(worker) else {
            runTasklet(body)
            return
        }
        // relaxed: the tasklet's own completion (acq_rel) orders the count.
        pending.add(1, ordering: .relaxed)
        worker.pointee.pushLocal(HeapJob.make(body, owner: .scope(self)))
    }

    /// Runs one tasklet inside the scope's node, or skips it if the scope is
    /// cancelled; records its error. (Completion is the caller's business.)
    func runTasklet(_ body: () throws -> Void) {
        if isSkipping {
            skippedAny.store(true, ordering: .relaxed)
            countSkippedWork()
            return
        }
        do {
            try Ambient.with(UnsafePointer(node)) { try body() }
        } catch {
            record(error, stamp: ErrorStamp.claim(for: error))
        }
    }

    /// One tasklet (or the body) finished.
    func complete() {
        // acquiringAndReleasing: the last one to finish sees every other
        // tasklet's writes and publishes them, with its own, to the owner
        // through the latch.
        if pending.subtract(1, ordering: .acquiringAndReleasing).oldValue == 1 {
            latch.set(system: registry?.system ?? .live)
        }
    }

    /// Keeps the error thrown first (by stamp) and cancels the scope.
    func record(_ error: any Error, stamp: UInt64) {
        errorLock.withLock {
            if firstError.map({ stamp < $0.stamp }) ?? true { firstError = (error, stamp) }
        }
        node.pointee.cancel()
    }

    /// The first error and its stamp, once every tasklet has finished.
    var error: (error: any Error, stamp: UInt64)? {
        errorLock.withLock { firstError }
    }

    /// Ends the body's share and waits for every tasklet, helping with the
    /// ones this worker pushed since `floor`.
    func finish(floor: Int?) {
        complete()
        guard let registry, let floor, let worker = Worker.current else { return }
        registry.wait(for: latch, helping: .scope(floor: floor), on: worker)
    }

    /// Runs `body` inside a fresh scope (its node current) for the pool of
    /// the calling thread, then waits for every tasklet.
    static func withScope<R>(canThrow: Bool, _ body: (ScopeState) -> R) -> R {
        let worker = Worker.current
        let state = ScopeState(
            registry: worker?.pointee.registry.takeUnretainedValue(), parent: Ambient.node,
            canThrow: canThrow)
        let floor = worker?.pointee.deque.bottomIndex
        let result = Ambient.with(UnsafePointer(state.node)) { body(state) }
        state.finish(floor: floor)
        return result
    }
}
