import Synchronization

/// One circular buffer of a `WorkStealingDeque`: a power-of-two array of
/// atomic slots, and a link to the ring it replaced.
///
/// Slots are atomic because a thief may read a slot while the owner
/// overwrites it after wrap-around (the thief's CAS then fails and the value
/// is discarded, but the read itself must not be a data race).
@usableFromInline
struct DequeRing {
    @usableFromInline let slots: UnsafeMutablePointer<Atomic<UInt>>
    @usableFromInline let mask: Int
    /// The smaller ring this one replaced, kept alive until the deque dies.
    @usableFromInline let previous: UnsafeMutablePointer<DequeRing>?

    static func allocate(
        capacity requested: Int, previous: UnsafeMutablePointer<DequeRing>?
    ) -> UnsafeMutablePointer<DequeRing> {
        var capacity = 2
        while capacity < requested { capacity *= 2 }
        let slots = UnsafeMutablePointer<Atomic<UInt>>.allocate(capacity: capacity)
        for index in 0..<capacity {
            (slots + index).initialize(to: Atomic(0))
        }
        let ring = UnsafeMutablePointer<DequeRing>.allocate(capacity: 1)
        ring.initialize(to: DequeRing(slots: slots, mask: capacity - 1, previous: previous))
        return ring
    }

    static func deallocate(_ ring: UnsafeMutablePointer<DequeRing>) {
        ring.pointee.slots.deinitialize(count: ring.pointee.mask + 1)
        ring.pointee.slots.deallocate()
        ring.deinitialize(count: 1)
        ring.deallocate()
    }

    @inlinable @inline(__always)
    func load(at index: Int) -> JobRef {
        // relaxed: callers order slot accesses through `top` and `bottom`.
        let bits = slots[index & mask].load(ordering: .relaxed)
        return JobRef(bitPattern: bits).unsafelyUnwrapped
    }

    @inlinable @inline(__always)
    func store(_ job: JobRef, at index: Int) {
        // relaxed: callers publish the slot with a releasing store.
        slots[index & mask].store(UInt(bitPattern: job), ordering: .relaxed)
    }
}
