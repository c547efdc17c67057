import ArgumentParser
import Foundation
import Tasklets

/// `tasklets-bench topology`: what the pool sees of the machine and what it
/// would do there, like `numactl --hardware` and `lstopo` together.
struct TopologyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topology",
        abstract: "Print the machine as the pool sees it: nodes, CPUs, distances, caches, placement.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Option(help: "Read sysfs from this directory instead of /sys (a copy made by hwloc-gather-topology).")
    var sysfsRoot = "/sys"

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    @Option(help: "Worker count to plan for (default: what the pool would choose).")
    var workers: Int?

    @Option(help: "Placement to plan for: compact, spread, cores, cpus:LIST or unpinned (default: TASKLETS_PLACEMENT, else the pool's default).")
    var placement: String?

    func run() throws {
        let plan: PoolPlan
        do {
            let parsed = try placement.map { text throws(TopologyError) in try Placement(parsing: text) }
            plan = try TaskletPool.plan(workers: workers, placement: parsed, sysfsRoot: sysfsRoot)
        } catch {
            throw CommandFailure("\(error)")
        }
        switch format {
        case .text: print(text(plan))
        case .json: print(json(plan).render())
        }
    }

    func text(_ plan: PoolPlan) -> String {
        var lines = [plan.topology.description]
        lines.append("placement: \(plan.placement)")
        for (index, worker) in plan.workers.enumerated() {
            lines.append("  worker \(index): \(worker.cpu.map { "CPU \($0)" } ?? "unpinned"), node \(worker.node)")
        }
        lines.append("node-local memory: \(plan.nodeLocalMemoryUnavailable.map { "unavailable: \($0)" } ?? "available (libnuma)")")
        return lines.joined(separator: "\n")
    }

    func json(_ plan: PoolPlan) -> JSONValue {
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
            ("node_local_memory", .bool(plan.nodeLocalMemoryUnavailable == nil)),
            ("node_local_memory_unavailable", plan.nodeLocalMemoryUnavailable.map(JSONValue.string) ?? .null),
            ("warnings", .array(topology.warnings.map(JSONValue.string))),
        ])
    }
}
