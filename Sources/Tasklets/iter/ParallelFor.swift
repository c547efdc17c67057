/// Calls `body` for every index of `range`, in parallel on the current pool
/// (sequentially outside one).
///
/// - Parameters:
///   - grain: the most indices one task handles. Without it the range is
///     split adaptively (Rayon's strategy): into about as many pieces as
///     there are workers, and again whenever a piece is stolen, so that an
///     uneven loop still balances while an even one pays for few splits.
/// - Throws: `TaskletPoolError.invalidGrain` for a grain below 1; otherwise
///   the first error thrown by `body`, after every index has been handled.
@inlinable
public func parallelFor(
    _ range: Range<Int>, grain: Int? = nil,
    _ body: @Sendable (Int) throws -> Void
) throws {
    try parallelReduce(range, grain: grain, identity: (), combine: { _, _ in }) { chunk in
        for index in chunk { try body(index) }
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
/// - Throws: `TaskletPoolError.invalidGrain` for a grain below 1; otherwise
///   the first error thrown by `chunk` or `combine`.
@inlinable
public func parallelReduce<T: Sendable>(
    _ range: Range<Int>, grain: Int? = nil, identity: T,
    combine: @Sendable (T, T) throws -> T,
    _ chunk: @Sendable (Range<Int>) throws -> T
) throws -> T {
    guard !range.isEmpty else {
        if let grain, grain < 1 { throw TaskletPoolError.invalidGrain(grain) }
        return identity
    }
    return try reduceSplitting(range, Splitter(grain: grain), combine, chunk)
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
            let workers = Worker.current?.pointee.registry.takeUnretainedValue().workerCount ?? 1
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

@inlinable
func reduceSplitting<T: Sendable>(
    _ range: Range<Int>, _ splitter: Splitter,
    _ combine: @Sendable (T, T) throws -> T,
    _ chunk: @Sendable (Range<Int>) throws -> T
) throws -> T {
    guard splitter.shouldSplit(range.count) else { return try chunk(range) }
    let middle = range.lowerBound + range.count / 2
    let origin = UInt(bitPattern: Worker.current)
    let (left, right) = try join(
        { try reduceSplitting(range.lowerBound..<middle, splitter.half(stolen: false), combine, chunk) },
        {
            let stolen = UInt(bitPattern: Worker.current) != origin
            return try reduceSplitting(middle..<range.upperBound, splitter.half(stolen: stolen), combine, chunk)
        })
    return try combine(left, right)
}
