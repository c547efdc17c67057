import Synchronization

/// The shared state of one `scope` or `throwingScope`: how many of its
/// tasklets are still to finish, the first error, and the latch its owner
/// waits on. Tasklets hold a reference to it, so its latch outlives them.
@usableFromInline
final class ScopeState: @unchecked Sendable {
    /// Unfinished tasklets, plus one for the scope's body until it returns.
    let pending = Atomic<Int>(1)
    let latch = Latch()
    /// The pool the scope runs in; nil outside any pool (tasklets run inline).
    let registry: Registry?
    private let errorLock = PthreadLock()
    private var firstError: (any Error)?

    init(registry: Registry?) {
        self.registry = registry
    }

    /// Starts a tasklet of this scope; an error it throws is recorded.
    func spawn(_ body: @escaping @Sendable () throws -> Void) {
        guard let registry, let worker = Worker.current, registry.owns(worker) else {
            do { try body() } catch { record(error) }
            return
        }
        // relaxed: the tasklet's own completion (acq_rel) orders the count.
        pending.add(1, ordering: .relaxed)
        worker.pointee.pushLocal(HeapJob.make(body, owner: .scope(self)))
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

    /// Keeps the first error thrown by the body or any tasklet.
    func record(_ error: any Error) {
        errorLock.withLock {
            if firstError == nil { firstError = error }
        }
    }

    /// The first error, once every tasklet has finished.
    var error: (any Error)? {
        errorLock.withLock { firstError }
    }

    /// Ends the body's share and waits for every tasklet, helping with the
    /// ones this worker pushed since `floor`.
    func finish(floor: Int?) {
        complete()
        guard let registry, let floor, let worker = Worker.current else { return }
        registry.wait(for: latch, helping: .localAtOrAbove(floor), on: worker)
    }

    /// Runs `body` with a fresh state for the pool of the calling thread.
    static func withScope<R>(_ body: (ScopeState) -> R) -> R {
        let worker = Worker.current
        let state = ScopeState(registry: worker?.pointee.registry.takeUnretainedValue())
        let floor = worker?.pointee.deque.bottomIndex
        let result = body(state)
        state.finish(floor: floor)
        return result
    }
}
