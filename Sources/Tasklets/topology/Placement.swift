/// Where the pool's workers run: which CPU each one pins itself to.
///
/// Like OpenMP's `OMP_PLACES`/`OMP_PROC_BIND`, set in code or through
/// `TASKLETS_PLACEMENT` (see Placement+Parsing.swift). `assign(workers:on:)`
/// turns a placement into one `WorkerPlacement` per worker.
public enum Placement: Sendable, Hashable {
    /// Fill a node before the next: node by node, cache group by cache
    /// group, SMT siblings next to each other. Best when workers share data.
    case compact
    /// Round-robin over nodes, and inside a node one CPU per core before
    /// any SMT sibling. Best for memory bandwidth.
    case spread
    /// One worker per physical core, never two SMT siblings, in compact
    /// order (node by node).
    case physicalCores
    /// Exactly these CPUs, worker i on the i-th; each must be usable.
    case cpus([Int])
    /// No pinning: the kernel places workers. For steal tiers, workers are
    /// spread over nodes round-robin.
    case unpinned
}

/// One worker's place: its CPU (nil when unpinned) and its node.
public struct WorkerPlacement: Sendable, Hashable, CustomStringConvertible {
    /// The CPU the worker pins itself to, or nil when it runs unpinned.
    public let cpu: Int?
    /// The node it belongs to (for unpinned workers, the node it is counted
    /// on for steal tiers and node-local memory).
    public let node: Int

    /// A worker's place: pinned to `cpu` (nil for unpinned) and counted on
    /// `node`. Pools make these themselves (`Placement.assign(workers:on:)`);
    /// build one to compare with `TaskletPool.placements` or a `PoolPlan`.
    public init(cpu: Int?, node: Int) {
        self.cpu = cpu
        self.node = node
    }

    /// `cpu 3 (node 0)`, or `unpinned (node 1)`.
    public var description: String {
        cpu.map { "cpu \($0) (node \(node))" } ?? "unpinned (node \(node))"
    }
}

extension Placement {
    /// What a pool uses when neither its initializer nor `TASKLETS_PLACEMENT`
    /// says: on a machine with several NUMA nodes, `.compact` (so that each
    /// worker's memory and its nearest victims are on its node); on one
    /// node, `.unpinned`, so the kernel may move workers away from other
    /// busy programs, as Rayon, Go and oneTBB do by default.
    static func defaultPlacement(for topology: Topology) -> Placement {
        topology.nodes.count > 1 ? .compact : .unpinned
    }
}
