/// A parallel merge sort: the halves are sorted by a `join`, and merged by
/// splitting the merge itself in two (the larger run at its middle, the other
/// where that element belongs), so that the last merge is parallel too.
///
/// It sorts back and forth between the array and one copy of it, so both
/// always hold initialized elements: a merge assigns, never moves, and
/// nothing is left half-initialized whatever happens.
extension Array where Element: Sendable {
    /// Sorts the array in parallel, using `areInIncreasingOrder` as the
    /// comparison (`sort(by:)`).
    ///
    /// The sort is stable: equal elements keep their order. It copies the
    /// array once for scratch space. On a worker of a pool it runs in
    /// parallel; elsewhere it sorts sequentially.
    @inlinable
    public mutating func parallelSort(by areInIncreasingOrder: @Sendable (Element, Element) -> Bool) {
        let leaf = Swift.max(MergeSort<Element>.smallest, count / (8 * currentPoolWidth()))
        guard count > leaf else { return sort(by: areInIncreasingOrder) }
        var scratch = self
        withUnsafeMutableBufferPointer { array in
            scratch.withUnsafeMutableBufferPointer { scratch in
                let sort = MergeSort(
                    array: SharedBuffer(array.baseAddress!), scratch: SharedBuffer(scratch.baseAddress!),
                    leaf: leaf)
                sort.sort(0..<array.count, intoScratch: false, by: areInIncreasingOrder)
            }
        }
    }
}

extension Sequence where Element: Sendable {
    /// The elements sorted in parallel by `areInIncreasingOrder`, stably
    /// (`sorted(by:)`).
    @inlinable
    public func parallelSorted(by areInIncreasingOrder: @Sendable (Element, Element) -> Bool) -> [Element] {
        var sorted = Array(self)
        sorted.parallelSort(by: areInIncreasingOrder)
        return sorted
    }
}

extension Sequence where Element: Sendable & Comparable {
    /// The elements sorted in parallel, in increasing order (`sorted()`).
    @inlinable
    public func parallelSorted() -> [Element] {
        parallelSorted { $0 < $1 }
    }
}

extension Array where Element: Sendable & Comparable {
    /// Sorts the array in parallel, in increasing order (`sort()`).
    @inlinable
    public mutating func parallelSort() {
        parallelSort { $0 < $1 }
    }
}

/// The two buffers of one `parallelSort`, and the size below which it sorts
/// and merges sequentially.
@usableFromInline
struct MergeSort<Element: Sendable>: Sendable {
    /// Below this many elements a piece is not worth a `join`.
    @usableFromInline static var smallest: Int { 4_096 }

    @usableFromInline let array: SharedBuffer<Element>
    @usableFromInline let scratch: SharedBuffer<Element>
    @usableFromInline let leaf: Int

    @inlinable
    init(array: SharedBuffer<Element>, scratch: SharedBuffer<Element>, leaf: Int) {
        self.array = array
        self.scratch = scratch
        self.leaf = leaf
    }

    /// Sorts the elements at `positions` of the array, leaving the result in
    /// the scratch copy or in the array.
    @inlinable
    func sort(_ positions: Range<Int>, intoScratch: Bool, by less: @Sendable (Element, Element) -> Bool) {
        guard positions.count > leaf else {
            var sorted = array.slice(positions)
            sorted.sort(by: less)
            if intoScratch { _ = scratch.slice(positions).update(fromContentsOf: sorted) }
            return
        }
        let middle = positions.lowerBound + positions.count / 2
        // Each half lands in the other buffer, to be merged into this one.
        _ = join(
            { sort(positions.lowerBound..<middle, intoScratch: !intoScratch, by: less) },
            { sort(middle..<positions.upperBound, intoScratch: !intoScratch, by: less) })
        let (from, to) = intoScratch ? (array, scratch) : (scratch, array)
        merge(
            from, positions.lowerBound..<middle, middle..<positions.upperBound,
            into: to, at: positions.lowerBound, by: less)
    }

    /// Merges two sorted runs of `from` into `to` starting at `destination`,
    /// stably: of equal elements, those of `left` come first.
    @inlinable
    func merge(
        _ from: SharedBuffer<Element>, _ left: Range<Int>, _ right: Range<Int>,
        into to: SharedBuffer<Element>, at destination: Int,
        by less: @Sendable (Element, Element) -> Bool
    ) {
        guard left.count + right.count > leaf, !left.isEmpty, !right.isEmpty else {
            mergeSequentially(from, left, right, into: to, at: destination, by: less)
            return
        }
        // Split the larger run at its middle and the other where that
        // element goes: everything in the first pair belongs before
        // everything in the second.
        let (leftSplit, rightSplit): (Int, Int)
        if left.count >= right.count {
            leftSplit = left.lowerBound + left.count / 2
            let pivot = from.base[leftSplit]
            // Right elements equal to the pivot go after it (stability).
            rightSplit = partitionPoint(from, right) { !less($0, pivot) }
        } else {
            rightSplit = right.lowerBound + right.count / 2
            let pivot = from.base[rightSplit]
            // Left elements equal to the pivot go before it (stability).
            leftSplit = partitionPoint(from, left) { less(pivot, $0) }
        }
        let secondDestination = destination + (leftSplit - left.lowerBound) + (rightSplit - right.lowerBound)
        _ = join(
            {
                merge(
                    from, left.lowerBound..<leftSplit, right.lowerBound..<rightSplit,
                    into: to, at: destination, by: less)
            },
            {
                merge(
                    from, leftSplit..<left.upperBound, rightSplit..<right.upperBound,
                    into: to, at: secondDestination, by: less)
            })
    }

    /// The first position of the sorted run `positions` whose element
    /// satisfies `isAfter` (which is false, then true, along the run).
    @inlinable
    func partitionPoint(
        _ buffer: SharedBuffer<Element>, _ positions: Range<Int>, _ isAfter: (Element) -> Bool
    ) -> Int {
        var low = positions.lowerBound
        var high = positions.upperBound
        while low < high {
            let middle = low + (high - low) / 2
            if isAfter(buffer.base[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }

    @inlinable
    func mergeSequentially(
        _ from: SharedBuffer<Element>, _ left: Range<Int>, _ right: Range<Int>,
        into to: SharedBuffer<Element>, at destination: Int,
        by less: (Element, Element) -> Bool
    ) {
        var l = left.lowerBound
        var r = right.lowerBound
        var d = destination
        while l < left.upperBound && r < right.upperBound {
            if less(from.base[r], from.base[l]) {
                to.base[d] = from.base[r]
                r += 1
            } else {
                to.base[d] = from.base[l]
                l += 1
            }
            d += 1
        }
        _ = to.slice(d..<d + left.upperBound - l).update(fromContentsOf: from.slice(l..<left.upperBound))
        d += left.upperBound - l
        _ = to.slice(d..<d + right.upperBound - r).update(fromContentsOf: from.slice(r..<right.upperBound))
    }
}
