import ArgumentParser
import Foundation
import Tasklets
import TaskletsBenchKernels

/// `tasklets-bench topology`: what the pool sees of the machine and what it
/// would do there, like `numactl --hardware` and `lstopo` together.
struct TopologyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topology",
        abstract: "Print the machine as the pool sees it: nodes, CPUs, distances, caches, placement.")

    @Option(
        help: "Read sysfs from this directory instead of /sys (a copy of another machine's, made by hwloc-gather-topology): the plan is then for that machine's own online CPUs, not this process's affinity mask.",
        completion: .directory)
    var sysfsRoot = TopologyRequest.liveRoot

    @Option(help: "Plan for these CPUs only, a list such as 0-3,8 (default: with --sysfs-root, every online CPU there; else this process's affinity mask).")
    var affinity: String?

    @Option(help: "Output format: table or json (csv is not offered here).")
    var format: ReportFormat = .table

    @Option(help: "Worker count to plan for (default: what the pool would choose).")
    var workers: Int?

    @Option(
        help: "Placement to plan for: compact, spread, cores, cpus:LIST or unpinned (default: TASKLETS_PLACEMENT, else the pool's default).",
        completion: .list(["compact", "spread", "cores", "unpinned", "cpus:"]))
    var placement: String?

    func run() throws {
        if format == .csv {
            throw BenchError.invalidValue(source: "--format", value: "csv", expected: "table or json for topology")
        }
        let request = TopologyRequest(sysfsRoot: sysfsRoot, affinity: affinity, workers: workers, placement: placement)
        let report = try request.plan()
        switch format {
        case .json: print(json(report).render())
        case .table, .csv: print(text(report))
        }
    }

    func text(_ plan: TopologyReport) -> String {
        var lines = [plan.topology.description]
        lines.append("placement: \(plan.placement)")
        for (index, worker) in plan.workers.enumerated() {
            lines.append("  worker \(index): \(worker.cpu.map { "CPU \($0)" } ?? "unpinned"), node \(worker.node)")
        }
        lines.append("node-local memory: \(plan.nodeLocalMemory)")
        lines.append("deque fences: \(plan.dequeFences.map(String.init(describing:)) ?? "not checked (a plan for another machine's sysfs or an --affinity mask)")")
        return lines.joined(separator: "\n")
    }

    func json(_ plan: TopologyReport) -> JSONValue {
        let topology = plan.topology
        let nodeIDs = (topology.nodes.map(\.id) + topology.memoryOnlyNodes).sorted()
        return .object([
            ("source", .string("\(topology.source)")),
            ("cpus", .array(topology.cpus.map(JSONValue.int))),
            ("affinity", topology.affinity.map { .array($0.map(JSONValue.int)) } ?? .null),
            ("nodes", .array(topology.nodes.map { node in
                .object([("id", .int(node.id)), ("cpus", .array(node.cpus.map(JSONValue.int)))])
            })),
            ("memory_only_nodes", .array(topology.memoryOnlyNodes.map(JSONValue.int))),
            ("distances", .array(nodeIDs.map { from in
                .array(nodeIDs.map { to in .int(topology.distance(from: from, to: to)) })
            })),
            ("cores", .int(topology.cores.count)),
            ("last_level_caches", .array(topology.cacheGroups.map { group in
                .object([
                    ("level", group.level.map(JSONValue.int) ?? .null),
                    ("node", .int(group.node)),
                    ("cpus", .array(group.cpus.map(JSONValue.int))),
                ])
            })),
            ("default_workers", .int(topology.defaultWorkerCount)),
            ("placement", .string("\(plan.placement)")),
            ("workers", .array(plan.workers.map { worker in
                .object([("cpu", worker.cpu.map(JSONValue.int) ?? .null), ("node", .int(worker.node))])
            })),
            ("node_local_memory", plan.nodeLocalMemoryAvailable.map(JSONValue.bool) ?? .null),
            ("node_local_memory_unavailable", plan.nodeLocalMemoryAvailable == false ? .string(plan.nodeLocalMemory) : .null),
            ("deque_fences", plan.dequeFences.map { .string($0.isAsymmetric ? "asymmetric" : "symmetric") } ?? .null),
            ("deque_fences_detail", plan.dequeFences.map { .string("\($0)") } ?? .null),
            ("warnings", .array(topology.warnings.map(JSONValue.string))),
        ])
    }
}
