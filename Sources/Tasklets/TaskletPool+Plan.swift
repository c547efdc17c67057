/// What a pool would do on this machine, before starting any thread: the
/// topology it reads, the placement it picks, where each worker would run,
/// whether node-local memory works and which deque fences it gets. `TaskletPool.init` follows exactly
/// this plan; `tasklets-bench topology` prints it.
public struct PoolPlan: Sendable {
    /// The machine as the pool would see it: sysfs, intersected with the
    /// calling thread's affinity mask and capped by a cgroup CPU quota.
    public let topology: Topology
    /// The placement the pool would use: the one passed in, else
    /// `TASKLETS_PLACEMENT`, else `.compact` on several NUMA nodes and
    /// `.unpinned` on one.
    public let placement: Placement
    /// Where each worker would run, worker 0 first: its CPU (nil when
    /// unpinned) and its node. Its count is the pool's worker count.
    public let workers: [WorkerPlacement]
    /// Why node-local memory is unavailable (deque rings then come from
    /// plain memory, first-touched by their pinned owner), or nil.
    public let nodeLocalMemoryUnavailable: String?
    /// How the deques fence an owner's take against a thief's steal:
    /// asymmetric where the kernel has membarrier (which deciding registers
    /// for), unless `TASKLETS_DEQUE_FENCES=symmetric`.
    public let dequeFences: DequeFences
    /// Passes a thief makes over each tier of victims before it moves out
    /// to the next (`TASKLETS_STEAL_ROUNDS`; default 2 on several nodes, 1
    /// on one).
    public let roundsPerTier: Int
    /// The stack size of each worker thread, in bytes (`init`'s
    /// `stackSize`, else `TASKLETS_STACK_SIZE`, else 16 MiB; rounded up to
    /// a multiple of 64 KiB).
    public let stackSize: Int
}

extension TaskletPool {
    /// The plan for a pool with these arguments (see `init`), reading sysfs
    /// under `sysfsRoot`. Choosing asymmetric deque fences registers the
    /// process for `membarrier(2)` (harmless, and what a pool would do anyway).
    public static func plan(
        workers: Int? = nil, placement: Placement? = nil, stackSize: Int? = nil,
        sysfsRoot: String = "/sys"
    ) throws(TaskletPoolError) -> PoolPlan {
        try plan(
            workers: workers, placement: placement, stackSize: stackSize, sysfsRoot: sysfsRoot,
            system: .live)
    }

    static func plan(
        workers: Int?, placement: Placement?, stackSize: Int? = nil, sysfsRoot: String,
        system: SystemCalls
    ) throws(TaskletPoolError) -> PoolPlan {
        let stackSize = try TaskletPool.stackSize(stackSize, system: system)
        let topology = try TaskletPool.topology(sysfsRoot: sysfsRoot, system: system)
        let count: Int
        if let workers {
            count = workers
        } else {
            count = try TaskletPool.defaultWorkerCount(topology: topology, system: system)
        }
        guard (1...TaskletPool.maximumWorkers).contains(count) else {
            throw .invalidWorkerCount(count)
        }
        var roundsPerTier: Int? = nil
        if let value = system.environment(PoolLayout.roundsVariable) {
            guard let rounds = Int(value.filter { !$0.isWhitespace }), (1...64).contains(rounds) else {
                throw .invalidEnvironment(
                    variable: PoolLayout.roundsVariable, value: value, expected: "a whole number from 1 to 64")
            }
            roundsPerTier = rounds
        }
        let fences = try DequeFences.choose(system: system)
        do throws(TopologyError) {
            var chosen = placement
            if chosen == nil { chosen = try Placement.fromEnvironment(system: system) }
            let resolved = chosen ?? .defaultPlacement(for: topology)
            // Two passes over near victims before crossing to another node
            // (one tier only on a single node, where it makes no difference).
            let rounds = roundsPerTier ?? (topology.nodes.count > 1 ? 2 : 1)
            return PoolPlan(
                topology: topology, placement: resolved,
                workers: try resolved.assign(workers: count, on: topology),
                nodeLocalMemoryUnavailable: NodeLocalMemory(system: system, report: { _ in }).unavailableReason,
                dequeFences: fences, roundsPerTier: rounds, stackSize: stackSize)
        } catch {
            throw .invalidPlacement(error)
        }
    }
}
