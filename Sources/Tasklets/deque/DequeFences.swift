import CTaskletsShims

/// How the pool's deques order an owner's take against a thief's steal:
/// the one store-load race of a Chase-Lev deque, over its last job.
///
/// Both sides must issue a full barrier between their store (or load) and
/// their load, or owner and thief could both take the last job. Symmetric
/// fences put one on every take, which is every `join`; asymmetric fences
/// move all of the cost to the thieves, which are rare: the owner keeps
/// its order with a compiler barrier only, and a thief that finds a deque
/// non-empty calls `membarrier(2)`, which runs a full barrier on every CPU
/// running a thread of this process (docs/join.md, "The fence-free fast
/// path").
public enum DequeFences: Sendable, Hashable, CustomStringConvertible {
    /// Owners take without a fence; thieves pay with `membarrier`
    /// (`TASKLETS_DEQUE_FENCES=asymmetric`).
    case asymmetric
    /// Every take and every steal issues a seq_cst fence (Lê et al.): the
    /// default for now (docs/join.md, "Why not the default yet"), or asked
    /// for with `TASKLETS_DEQUE_FENCES=symmetric`.
    ///
    /// (An enum, so that a switch over it is exhaustive: a new kind of
    /// fences would be a new major version.)
    case symmetric
    /// Every take and every steal issues a seq_cst fence, because the
    /// kernel refused membarrier's private expedited command (an old
    /// kernel, or seccomp).
    case symmetricFallback(SystemError)

    /// The environment variable that picks them: `symmetric` (the
    /// default) or `asymmetric`.
    public static let environmentVariable = "TASKLETS_DEQUE_FENCES"

    /// One line, as `tasklets-bench topology` prints it.
    public var description: String {
        switch self {
        case .asymmetric: "asymmetric (owners fence-free, thieves call membarrier)"
        case .symmetric: "symmetric (the default; \(DequeFences.environmentVariable)=asymmetric for fence-free takes)"
        case .symmetricFallback(let error): "symmetric (\(error))"
        }
    }

    /// Whether a deque's owner takes without a fence.
    public var isAsymmetric: Bool { self == .asymmetric }

    /// Reads `TASKLETS_DEQUE_FENCES` and, for asymmetric fences, registers
    /// the process for membarrier; falls back to symmetric fences when the
    /// kernel refuses.
    static func choose(system: SystemCalls) throws(TaskletPoolError) -> DequeFences {
        let value = system.environment(environmentVariable)
        switch value?.filter({ !$0.isWhitespace }) {
        case "asymmetric": break
        case nil, "", "symmetric": return .symmetric
        default:
            throw .invalidEnvironment(
                variable: environmentVariable, value: value ?? "", expected: "asymmetric or symmetric")
        }
        let error = system.registerMembarrier()
        guard error == 0 else {
            return .symmetricFallback(SystemError(errno: error, call: "membarrier (private expedited)"))
        }
        return .asymmetric
    }
}

/// The heavy side of an asymmetric fence (`ctasklets_membarrier`, or a
/// test's stand-in): a C function pointer, so a deque holds it with no
/// reference count.
@usableFromInline
typealias HeavyBarrier = @convention(c) () -> Void
