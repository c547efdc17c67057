import Synchronization

extension RandomAccessCollection where Self: Sendable, Element: Sendable {
    /// Whether an element satisfies `predicate` (`contains(where:)`).
    ///
    /// It stops early: once any piece finds one, the others stop at their
    /// next element. Which elements `predicate` sees beyond the first match
    /// is therefore not fixed; it may see elements after a match.
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
    @inlinable
    public func parallelFirstIndex(
        grain: Int? = nil, where predicate: @Sendable (Element) throws -> Bool
    ) throws -> Index? {
        try firstPosition(grain: grain, anyMatch: false, where: predicate).map(index(atPosition:))
    }

    /// The position of the first match (or, with `anyMatch`, of some match).
    @inlinable
    func firstPosition(
        grain: Int?, anyMatch: Bool, where predicate: @Sendable (Element) throws -> Bool
    ) throws -> Int? {
        let found = FoundPosition()
        let first = try parallelLoop(0..<count, grain: grain, identity: Int.max, combine: { Swift.min($0, $1) }) {
            positions, loop in
            var match = Int.max
            let finished = try visit(positions, unlessCancelled: loop) { position, element in
                // A match already found makes the rest of this piece moot.
                let earliest = found.earliest.load(ordering: .relaxed)
                if anyMatch ? earliest != Int.max : earliest < position { return false }
                guard try predicate(element) else { return true }
                match = position
                // Relaxed: the position is only a hint to stop; the answer
                // itself travels through the joins of the split tree.
                found.earliest.min(position, ordering: .relaxed)
                return false
            }
            // Stopped early with no match of its own: cancelled, or moot.
            let cancelled = !finished && match == Int.max && loop.node.pointee.isCancelled
            return cancelled ? nil : match
        }
        return first == Int.max ? nil : first
    }
}

/// The earliest match a parallel search has found so far, shared by its
/// pieces.
@usableFromInline
final class FoundPosition: Sendable {
    @usableFromInline let earliest = Atomic<Int>(.max)

    @inlinable
    init() {}
}
