/// Calls `body` for every index of `range`, in parallel on the current pool
/// (sequentially outside one).
///
/// - Parameters:
///   - range: the indices to call `body` with.
///   - grain: the most indices one task handles. Without it the range is
///     split adaptively (Rayon's strategy): into about as many pieces as
///     there are workers, and again whenever a piece is stolen, so that an
///     uneven loop still balances while an even one pays for few splits.
///   - body: called once per index, on any worker, in no fixed order.
/// - Throws: `TaskletPoolError.invalidGrain` for a grain below 1. Otherwise
///   the first error thrown by `body` (in time), which cancels the loop:
///   indices not yet run are skipped, and the error reaches the caller once
///   every running chunk has returned. A loop cancelled from outside (an
///   enclosing construct failed) stops the same way and throws
///   `CancellationError`.
@inlinable
public func parallelFor(
    _ range: Range<Int>, grain: Int? = nil,
    _ body: @Sendable (Int) throws -> Void
) throws {
    try withSharedContext(()) { nothing in
        try parallelLoop(range, grain: grain, identity: (), sharing: nothing, combine: { _, _ in }) { chunk, loop, _ in
            for index in chunk {
                // Another chunk threw: skip the rest of this one.
                if loop.node.pointee.isCancelled { return nil }
                try body(index)
            }
            return ()
        }
    }
}

/// Splits `range` into chunks, maps each with `chunk`, and combines the
/// results pairwise with `combine`, in parallel on the current pool.
///
/// The combination follows the split tree, left before right, so an
/// associative `combine` gives the sequential answer. (With no `grain`, the
/// tree depends on stealing, so a non-associative one, such as floating-point
/// addition, may differ slightly from run to run.)
///
/// - Throws: `TaskletPoolError.invalidGrain` for a grain below 1. Otherwise
///   the first error thrown by `chunk` or `combine` (in time), which cancels
///   the loop: chunks not yet started are skipped, and the error reaches the
///   caller once every started chunk has returned. A loop cancelled from
///   outside throws `CancellationError`.
@inlinable
public func parallelReduce<T: Sendable>(
    _ range: Range<Int>, grain: Int? = nil, identity: T,
    combine: @Sendable (T, T) throws -> T,
    _ chunk: @Sendable (Range<Int>) throws -> T
) throws -> T {
    try withSharedContext(()) { nothing in
        try parallelLoop(range, grain: grain, identity: identity, sharing: nothing, combine: combine) { range, _, _ in
            try chunk(range)
        }
    }
}

/// The loop every parallel loop shares (the range loops here, the
/// collection methods in `Collection+Parallel.swift`). `leaf` maps one
/// chunk; it may return nil to say it stopped early because the loop (its
/// node, passed in) was cancelled. `discard` receives each value that will
/// never reach the caller because a neighbouring piece failed or was
/// skipped, so that a value owning resources (initialized memory, in
/// `parallelMap`) can release them.
///
/// `context` is what every piece reads besides its positions (the
/// collection, the result buffer), behind a pointer (`withSharedContext`);
/// each piece gets it as an argument. A caller passes its state this way so
/// that `leaf` captures nothing but the user's closure, and that nothing
/// along the way holds a reference-counted value: when the user's closure is
/// a constant (a function, or a closure that captures nothing), the
/// optimizer then specializes the whole split tree for it and inlines it
/// into the element loop, as `Array.map` inlines its transform. A `leaf`
/// that captured the collection, or a context passed by value that holds a
/// reference (an array), leaves the optimizer a closure it will not
/// specialize: the user's closure is then called indirectly for every
/// element (measured in docs/benchmarks.md, "Data-parallel collections").
@inlinable
func parallelLoop<T: Sendable, Context: Sendable>(
    _ range: Range<Int>, grain: Int?, identity: T, sharing context: SharedContext<Context>,
    combine: @Sendable (T, T) throws -> T,
    discard: @Sendable (T) -> Void = { _ in },
    leaf: @Sendable (Range<Int>, NodePointer, SharedContext<Context>) throws -> T?
) throws -> T {
    let splitter = try Splitter(grain: grain)
    guard !range.isEmpty else { return identity }
    var node = CancellationNode(parent: Ambient.node)
    let outcome = withUnsafeMutablePointer(to: &node) { node in
        let loop = NodePointer(UnsafePointer(node))
        return Ambient.with(loop.node) {
            reduceSplitting(range, splitter, loop, context, combine, discard, leaf)
        }
    }
    switch outcome {
    case .value(let value):
        return value
    case .failed(let error, let stamp):
        ErrorStamp.leave(stamp, for: error)
        throw error
    case .skipped:
        throw CancellationError()
    }
}

/// What one piece of a parallel loop produced.
@usableFromInline
enum LoopOutcome<T: Sendable>: Sendable {
    case value(T)
    /// It threw; the stamp dates the error (see `ErrorStamp`).
    case failed(any Error, stamp: UInt64)
    /// It did not run, or stopped early, because the loop was cancelled.
    case skipped

