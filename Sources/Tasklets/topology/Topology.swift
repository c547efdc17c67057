/// The machine as the pool may use it: CPUs, NUMA nodes and their distances,
/// packages, cores with their SMT siblings, and last-level-cache groups.
///
/// Read from sysfs (`Topology.current()` or `init(sysfsRoot:...)`) and
/// intersected with the process's affinity mask, so every list here holds
/// only CPUs the pool may run on. Discovery never fails: whatever sysfs lacks
/// or garbles is replaced by a stated assumption, recorded in `source` and
/// `warnings` (never silently). docs/numa.md describes each fallback.
public struct Topology: Sendable, Hashable {
    /// Where the description came from.
    public enum Source: Sendable, Hashable, CustomStringConvertible {
        /// Read from a sysfs tree at this root (maybe with fallbacks: see
        /// `warnings`).
        case sysfs(root: String)
        /// No usable sysfs: one node holding the affinity mask's CPUs.
        case assumed(reason: String)

        /// `sysfs at ROOT`, or `assumed (REASON)`.
        public var description: String {
            switch self {
            case .sysfs(let root): return "sysfs at \(root)"
            case .assumed(let reason): return "assumed (\(reason))"
            }
        }
    }

    /// A NUMA node with CPUs the pool may use.
    public struct Node: Sendable, Hashable {
        /// The kernel's node number (numbers may be sparse).
        public let id: Int
        /// Its usable CPUs, ascending.
        public let cpus: [Int]
    }

    /// A physical package (socket).
    public struct Package: Sendable, Hashable {
        /// `physical_package_id`, or the node number when that is unknown.
        public let id: Int
        /// Its usable CPUs, ascending.
        public let cpus: [Int]
    }

    /// CPUs sharing a last-level cache, on one node.
    public struct CacheGroup: Sendable, Hashable {
        /// The cache level (3 for an L3), or nil when assumed (one group per node).
        public let level: Int?
        /// The node these CPUs belong to. A cache spanning nodes (sub-NUMA
        /// clustering, numa=fake) is split at node boundaries.
        public let node: Int
        /// Its usable CPUs, ascending.
        public let cpus: [Int]
    }

    /// Where this description came from.
    public let source: Source
    /// Every assumption made and every file ignored, in reading order.
    public let warnings: [String]
    /// The affinity mask it was intersected with (nil when unknown).
    public let affinity: [Int]?
    /// The CPUs the pool may use: online, and in the affinity mask. Ascending.
    public let cpus: [Int]
    /// Nodes with usable CPUs, by id. Memory-only nodes get no workers.
    public let nodes: [Node]
    /// Online nodes without CPUs (memory-only, such as CXL or HBM).
    public let memoryOnlyNodes: [Int]
    /// Packages with usable CPUs, by id.
    public let packages: [Package]
    /// Cores: each entry is a core's usable SMT siblings, by first CPU.
    public let cores: [[Int]]
    /// Last-level-cache groups, by node then first CPU.
    public let cacheGroups: [CacheGroup]
    /// The cgroup CPU quota, if one limits the process.
    public let cpuQuota: CPUQuota?
    /// Node-to-node distances as the kernel gives them (10 = local).
    let distances: [Int: [Int: Int]]
    /// Per CPU: indexes into `nodes`, `cores` and `cacheGroups`.
    let cpuIndex: [Int: CPULocation]

    struct CPULocation: Sendable, Hashable {
        var node: Int
        var core: Int
        var cacheGroup: Int
    }

    /// The distance between two nodes: the kernel's value, 10 from a node to
    /// itself, 20 between nodes it gave no value for.
    public func distance(from: Int, to: Int) -> Int {
        if let value = distances[from]?[to] { return value }
        return from == to ? 10 : 20
    }

    /// The node of a usable CPU.
    public func node(ofCPU cpu: Int) -> Int? {
        cpuIndex[cpu].map { nodes[$0.node].id }
    }

    /// The index in `cores` of a usable CPU's core.
    public func coreIndex(ofCPU cpu: Int) -> Int? { cpuIndex[cpu]?.core }

    /// The index in `cacheGroups` of a usable CPU's last-level cache.
    public func cacheGroupIndex(ofCPU cpu: Int) -> Int? { cpuIndex[cpu]?.cacheGroup }

    /// The default worker count: one per usable CPU, lowered to a cgroup
    /// CPU quota rounded up (as Go 1.25 sets GOMAXPROCS), at least 1.
    public var defaultWorkerCount: Int {
        let cpuCount = max(1, cpus.count)
        guard let cpuQuota else { return cpuCount }
        return min(cpuCount, cpuQuota.workerLimit)
    }
}
