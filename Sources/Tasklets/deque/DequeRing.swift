import Synchronization

/// One circular buffer of a `WorkStealingDeque`: a header (mask, link to the
/// ring it replaced, how it was allocated) followed by a power-of-two array
/// of atomic slots, in one allocation so that reaching a slot takes one load
/// less.
///
/// Slots are atomic because a thief may read a slot while the owner
/// overwrites it after wrap-around (the thief's CAS then fails and the value
/// is discarded, but the read itself must not be a data race).
///
/// Model-checked mirror: `struct DequeRing` in Tests/ModelCheck/deque.cpp.
@usableFromInline
struct DequeRing {
    @usableFromInline let base: UnsafeMutableRawPointer

    /// mask, previous, byte count, node-local flag.
    @usableFromInline static var headerSize: Int { 32 }

    @inlinable
    init(_ base: UnsafeMutableRawPointer) {
        self.base = base
    }

    /// The ring at an address stored as bits (never zero).
    @inlinable @inline(__always)
    init(bits: UInt) {
        base = UnsafeMutableRawPointer(bitPattern: bits).unsafelyUnwrapped
    }

    /// Lays a ring out in `block`, all slots empty.
    init(initializing block: NodeLocalMemory.Block, capacity: Int, previous: DequeRing?) {
        base = block.pointer
        base.storeBytes(of: capacity - 1, as: Int.self)
        base.storeBytes(of: previous?.base, toByteOffset: 8, as: UnsafeMutableRawPointer?.self)
        base.storeBytes(of: block.bytes, toByteOffset: 16, as: Int.self)
        base.storeBytes(of: block.isNodeLocal ? 1 : 0, toByteOffset: 24, as: Int.self)
        let slots = (base + DequeRing.headerSize).bindMemory(to: Atomic<UInt>.self, capacity: capacity)
        for index in 0..<capacity {
            (slots + index).initialize(to: Atomic(0))
        }
    }

    var byteCount: Int { base.load(fromByteOffset: 16, as: Int.self) }
    var isNodeLocal: Bool { base.load(fromByteOffset: 24, as: Int.self) != 0 }

    /// Capacity - 1.
    @inlinable
    var mask: Int { base.load(as: Int.self) }

    /// The smaller ring this one replaced, kept alive until the deque dies.
    var previous: DequeRing? {
        base.load(fromByteOffset: 8, as: UnsafeMutableRawPointer?.self).map(DequeRing.init)
    }

    @inlinable
    var slots: UnsafeMutablePointer<Atomic<UInt>> {
        (base + DequeRing.headerSize).assumingMemoryBound(to: Atomic<UInt>.self)
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