    /// The outcome of two neighbouring pieces: both values combined, else
    /// the error thrown first, else skipped. A value that is not combined
    /// goes to `discard`.
    @inlinable
    func merged(
        with right: LoopOutcome<T>, _ combine: @Sendable (T, T) throws -> T,
        discarding discard: @Sendable (T) -> Void,
        cancelling loop: NodePointer
    ) -> LoopOutcome<T> {
        switch (self, right) {
        case (.value(let left), .value(let right)):
            return LoopOutcome({ try combine(left, right) }, cancelling: loop)
        case (.failed(_, let leftStamp), .failed(_, let rightStamp)):
            return leftStamp <= rightStamp ? self : right
        default:
            if case .value(let value) = self { discard(value) }
            if case .value(let value) = right { discard(value) }
            if case .failed = self { return self }
            if case .failed = right { return right }
            return .skipped
        }
    }

    /// Runs `body`: its value, or its error stamped, cancelling the loop.
    @inlinable
    init(_ body: () throws -> T?, cancelling loop: NodePointer) {
        do {
            if let value = try body() {
                self = .value(value)
            } else {
                countSkippedWork()
                self = .skipped
            }
        } catch {
            let stamp = ErrorStamp.claim(for: error)
            loop.node.pointee.cancel()
            self = .failed(error, stamp: stamp)
        }
    }
}

/// The worker count of the pool the caller runs on; 1 off a pool.
@usableFromInline
func currentPoolWidth() -> Int {
    Worker.current?.pointee.registry.takeUnretainedValue().workerCount ?? 1
}

/// When to stop splitting a range.
@usableFromInline
enum Splitter: Sendable {
    case fixed(grain: Int)
    /// Split `splits` more times; a stolen piece resets it to `workers`.
    case adaptive(splits: Int, workers: Int)

    /// A fixed grain, or adaptive splitting for the current pool's size.
    @usableFromInline
    init(grain: Int?) throws(TaskletPoolError) {
        if let grain {
            guard grain >= 1 else { throw .invalidGrain(grain) }
            self = .fixed(grain: grain)
        } else {
            let workers = currentPoolWidth()
            self = .adaptive(splits: workers, workers: workers)
        }
    }

    @inlinable
    func shouldSplit(_ count: Int) -> Bool {
        switch self {
        case .fixed(let grain): return count > grain
        case .adaptive(let splits, _): return splits > 0 && count > 1
        }
    }

    /// The splitter for each half; `stolen` when the half runs on a thief.
    @inlinable
    func half(stolen: Bool) -> Splitter {
        switch self {
        case .fixed: return self
        case .adaptive(let splits, let workers):
            return .adaptive(splits: stolen ? max(splits / 2, workers) : splits / 2, workers: workers)
        }
    }
}

/// The context of one parallel loop (see `parallelLoop`), as its pieces
/// reach it: a pointer to a value on the caller's stack.
///
/// `@unchecked Sendable` for the pointer: it points at a `Sendable` value
/// that `withSharedContext` keeps alive while its body runs the loop, and
/// `parallelLoop` returns only once the split tree's joins have all
/// returned, so no piece outlives it.
@usableFromInline
struct SharedContext<Context: Sendable>: @unchecked Sendable {
    @usableFromInline let pointer: UnsafePointer<Context>

    @inlinable
    init(_ pointer: UnsafePointer<Context>) {
        self.pointer = pointer
    }

    /// The context itself, borrowed: reading it neither copies nor retains.
    @inlinable
    var value: Context {
        unsafeAddress { pointer }
    }
}

/// Calls `body` with `context` behind a pointer, for `parallelLoop`.
@inlinable
func withSharedContext<Context: Sendable, R>(
    _ context: Context, _ body: (SharedContext<Context>) throws -> R
) rethrows -> R {
    try withUnsafePointer(to: context) { try body(SharedContext($0)) }
}

/// One level of the split tree. Every piece first looks at the loop's node
/// (and the nodes around it): once cancelled, pieces that have not started
/// are skipped.
@inlinable
func reduceSplitting<T: Sendable, Context: Sendable>(
    _ range: Range<Int>, _ splitter: Splitter, _ loop: NodePointer, _ context: SharedContext<Context>,
    _ combine: @Sendable (T, T) throws -> T,
    _ discard: @Sendable (T) -> Void,
    _ leaf: @Sendable (Range<Int>, NodePointer, SharedContext<Context>) throws -> T?
) -> LoopOutcome<T> {
    if loop.node.pointee.isCancelledHereOrAbove {
        countSkippedWork()
        return .skipped
    }
    guard splitter.shouldSplit(range.count) else {
        return LoopOutcome({ try leaf(range, loop, context) }, cancelling: loop)
    }
    let middle = range.lowerBound + range.count / 2
    let origin = UInt(bitPattern: Worker.current)
    let (left, right) = join(
        {
            reduceSplitting(
                range.lowerBound..<middle, splitter.half(stolen: false), loop, context, combine, discard, leaf)
        },
        {
            let stolen = UInt(bitPattern: Worker.current) != origin
            return reduceSplitting(
                middle..<range.upperBound, splitter.half(stolen: stolen), loop, context, combine, discard, leaf)
        })
    return left.merged(with: right, combine, discarding: discard, cancelling: loop)
}
