import Foundation
import Tasklets

/// What `tasklets-bench topology` plans for: this machine as this process
/// sees it, or a copy of another machine's sysfs (`--sysfs-root`), narrowed
/// to a CPU list (`--affinity`) if asked.
///
/// A copy is planned for with *its* online CPUs: intersecting it with this
/// process's affinity mask, as a pool starting here must, would turn a
/// 16-CPU, 4-node copy into CPUs 0-1 of one node on a 2-CPU machine.
public struct TopologyRequest: Sendable {
    /// The directory that holds the `devices/system/{cpu,node}` tree.
    public var sysfsRoot: String
    /// `--affinity`: a CPU list such as `0-3,8`, or nil.
    public var affinity: String?
    public var workers: Int?
    /// `--placement` as typed, or nil (then `TASKLETS_PLACEMENT`, then the
    /// pool's default).
    public var placement: String?

    public static let liveRoot = "/sys"

    public init(sysfsRoot: String = TopologyRequest.liveRoot, affinity: String? = nil, workers: Int? = nil, placement: String? = nil) {
        self.sysfsRoot = sysfsRoot
        self.affinity = affinity
        self.workers = workers
        self.placement = placement
    }

    /// Whether this asks about the running process exactly as a pool
    /// started here would see it (the live `/sys`, no `--affinity`).
    public var isLive: Bool { sysfsRoot == TopologyRequest.liveRoot && affinity == nil }

    /// The plan. Bad input (a CPU list, a placement, a worker count that
    /// cannot be met) throws a one-line `BenchError`.
    public func plan() throws(BenchError) -> TopologyReport {
        let placement = try parsedPlacement()
        if let workers, !(1...TaskletPool.maximumWorkers).contains(workers) {
            throw .invalidValue(source: "--workers", value: String(workers), expected: "a whole number from 1 to \(TaskletPool.maximumWorkers)")
        }
        if isLive {
            do {
                let plan = try TaskletPool.plan(workers: workers, placement: placement, sysfsRoot: sysfsRoot)
                return TopologyReport(
                    topology: plan.topology, placement: plan.placement, workers: plan.workers,
                    nodeLocalMemoryAvailable: plan.nodeLocalMemoryUnavailable == nil,
                    nodeLocalMemory: plan.nodeLocalMemoryUnavailable.map { "unavailable: \($0)" } ?? "available (libnuma)",
                    dequeFences: plan.dequeFences)
            } catch {
                throw .cannotPlan(reason: "\(error)")
            }
        }
        let mask = try affinityCPUs()
        // A copy's cgroup limit, if it holds one, is under its own fs/cgroup.
        let cgroupRoot = sysfsRoot == TopologyRequest.liveRoot ? CPUQuota.defaultCgroupRoot : sysfsRoot + "/fs/cgroup"
        // A mask that meets no online CPU would make discovery assume the
        // mask itself (for a process whose sysfs is odd); here it is a typo.
        if let mask {
            let online = Topology(sysfsRoot: sysfsRoot, cgroupRoot: cgroupRoot, affinity: nil).cpus
            guard !Set(online).isDisjoint(with: mask) else {
                throw .invalidValue(
                    source: "--affinity", value: affinity ?? "",
                    expected: "CPUs that are online there (\(CPUList.format(online)))")
            }
        }
        let topology = Topology(sysfsRoot: sysfsRoot, cgroupRoot: cgroupRoot, affinity: mask)
        // The pool's own default (`Placement.defaultPlacement`): compact on
        // several nodes, unpinned on one.
        let chosen = placement ?? (topology.nodes.count > 1 ? .compact : .unpinned)
        do {
            let assigned = try chosen.assign(workers: workers ?? topology.defaultWorkerCount, on: topology)
            let memory = sysfsRoot == TopologyRequest.liveRoot
                ? "not checked (--affinity plans without starting a pool)"
                : "not checked (another machine's sysfs)"
            return TopologyReport(
                topology: topology, placement: chosen, workers: assigned, nodeLocalMemoryAvailable: nil, nodeLocalMemory: memory,
                dequeFences: nil)
        } catch {
            throw .cannotPlan(reason: "\(error)")
        }
    }

    private func parsedPlacement() throws(BenchError) -> Placement? {
        do {
            if let placement { return try Placement(parsing: placement) }
            return try Placement.fromEnvironment()
        } catch {
            throw .invalidValue(
                source: placement == nil ? Placement.environmentVariable : "--placement",
                value: placement ?? ProcessInfo.processInfo.environment[Placement.environmentVariable] ?? "",
                expected: "compact, spread, cores, unpinned or cpus:LIST (such as cpus:0,2,4-6)")
        }
    }

    private func affinityCPUs() throws(BenchError) -> [Int]? {
        guard let affinity else { return nil }
        do {
            let cpus = try CPUList.parse(affinity)
            guard !cpus.isEmpty else { throw TopologyError.invalidCPUList(affinity, reason: "it is empty") }
            return cpus
        } catch {
            throw .invalidValue(source: "--affinity", value: affinity, expected: "a CPU list such as 0-3,8")
        }
    }
}

/// A plan as `tasklets-bench topology` prints it.
public struct TopologyReport: Sendable {
    public var topology: Topology
    public var placement: Placement
    public var workers: [WorkerPlacement]
    /// Whether node-local memory works; nil where it was not checked.
    public var nodeLocalMemoryAvailable: Bool?
    /// "available (libnuma)", "unavailable: ..." or why it was not checked.
    public var nodeLocalMemory: String
    /// How the deques fence takes against steals in this process; nil for
    /// another machine's sysfs or an `--affinity` plan (not checked).
    public var dequeFences: DequeFences?
}
