import Synchronization

/// Runs `a` and `b`, potentially in parallel, and returns both results.
///
/// On a worker of a pool, `b` waits in the worker's deque where an idle
/// worker can steal it while `a` runs here; if nobody took it, `b` then runs
/// here too. That path allocates nothing and retains nothing: the job record
/// lives on this stack frame. Outside a pool, `a` and then `b` run in turn.
///
/// Both closures always run. If either throws, the error reaches the caller
/// after both have finished; if both throw, the first error thrown wins.
///
/// `b` is `@Sendable` because it may run on another thread while `a` runs;
/// `a` needs not be, as it always runs on the calling thread.
@inlinable @inline(__always)
public func join<A, B: Sendable, E: Error>(
    _ a: () throws(E) -> A,
    _ b: @Sendable () throws(E) -> B
) throws(E) -> (A, B) {
    guard let worker = Worker.current else {
        return try joinSequentially(a, b)
    }
    return try joinOnWorker(worker, a, b)
}

@inlinable
func joinSequentially<A, B, E: Error>(
    _ a: () throws(E) -> A, _ b: () throws(E) -> B
) throws(E) -> (A, B) {
    let resultA: Result<A, E>
    do throws(E) { resultA = .success(try a()) } catch { resultA = .failure(error) }
    let resultB: Result<B, E>
    do throws(E) { resultB = .success(try b()) } catch { resultB = .failure(error) }
    return (try resultA.get(), try resultB.get())
}

/// Where a thief writes the result of a stolen `join` half, in the owner's
/// stack frame. The latch orders the write before the owner reads it.
@usableFromInline
struct JoinSlots<B, E: Error>: ~Copyable {
    @usableFromInline var b: Result<B, E>?
    /// Which half threw first: 0 neither yet, 1 `a`, 2 `b`. Only touched
    /// when a half throws.
    @usableFromInline let firstFailure: Atomic<UInt8>

    @inlinable @inline(__always)
    init() {
        b = nil
        firstFailure = Atomic(0)
    }
}

/// Runs one half of a join, noting whether it was the first to throw.
@inlinable @inline(__always)
func runHalf<T, E: Error>(
    _ half: () throws(E) -> T, rank: UInt8, _ firstFailure: borrowing Atomic<UInt8>
) -> Result<T, E> {
    do throws(E) {
        return .success(try half())
    } catch {
        // relaxed: the latch orders the results; this only ranks errors.
        _ = firstFailure.compareExchange(expected: 0, desired: rank, ordering: .relaxed)
        return .failure(error)
    }
}

@inlinable @inline(__always)
func joinOnWorker<A, B: Sendable, E: Error>(
    _ worker: UnsafeMutablePointer<Worker>,
    _ a: () throws(E) -> A,
    _ b: @Sendable () throws(E) -> B
) throws(E) -> (A, B) {
    var slots = JoinSlots<B, E>()
    // Unprotected: see `forkJoin`.
    let resultA = _withUnprotectedUnsafeMutablePointer(to: &slots) { slots in
        forkJoin(
            on: worker,
            { runHalf(a, rank: 1, slots.pointee.firstFailure) },
            { slots.pointee.b = runHalf(b, rank: 2, slots.pointee.firstFailure) })
    }
    switch (resultA, slots.b.unsafelyUnwrapped) {
    case (.success(let valueA), .success(let valueB)):
        return (valueA, valueB)
    case (.failure(let error), .success), (.success, .failure(let error)):
        throw error
    case (.failure(let errorA), .failure(let errorB)):
        throw slots.firstFailure.load(ordering: .relaxed) == 2 ? errorB : errorA
    }
}

/// The untyped core of `join`: offers `b` to thieves, runs `a`, then runs
/// `b` here unless a thief took it, in which case it waits for the thief.
/// `b` is a closure argument, so it outlives this call: the thief may call
/// it until the latch is set.
@inlinable @inline(__always)
func forkJoin<R>(on worker: UnsafeMutablePointer<Worker>, _ a: () -> R, _ b: () -> Void) -> R {
    LentClosure.lend(b) { lentB in
        var job = StackJob(body: lentB)
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
                worker.pointee.registry.takeUnretainedValue()
                    .wait(for: record.pointee.latch, helping: .thiefOf(record), on: worker)
            }
            return result
        }
    }
}

extension Worker {
    /// Takes `job`, pushed at `index`, back from the bottom of the deque.
    /// Jobs pushed above it (detached spawns of the first half) are run on
    /// the way. Returns false when a thief has it.
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
