/// Turning a placement into each worker's CPU and node: a pure function of
/// the topology, the worker count and the placement.
extension Placement {
    /// One place per worker. Throws for a worker count below 1, for more
    /// pinned workers than CPUs (or cores), and for `.cpus` naming a CPU
    /// outside `topology.cpus` (offline, or outside the affinity mask).
    public func assign(workers count: Int, on topology: Topology) throws(TopologyError) -> [WorkerPlacement] {
        guard count >= 1 else { throw .invalidWorkerCount(count) }
        let order: [Int]
        switch self {
        case .unpinned:
            let nodes = topology.nodes.isEmpty ? [0] : topology.nodes.map(\.id)
            return (0..<count).map { WorkerPlacement(cpu: nil, node: nodes[$0 % nodes.count]) }
        case .compact:
            order = Self.compactOrder(topology)
        case .physicalCores:
            let firsts = Set(topology.cores.compactMap(\.first))
            order = Self.compactOrder(topology).filter(firsts.contains)
        case .spread:
            order = Self.spreadOrder(topology)
        case .cpus(let cpus):
            let usable = Set(topology.cpus)
            var seen = Set<Int>()
            for cpu in cpus {
                guard usable.contains(cpu) else { throw .cpuOutsideAffinity(cpu: cpu, allowed: topology.cpus) }
                guard seen.insert(cpu).inserted else { throw .duplicateCPU(cpu) }
            }
            order = cpus
        }
        guard count <= order.count else {
            throw .tooManyWorkers(requested: count, available: order.count, placement: description)
        }
        return order.prefix(count).map { WorkerPlacement(cpu: $0, node: topology.node(ofCPU: $0) ?? 0) }
    }

    /// Node, then cache group, then core, then CPU.
    static func compactOrder(_ topology: Topology) -> [Int] {
        topology.cpus.sorted { a, b in
            key(topology, a) < key(topology, b)
        }
    }

    /// Round-robin over nodes; inside a node, the first CPU of every core
    /// (cache group by cache group) before any second SMT sibling.
    static func spreadOrder(_ topology: Topology) -> [Int] {
        let queues: [[Int]] = topology.nodes.map { node in
            node.cpus.sorted { a, b in
                let (rankA, rankB) = (rank(topology, a), rank(topology, b))
                return rankA != rankB ? rankA < rankB : key(topology, a) < key(topology, b)
            }
        }
        var order: [Int] = []
        var next = queues.map { _ in 0 }
        while order.count < topology.cpus.count {
            var progressed = false
            for index in queues.indices where next[index] < queues[index].count {
                order.append(queues[index][next[index]])
                next[index] += 1
                progressed = true
            }
            if !progressed { break }
        }
        return order
    }

    private static func key(_ topology: Topology, _ cpu: Int) -> (Int, Int, Int, Int) {
        return (topology.cpuIndex[cpu]?.node ?? 0, topology.cacheGroupIndex(ofCPU: cpu) ?? 0, topology.coreIndex(ofCPU: cpu) ?? 0, cpu)
    }

    /// A CPU's position among its core's SMT siblings (0 for the first).
    private static func rank(_ topology: Topology, _ cpu: Int) -> Int {
        guard let core = topology.coreIndex(ofCPU: cpu) else { return 0 }
        return topology.cores[core].firstIndex(of: cpu) ?? 0
    }
}
