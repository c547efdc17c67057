import Synchronization

/// Runs `a` and `b`, potentially in parallel, and returns both results.
///
/// On a worker of a pool, `b` waits in the worker's deque where an idle
/// worker can steal it while `a` runs here; if nobody took it, `b` then runs
/// here too. That path allocates nothing and retains nothing: the job record
/// lives on this stack frame. Outside a pool, `a` and then `b` run in turn.
///
/// Errors: the first error thrown (in time) by either half cancels the
/// other: `b` is skipped if it has not started, a running half can see it
/// (`Tasklet.isCancelled`), and the error reaches the caller once every
/// started half has returned. This holds through nested constructs: an
/// error thrown early deep inside `a` wins over one thrown later by `b`,
/// even if `a` returns after `b`.
///
/// `b` is `@Sendable` because it may run on another thread while `a` runs;
/// `a` needs not be, as it always runs on the calling thread.
@inlinable @inline(__always)
public func join<A, B: Sendable, E: Error>(
    _ a: () throws(E) -> A,
    _ b: @Sendable () throws(E) -> B
) throws(E) -> (A, B) {
    guard let worker = Worker.current else {
        // Outside a pool the halves run in turn, so an error from `a` is the
        // first one, and `b` has not started: it is skipped.
        let valueA = try a()
        return (valueA, try b())
    }
    if E.self == Never.self {
        return try joinInfallible(worker, a, b)
    }
    return try joinFallible(worker, a, b)
}

/// A `join` whose halves cannot throw: no cancellation node of its own; its
/// halves run in the caller's cancellation context, a stolen `b` too (the
/// job record carries it).
@inlinable @inline(__always)
func joinInfallible<A, B, E: Error>(
    _ worker: UnsafeMutablePointer<Worker>,
    _ a: () throws(E) -> A,
    _ b: () throws(E) -> B
) throws(E) -> (A, B) {
    var slotB: Result<B, E>? = nil
    // Unprotected: see `forkJoin`.
    let resultA = _withUnprotectedUnsafeMutablePointer(to: &slotB) { slotB in
        forkJoin(
            on: worker, context: Ambient.node,
            { Result { () throws(E) -> A in try a() } },
            { slotB.pointee = Result { () throws(E) -> B in try b() } })
    }
    return (try resultA.get(), try slotB.unsafelyUnwrapped.get())
}

/// Where a throwing `join` keeps its second result and the stamps of the
/// halves' errors (see `ErrorStamp`), in the caller's frame.
@usableFromInline
struct JoinSlots<B, E: Error>: ~Copyable {
    @usableFromInline var b: Result<B, E>? = nil
    @usableFromInline var stampA: UInt64 = 0
    @usableFromInline var stampB: UInt64 = 0

    @inlinable
    init() {}
}

/// A `join` whose halves may throw: it has a cancellation node, cancelled
/// by the first half to throw, and both halves run inside it.
@inlinable
func joinFallible<A, B: Sendable, E: Error>(
    _ worker: UnsafeMutablePointer<Worker>,
    _ a: () throws(E) -> A,
    _ b: @Sendable () throws(E) -> B
) throws(E) -> (A, B) {
    var node = CancellationNode(parent: Ambient.node)
    var slots = JoinSlots<B, E>()
    let resultA = _withUnprotectedUnsafeMutablePointer(to: &node) { node in
        _withUnprotectedUnsafeMutablePointer(to: &slots) { slots in
            let node = UnsafePointer(node)
            return forkJoin(
                on: worker, context: node,
                { Ambient.with(node) { runHalf(a, cancelling: node, stamp: &slots.pointee.stampA) } },
                {
                    // Skipped when `a` threw first (whether here, after `a`,
                    // or on a thief that starts it late).
                    if node.pointee.isCancelled {
                        countSkippedWork()
                        return
                    }
                    slots.pointee.b = Ambient.with(node) {
                        runHalf(b, cancelling: node, stamp: &slots.pointee.stampB)
                    }
                })
        }
    }
    switch (resultA, slots.b) {
    case (.success(let valueA), .success(let valueB)?):
        return (valueA, valueB)
    case (.failure(let error), .success?), (.failure(let error), nil):
        ErrorStamp.leave(slots.stampA, for: error)
        throw error
    case (.success, .failure(let error)?):
        ErrorStamp.leave(slots.stampB, for: error)
        throw error
    case (.failure(let errorA), .failure(let errorB)?):
        let firstIsA = slots.stampA <= slots.stampB
        let first = firstIsA ? errorA : errorB
        ErrorStamp.leave(firstIsA ? slots.stampA : slots.stampB, for: first)
        throw first
    case (.success, nil):
        // `b` is skipped only after `a` failed: only this join's halves
        // cancel its node.
        preconditionFailure("join: second half skipped although the first succeeded")
    }
}

/// Runs one half of a throwing join; if it throws, stamps the error and
/// cancels the join.
@inlinable @inline(__always)
func runHalf<T, E: Error>(
    _ half: () throws(E) -> T, cancelling node: UnsafePointer<CancellationNode>,
    stamp: UnsafeMutablePointer<UInt64>
) -> Result<T, E> {
    do throws(E) {
        return .success(try half())
    } catch {
        stamp.pointee = ErrorStamp.claim(for: error)
        node.pointee.cancel()
        return .failure(error)
    }
}

/// The untyped core of `join`: offers `b` to thieves, runs `a`, then runs
/// `b` here unless a thief took it, in which case it waits for the thief.
/// `b` is a closure argument, so it outlives this call: the thief may call
/// it until the latch is set. `context` is the cancellation node a thief
/// runs `b` in.
@inlinable @inline(__always)
func forkJoin<R>(
    on worker: UnsafeMutablePointer<Worker>, context: UnsafePointer<CancellationNode>?,
    _ a: () -> R, _ b: () -> Void
) -> R {
    LentClosure.lend(b) { lentB in
        var job = StackJob(body: lentB, context: context)
        // Unprotected: taking the record's address with the plain
        // `withUnsafeMutablePointer` turns on the stack protector for the
        // caller's frame, a canary written and checked on every call of a
        // recursive function, leaves included (~15% of fib's time). The
        // records are fixed-size structs that nothing indexes into, which is
        // what the canary guards against.
        return _withUnprotectedUnsafeMutablePointer(to: &job) { record in
            let reference = JobRef(record)
            let index = worker.pointee.pushLocal(reference)
            let result = a()
            if worker.pointee.takeBack(reference, at: index) {
                b()
            } else {
                // The deque is empty now (everything below the record was
                // stolen before it): what lands in it from here on comes from
                // the work this wait runs.
                worker.pointee.registry.takeUnretainedValue().wait(
                    for: record.pointee.latch,
                    helping: .join(record, floor: worker.pointee.deque.bottomIndex), on: worker)
            }
            return result
        }
    }
}

extension Worker {
    /// Takes `job`, pushed at `index`, back from the bottom of the deque.
    /// Jobs pushed above it (tasklets the first half spawned into a scope
    /// around the join) are run on the way. Returns false when a thief has
    /// it.
    @inlinable @inline(__always)
    func takeBack(_ job: JobRef, at index: Int) -> Bool {
        switch deque.takeBack(index: index) {
        case .taken: return true
        case .stolen: return false
        case .buried: return takeBackBuried(job)
        }
    }

    @usableFromInline
    func takeBackBuried(_ job: JobRef) -> Bool {
        while let other = deque.take() {
            if other == job { return true }
            registry.takeUnretainedValue().run(other, on: Worker.current.unsafelyUnwrapped)
        }
        return false
    }
}
