/// The implementations a kernel can run on: ours and what a Swift user would
/// pick instead.
public enum BackendName: String, CommandLineName, Sendable, Codable {
    /// Plain recursion on the calling thread: the Ts baseline.
    case sequential
    /// `TaskletPool`: `join`, `scope`, `parallelReduce`.
    case pool
    /// `TaskletPool` with supervision off (`.disabled`): no watchdog, no
    /// spares. Only for the supervision kernels, as the baseline of what
    /// supervision buys; on the others it would just be the pool again.
    case poolUnsupervised = "pool-unsupervised"
    /// `DispatchGroup` recursion on the global queue; `concurrentPerform` for sum.
    case dispatch
    /// `withTaskGroup` on Swift Concurrency's default global executor.
    case taskgroup
    /// N threads sharing one queue, one pthread mutex and one condition variable.
    case naive

    /// What the backend is, for `tasklets-bench list`.
    public var summary: String {
        switch self {
        case .sequential: return "plain recursion on one thread (the Ts baseline)"
        case .pool: return "TaskletPool: join, scope, parallelReduce"
        case .poolUnsupervised: return "TaskletPool with supervision off (.disabled)"
        case .dispatch: return "DispatchGroup recursion on the global queue, concurrentPerform for sum"
        case .taskgroup: return "withTaskGroup on the default global executor"
        case .naive: return "N threads, one shared queue, one pthread mutex + condition variable"
        }
    }

    /// Whether the thread count is set by pinning the process to that many
    /// CPUs (Dispatch and the global executor size themselves from the
    /// affinity mask and cannot be told a thread count).
    public var sizesFromAffinityMask: Bool { self == .dispatch || self == .taskgroup }

    /// Whether the backend is a `TaskletPool` (with or without supervision).
    public var isTaskletPool: Bool { self == .pool || self == .poolUnsupervised }

    /// Whether the backend runs `kernel` (the sequential backend has no
    /// threads to wake or submit to; Swift tasks run on the pool or on the
    /// default global executor, `taskgroup`; the unsupervised pool runs the
    /// supervision and compute kernels only, as the pool's baseline; map
    /// has no task-group or naive version; stolen-joins runs everywhere
    /// else, sequential included, as its Ts).
    public func supports(_ kernel: KernelName) -> Bool {
        if KernelName.supervisionKernels.contains(kernel) { return self != .sequential }
        if kernel == .map { return self == .sequential || self == .pool || self == .dispatch }
        if kernel == .stolenJoins { return self != .poolUnsupervised }
        // The compute kernels too: what supervision costs them.
        if self == .poolUnsupervised { return KernelName.computeKernels.contains(kernel) }
        if kernel == .parked { return self == .pool }
        if KernelName.asyncKernels.contains(kernel) { return self == .pool || self == .taskgroup }
        return self != .sequential || KernelName.computeKernels.contains(kernel)
    }

    public static var kind: String { "backend" }
}
