/// Where a deque's rings come from: memory on the owner's NUMA node when
/// libnuma can place it, plain memory otherwise (which a pinned owner still
/// first-touches on its node).
struct RingMemory: Sendable {
    let memory: NodeLocalMemory
    let node: Int
}

extension DequeRing {
    /// A ring of `capacity` slots from `memory` (plain memory when nil).
    static func allocate(
        capacity requested: Int, previous: DequeRing?, memory: RingMemory?
    ) -> DequeRing {
        var capacity = 2
        while capacity < requested { capacity *= 2 }
        let bytes = headerSize + capacity * MemoryLayout<UInt>.stride
        let block: NodeLocalMemory.Block
        if let memory {
            block = memory.memory.allocate(bytes: bytes, onNode: memory.node)
        } else {
            block = NodeLocalMemory.Block(
                pointer: .allocate(byteCount: bytes, alignment: 64), bytes: bytes, isNodeLocal: false)
        }
        return DequeRing(initializing: block, capacity: capacity, previous: previous)
    }

    /// Frees this ring (not the ones it links to).
    func deallocate(memory: RingMemory?) {
        slots.deinitialize(count: mask + 1)
        let block = NodeLocalMemory.Block(pointer: base, bytes: byteCount, isNodeLocal: isNodeLocal)
        if let memory {
            memory.memory.free(block)
        } else {
            base.deallocate()
        }
    }
}
