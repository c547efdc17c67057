/// A buffer whose slots `concurrentPerform`'s iterations write, each its
/// own: the iterations never share a slot, and `concurrentPerform` returns
/// only after all of them, so the caller reads every write. Swift cannot
/// see that, hence `@unchecked Sendable`.
struct DisjointSlots<Element>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Element>
    init(_ buffer: UnsafeMutableBufferPointer<Element>) { self.buffer = buffer }
}
