/// Rayon's `par_iter` family, in Swift's spelling: the sequential methods of
/// `RandomAccessCollection` with a `parallel` prefix.
///
/// Each one runs on the current pool, in parallel (sequentially outside a
/// pool, like `parallelFor`), splits the collection adaptively unless a
/// `grain` (the most elements one task handles) is given, and returns what
/// its sequential counterpart returns, in the same order. They share the
/// rules of `parallelFor`: a grain below 1 throws
/// `TaskletPoolError.invalidGrain`; the first error thrown by a closure (in
/// time) cancels the rest, and reaches the caller once every running piece
/// has returned; a method cancelled from outside throws `CancellationError`.
///
/// ```swift
/// let squares = try pool.run { try numbers.parallelMap { $0 * $0 } }
/// ```
///
/// Each method's loop closure (`leaf`) captures only the user's closure and
/// gets the collection through `parallelLoop`'s `sharing:`, behind a
/// pointer, so that a user's closure that captures nothing is inlined into
/// the element loop (see `parallelLoop`). Keep it so when adding a method.
extension RandomAccessCollection where Self: Sendable, Element: Sendable {
    /// The index `position` elements after `startIndex`.
    @inlinable
    func index(atPosition position: Int) -> Index {
        index(startIndex, offsetBy: position)
    }

    /// Calls `body` with each element at `positions` (and its position), in
    /// order, until it returns false or, looked at before every block of
    /// `visitBlock` elements, the loop is cancelled. Returns whether it
    /// visited them all.
    ///
    /// Looking once per block keeps the inner loop as tight as a plain
    /// `for` loop, while a cancelled piece stops within microseconds.
    @inlinable
    func visit(
        _ positions: Range<Int>, unlessCancelled loop: NodePointer, _ body: (Int, Element) throws -> Bool
    ) rethrows -> Bool {
        var position = positions.lowerBound
        return try visit(positions, unlessCancelled: loop, reaching: &position, body)
    }

    /// `visit`, leaving in `position` the first position `body` did not
    /// return true for: the end of `positions` when it visited them all, the
    /// element it threw for when it threw.
    ///
    /// A caller that must undo what `body` did learns how far it got from
    /// `position` alone, so `body` itself keeps no count.
    @inlinable
    func visit(
        _ positions: Range<Int>, unlessCancelled loop: NodePointer, reaching position: inout Int,
        _ body: (Int, Element) throws -> Bool
    ) rethrows -> Bool {
        position = positions.lowerBound
        // Arrays: a pointer loop, with no bounds check or reference count
        // per element (a slice per block would retain the array's buffer,
        // one counter that every worker would then write).
        let contiguous = try withContiguousStorageIfAvailable { elements in
            // The protocol promises the collection's elements, in order.
            precondition(positions.upperBound <= elements.count, "contiguous storage shorter than the collection")
            guard let base = elements.baseAddress else { return true }  // no elements, so no positions
            while position < positions.upperBound {
                // Another piece threw: skip the rest of this one.
                if loop.node.pointee.isCancelled { return false }
                let blockEnd = Swift.min(position &+ visitBlock, positions.upperBound)
                while position < blockEnd {
                    guard try body(position, base[position]) else { return false }
                    position &+= 1
                }
            }
            return true
        }
        if let contiguous { return contiguous }
        if Self.self == SubSequence.self {
            // A range, and the like: its slice is itself, so iterating a
            // block as a slice checks the bounds once per block, not once
            // per element.
            var blockStart = index(atPosition: position)
            while position < positions.upperBound {
                if loop.node.pointee.isCancelled { return false }
                let blockEnd = index(blockStart, offsetBy: Swift.min(visitBlock, positions.upperBound &- position))
                for element in self[blockStart..<blockEnd] {
                    guard try body(position, element) else { return false }
                    position &+= 1
                }
                blockStart = blockEnd
            }
            return true
        }
        var index = index(atPosition: position)
        while position < positions.upperBound {
            if loop.node.pointee.isCancelled { return false }
            let blockEnd = Swift.min(position &+ visitBlock, positions.upperBound)
            while position < blockEnd {
                guard try body(position, self[index]) else { return false }
                formIndex(after: &index)
                position &+= 1
            }
        }
        return true
    }

    /// How many elements `visit` handles between two looks at cancellation.
    @inlinable
    var visitBlock: Int { 256 }

    /// Calls `body` for every element, in parallel (`forEach`).
    @inlinable
    public func parallelForEach(
        grain: Int? = nil, _ body: @Sendable (Element) throws -> Void
    ) throws {
        try withSharedContext(self) { collection in
            try parallelLoop(0..<count, grain: grain, identity: (), sharing: collection, combine: { _, _ in }) {
                positions, loop, collection in
                let finished = try collection.value.visit(positions, unlessCancelled: loop) { _, element in
                    try body(element)
                    return true
                }
                return finished ? () : nil
            }
        }
    }

