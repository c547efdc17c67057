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

    /// The slot's raw bits. A thief may read a slot that was never written
    /// (index `t` in a ring grown after `t` was taken, so never copied) or
    /// was overwritten; its CAS then fails, so only the owner and a thief
    /// whose CAS succeeded turn the bits into a `JobRef`.
    @inlinable @inline(__always)
    func load(at index: Int) -> UInt {
        // relaxed: callers order slot accesses through `top` and `bottom`.
        slots[index & mask].load(ordering: .relaxed)
    }

    @inlinable @inline(__always)
    func store(_ bits: UInt, at index: Int) {
        // relaxed: callers publish the slot with a releasing store.
        slots[index & mask].store(bits, ordering: .relaxed)
    }
}
