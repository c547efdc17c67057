/// Memory that the pieces of one parallel loop write at disjoint positions.
///
/// The collection methods hand each piece of the split tree its own range of
/// positions, so no two threads touch the same element; the `join`s of the
/// split tree order every write before the caller reads the result. The
/// buffer itself is only a pointer, which Swift cannot know is shared
/// safely: hence `@unchecked Sendable`, kept internal so that users never
/// need it.
@usableFromInline
struct SharedBuffer<Element>: @unchecked Sendable {
    @usableFromInline let base: UnsafeMutablePointer<Element>

    @inlinable
    init(_ base: UnsafeMutablePointer<Element>) {
        self.base = base
    }

    /// The elements at `positions`, as a buffer.
    @inlinable
    func slice(_ positions: Range<Int>) -> UnsafeMutableBufferPointer<Element> {
        UnsafeMutableBufferPointer(start: base + positions.lowerBound, count: positions.count)
    }
}