    /// The elements transformed by `transform`, in order (`map`).
    ///
    /// Each piece writes its results straight into the new array: no
    /// intermediate arrays, no copying. If `transform` throws, the results
    /// already made are released before the error reaches the caller.
    @inlinable
    public func parallelMap<T: Sendable>(
        grain: Int? = nil, _ transform: @Sendable (Element) throws -> T
    ) throws -> [T] {
        let count = self.count
        // The collection goes behind a pointer before the array's
        // initializer closure, so that no closure on the way holds it.
        return try withSharedContext(self) { collection in
            try [T](unsafeUninitializedCapacity: count) { buffer, initializedCount in
                initializedCount = 0
                guard let base = buffer.baseAddress else { return }
                let results = SharedBuffer(base)
                initializedCount = try withSharedContext((collection: collection, results: results)) { context in
                    try parallelLoop(
                        0..<count, grain: grain, identity: 0..<0, sharing: context,
                        // Neighbouring pieces made neighbouring results.
                        combine: { left, right in left.lowerBound..<right.upperBound },
                        // Results that will not be returned are released.
                        discard: { made in results.slice(made).deinitialize() }
                    ) { positions, loop, context in
                        let results = context.value.results
                        var reached = positions.lowerBound
                        do {
                            let finished = try context.value.collection.value.visit(
                                positions, unlessCancelled: loop, reaching: &reached
                            ) { position, element in
                                (results.base + position).initialize(to: try transform(element))
                                return true
                            }
                            if finished { return positions }
                        } catch {
                            results.slice(positions.lowerBound..<reached).deinitialize()
                            throw error
                        }
                        results.slice(positions.lowerBound..<reached).deinitialize()
                        return nil
                    }.count
                }
            }
        }
    }

    /// The non-nil results of `transform`, in order (`compactMap`).
    ///
    /// Each piece collects its results in an array of its own; they are
    /// concatenated once at the end.
    @inlinable
    public func parallelCompactMap<T: Sendable>(
        grain: Int? = nil, _ transform: @Sendable (Element) throws -> T?
    ) throws -> [T] {
        let pieces = try withSharedContext(self) { collection in
            try parallelLoop(
                0..<count, grain: grain, identity: ResultPieces<T>.empty, sharing: collection,
                combine: { left, right in .joined(left, right) }
            ) { positions, loop, collection in
                var results: [T] = []
                let finished = try collection.value.visit(positions, unlessCancelled: loop) { _, element in
                    if let result = try transform(element) { results.append(result) }
                    return true
                }
                return finished ? .piece(results) : nil
            }
        }
        var results: [T] = []
        results.reserveCapacity(pieces.count)
        pieces.append(to: &results)
        return results
    }

    /// Combines the elements (`reduce`): each piece folds its elements into
    /// `identity` with `accumulate`, and the pieces' results are combined
    /// with `combine`, left before right.
    ///
    /// `identity` must be neutral for `combine` (0 for `+`), as it starts
    /// every piece. With an associative `combine` the answer is the
    /// sequential one; without a `grain` the split tree depends on stealing,
    /// so a non-associative one (floating-point addition) may differ slightly
    /// from run to run.
    @inlinable
    public func parallelReduce<Result: Sendable>(
        grain: Int? = nil, _ identity: Result,
        _ accumulate: @Sendable (Result, Element) throws -> Result,
        combine: @Sendable (Result, Result) throws -> Result
    ) throws -> Result {
        try withSharedContext((collection: self, identity: identity)) { context in
            try parallelLoop(0..<count, grain: grain, identity: identity, sharing: context, combine: combine) {
                positions, loop, context in
                var result = context.value.identity
                let finished = try context.value.collection.visit(positions, unlessCancelled: loop) { _, element in
                    result = try accumulate(result, element)
                    return true
                }
                return finished ? result : nil
            }
        }
    }

    /// Combines the elements with `combine`, which must be associative, and
    /// `identity` neutral for it.
    @inlinable
    public func parallelReduce(
        grain: Int? = nil, _ identity: Element, _ combine: @Sendable (Element, Element) throws -> Element
    ) throws -> Element {
        try parallelReduce(grain: grain, identity, combine, combine: combine)
    }
}

extension RandomAccessCollection where Self: Sendable, Element: AdditiveArithmetic & Sendable {
    /// The sum of the elements.
    ///
    /// It adds with `+`, in pieces: it traps if a piece's partial sum
    /// overflows, which may happen even when the total fits (and, without
    /// a grain, depends on how the work was split), where `reduce(0, +)`
    /// traps only if its running sum overflows. For wrapping arithmetic,
    /// use `parallelReduce(0, &+)`.
    @inlinable
    public func parallelSum(grain: Int? = nil) throws -> Element {
        try parallelReduce(grain: grain, .zero) { $0 + $1 }
    }
}

/// The results of `parallelCompactMap`'s pieces, in order, as the split tree
/// joined them: joining is constant time, and the results are copied once.
@usableFromInline
indirect enum ResultPieces<T: Sendable>: Sendable {
    case empty
    case piece([T])
    case joined(ResultPieces, ResultPieces)

    @inlinable
    var count: Int {
        switch self {
        case .empty: return 0
        case .piece(let results): return results.count
        case .joined(let left, let right): return left.count + right.count
        }
    }

    @inlinable
    func append(to results: inout [T]) {
        switch self {
        case .empty: return
        case .piece(let piece): results.append(contentsOf: piece)
        case .joined(let left, let right):
            left.append(to: &results)
            right.append(to: &results)
        }
    }
}
