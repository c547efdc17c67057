/// Memory on a chosen NUMA node, through libnuma, or plain memory when that
/// cannot work, for a worker's deque ring and job storage.
///
/// Whether node-local memory works is probed once, at initialization and
/// before libnuma is even loaded: the `get_mempolicy` and `mbind` system
/// calls must succeed (under Docker's seccomp profile without
/// `CAP_SYS_NICE` they fail with EPERM, while libnuma 2.0.16's
/// `numa_available()` still returns 0), then libnuma must load and report
/// itself available. Otherwise every allocation is plain memory (placed by
/// first touch, which a pinned worker's own thread still makes local) and
/// the reason is reported once: "node-local memory unavailable: REASON".
/// A node is validated before allocating (libnuma returns unbound memory for
/// a bad node); an invalid node or a failed allocation also falls back, and
/// reports its reason once.
final class NodeLocalMemory: @unchecked Sendable {
    /// A block from `allocate`; give it back with `free`.
    struct Block: @unchecked Sendable {
        let pointer: UnsafeMutableRawPointer
        let bytes: Int
        /// Whether libnuma placed it on the requested node.
        let isNodeLocal: Bool
    }

    /// Alignment of fallback blocks (libnuma's are page-aligned).
    static let fallbackAlignment = 128

    private let system: SystemCalls
    private let report: @Sendable (String) -> Void
    /// Why node-local memory is unavailable altogether, or nil if it works.
    let unavailableReason: String?
    private let lock = PthreadLock()
    private var reported = Set<String>()

    /// Probes once. `report` receives each distinct fallback reason once.
    init(system: SystemCalls, report: @escaping @Sendable (String) -> Void) {
        self.system = system
        self.report = report
        let policyErrno = system.memoryPolicyErrno()
        if policyErrno != 0 {
            unavailableReason = "memory policy refused: \(SystemError(errno: policyErrno, call: "get_mempolicy/mbind"))"
        } else if let failure = system.numaLoad() {
            unavailableReason = "libnuma: \(failure)"
        } else {
            unavailableReason = nil
        }
        if let unavailableReason { reportOnce(unavailableReason) }
    }

    /// `bytes` of memory on `node`, or plain memory with a one-time reason.
    func allocate(bytes: Int, onNode node: Int) -> Block {
        let size = max(1, bytes)
        if unavailableReason == nil {
            if system.numaNodeSize(node) <= 0 {
                reportOnce("node \(node) does not exist or has no memory")
            } else if let pointer = system.numaAllocateOnNode(size, node) {
                return Block(pointer: pointer, bytes: size, isNodeLocal: true)
            } else {
                reportOnce("numa_alloc_onnode(\(size), \(node)) failed")
            }
        }
        let pointer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: Self.fallbackAlignment)
        return Block(pointer: pointer, bytes: size, isNodeLocal: false)
    }

    /// Gives back a block from `allocate`.
    func free(_ block: Block) {
        if block.isNodeLocal {
            system.numaFree(block.pointer, block.bytes)
        } else {
            block.pointer.deallocate()
        }
    }

    private func reportOnce(_ reason: String) {
        let isNew = lock.withLock { reported.insert(reason).inserted }
        if isNew { report("node-local memory unavailable: \(reason)") }
    }
}
