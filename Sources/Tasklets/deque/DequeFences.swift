import CTaskletsShims

/// How the pool's deques order an owner's take against a thief's steal:
/// the one store-load race of a Chase-Lev deque, over its last job.
///
/// Both sides must issue a full barrier between their store (or load) and
/// their load, or owner and thief could both take the last job. Symmetric
/// fences put one on every take, which is every `join`. Asymmetric fences
/// (the default) let an owner take behind a compiler barrier while no thief
/// comes: the first thief to find its deque non-empty calls `membarrier(2)`,
/// which runs a full barrier on every CPU running a thread of this process,
/// and asks the owner to fence its takes until a window of them passes with
/// no thief (`OwnerFences`; docs/join.md, "The fence-free fast path").
public enum DequeFences: Sendable, Hashable, CustomStringConvertible {
    /// Owners take without a fence while no thief comes; a thief that finds
    /// one fence-free calls `membarrier` and asks it to fence. The default,
    /// or asked for with `TASKLETS_DEQUE_FENCES=asymmetric`.
    case asymmetric
    /// Every take and every steal issues a seq_cst fence (Lê et al.), asked
    /// for with `TASKLETS_DEQUE_FENCES=symmetric`.
    ///
    /// (An enum, so that a switch over it is exhaustive: a new kind of
    /// fences would be a new major version.)
    case symmetric
    /// Every take and every steal issues a seq_cst fence, because the
    /// kernel refused membarrier's private expedited command (an old
    /// kernel, or seccomp).
    case symmetricFallback(SystemError)

    /// The environment variable that picks them: `asymmetric` (the
    /// default) or `symmetric`.
    public static let environmentVariable = "TASKLETS_DEQUE_FENCES"

    /// One line, as `tasklets-bench topology` prints it.
    public var description: String {
        switch self {
        case .asymmetric: "asymmetric (the default: owners fence-free until a thief comes, which calls membarrier once)"
        case .symmetric: "symmetric (\(DequeFences.environmentVariable)=symmetric: every take fences)"
        case .symmetricFallback(let error): "symmetric (\(error))"
        }
    }

    /// Whether a deque's owner may take without a fence.
    public var isAsymmetric: Bool { self == .asymmetric }

    /// Reads `TASKLETS_DEQUE_FENCES` and, for asymmetric fences (the
    /// default), registers the process for membarrier; falls back to
    /// symmetric fences when the kernel refuses.
    static func choose(system: SystemCalls) throws(TaskletPoolError) -> DequeFences {
        let value = system.environment(environmentVariable)
        switch value?.filter({ !$0.isWhitespace }) {
        case nil, "", "asymmetric": break
        case "symmetric": return .symmetric
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
