import Synchronization

extension RandomAccessCollection where Self: Sendable, Element: Sendable {
    /// Whether an element satisfies `predicate` (`contains(where:)`).
    ///
    /// It stops early: once any piece finds a match, the others stop at
    /// their next element, so `predicate` may or may not see the elements
    /// after a match.
    ///
    /// - Throws: `TaskletPoolError.invalidGrain` for a grain below 1. If
    ///   `predicate` throws and no element is found to satisfy it, the error
    ///   thrown at the lowest position among those `predicate` saw; a match
    ///   found anywhere wins over an error (`contains(where:)` would throw if
    ///   the error came first, but the pieces do not wait for each other).
    @inlinable
    public func parallelContains(
        grain: Int? = nil, where predicate: @Sendable (Element) throws -> Bool
    ) throws -> Bool {
        try firstPosition(grain: grain, anyMatch: true, where: predicate) != nil
    }

    /// The index of the first element that satisfies `predicate`
    /// (`firstIndex(where:)`).
    ///
    /// It stops early: once a piece finds a match, the pieces to its right
    /// stop at their next element; those to its left go on, since they may
    /// hold an earlier one.
    ///
    /// - Throws: `TaskletPoolError.invalidGrain` for a grain below 1; as
    ///   `firstIndex(where:)` does, the error `predicate` throws for an
    ///   element before the first match (a throw after it is ignored).
    @inlinable
    public func parallelFirstIndex(
        grain: Int? = nil, where predicate: @Sendable (Element) throws -> Bool
    ) throws -> Index? {
        try firstPosition(grain: grain, anyMatch: false, where: predicate).map(index(atPosition:))
    }

    /// The position of the first match (or, with `anyMatch`, of some match).
    ///
    /// Each piece stops at its first *event*, a match or an error of
    /// `predicate`, and reports it with its position rather than throwing
    /// it, so that the earliest event decides, as in a sequential search.
    @inlinable
    func firstPosition(
        grain: Int?, anyMatch: Bool, where predicate: @Sendable (Element) throws -> Bool
    ) throws -> Int? {
        let found = FoundPosition()
        let first = try withSharedContext((collection: self, found: found, anyMatch: anyMatch)) { context in
            try parallelLoop(
                0..<count, grain: grain, identity: SearchEvent.none, sharing: context,
                combine: { $0.decides(over: $1, anyMatch: anyMatch) }
            ) { positions, loop, context in
                let (found, anyMatch) = (context.value.found, context.value.anyMatch)
                var event = SearchEvent.none
                let finished = context.value.collection.visit(positions, unlessCancelled: loop) { position, element in
                    // An event already found makes the rest of this piece moot.
                    let earliest = found.earliest.load(ordering: .relaxed)
                    if anyMatch ? earliest != Int.max : earliest < position { return false }
                    do {
                        guard try predicate(element) else { return true }
                        event = SearchEvent(position: position, error: nil)
                    } catch {
                        event = SearchEvent(position: position, error: error)
                        // Only a match stops the other pieces of `contains`.
                        if anyMatch { return false }
                    }
                    // Relaxed: the position is only a hint to stop; the answer
                    // itself travels through the joins of the split tree.
                    found.earliest.min(position, ordering: .relaxed)
                    return false
                }
                // Stopped early with no event of its own: cancelled, or moot.
                let cancelled = !finished && event.position == Int.max && loop.node.pointee.isCancelled
                return cancelled ? nil : event
            }
        }
        if let error = first.error { throw error }
        return first.position == Int.max ? nil : first.position
    }
}

/// What ended one piece of a parallel search: a match, an error thrown by
/// the predicate, or nothing (position `Int.max`).
@usableFromInline
struct SearchEvent: Sendable {
    @usableFromInline let position: Int
    @usableFromInline let error: (any Error)?

    @usableFromInline static var none: SearchEvent { SearchEvent(position: .max, error: nil) }

    @inlinable
    init(position: Int, error: (any Error)?) {
        self.position = position
        self.error = error
    }

    @inlinable
    var isMatch: Bool { position != .max && error == nil }

    /// Of two pieces' events, the one the search returns: the earlier one;
    /// for `contains` (`anyMatch`), any match before any error.
    @inlinable
    func decides(over other: SearchEvent, anyMatch: Bool) -> SearchEvent {
        if anyMatch && isMatch != other.isMatch { return isMatch ? self : other }
        return other.position < position ? other : self
    }
}

/// The earliest event a parallel search has found so far, shared by its
/// pieces.
@usableFromInline
final class FoundPosition: Sendable {
    @usableFromInline let earliest = Atomic<Int>(.max)

    @inlinable
    init() {}
}
