/// The values a buffered channel holds: a ring that grows by doubling up to
/// the channel's capacity, so a channel of capacity 1,000,000 that never
/// holds more than ten values never allocates a million slots. Guarded by
/// its channel's lock. A class, not a noncopyable struct: Swift 6.3's
/// optimizer crashes inlining the accessors of a noncopyable stored
/// property into a client module.
@usableFromInline
final class ChannelBuffer<Element> {
    @usableFromInline @exclusivity(unchecked) var slots: UnsafeMutablePointer<Element>?
    @usableFromInline @exclusivity(unchecked) var allocated = 0
    @usableFromInline @exclusivity(unchecked) var head = 0
    @usableFromInline @exclusivity(unchecked) var count = 0
    /// The channel's capacity: the ring never grows past it.
    @usableFromInline let limit: Int

    @usableFromInline
    init(limit: Int) { self.limit = limit }

    deinit {
        guard let slots else { return }
        for offset in 0..<count { (slots + (head + offset) % allocated).deinitialize(count: 1) }
        slots.deallocate()
    }

    @inlinable
    var isEmpty: Bool { count == 0 }

    @inlinable
    var isFull: Bool { count == limit }

    /// Appends `value`; the caller has checked `isFull`.
    @inlinable
    func append(_ value: consuming Element) {
        if count == allocated { grow() }
        (slots.unsafelyUnwrapped + (head + count) % allocated).initialize(to: value)
        count += 1
    }

    /// Removes and returns the oldest value; the caller has checked `count`.
    @inlinable
    func removeFirst() -> Element {
        let value = (slots.unsafelyUnwrapped + head).move()
        head = (head + 1) % allocated
        count -= 1
        return value
    }

    @usableFromInline
    func grow() {
        let newSize = Swift.min(Swift.max(allocated * 2, 4), limit)
        let newSlots = UnsafeMutablePointer<Element>.allocate(capacity: newSize)
        if let slots {
            for offset in 0..<count {
                (newSlots + offset).moveInitialize(from: slots + (head + offset) % allocated, count: 1)
            }
            slots.deallocate()
        }
        slots = newSlots
        allocated = newSize
        head = 0
    }
}
