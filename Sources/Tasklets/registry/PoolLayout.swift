/// The machine, turned into what the scheduler needs: where each worker
/// runs, whom it steals from, and which injector serves which node.
struct PoolLayout: Sendable {
    /// How a victim relates to a thief, for the per-tier steal counters.
    enum Relation: UInt8, Sendable {
        case sameCache, sameNode, otherNode
    }

    let topology: Topology
    let placements: [WorkerPlacement]
    let victimOrders: [VictimOrder]
    /// The nodes that have workers: one injector each, in this order.
    let injectorNodes: [Int]
    /// Each worker's injector (an index into `injectorNodes`).
    let injectorOfWorker: [Int]
    /// `relation[thief][victim]`.
    let relation: [[Relation]]
    /// Passes over a tier before a thief moves out to the next one.
    let roundsPerTier: Int

    var workerCount: Int { placements.count }

    /// The environment variable that sets `roundsPerTier`.
    static let roundsVariable = "TASKLETS_STEAL_ROUNDS"

    init(topology: Topology, placements: [WorkerPlacement], roundsPerTier: Int = 1) {
        self.topology = topology
        self.placements = placements
        self.roundsPerTier = max(1, roundsPerTier)
        victimOrders = VictimOrder.tiers(for: placements, on: topology)
        var nodes: [Int] = []
        for placement in placements where !nodes.contains(placement.node) {
            nodes.append(placement.node)
        }
        injectorNodes = nodes
        injectorOfWorker = placements.map { placement in nodes.firstIndex(of: placement.node) ?? 0 }
        let cacheGroups = placements.map { $0.cpu.flatMap(topology.cacheGroupIndex(ofCPU:)) }
        relation = placements.indices.map { thief in
            placements.indices.map { victim in
                if placements[victim].node != placements[thief].node { return .otherNode }
                if let group = cacheGroups[thief], cacheGroups[victim] == group { return .sameCache }
                return .sameNode
            }
        }
    }

    /// The injector for a submission made on `cpu` (its node's, else the first).
    func injector(forCPU cpu: Int) -> Int {
        guard let node = topology.node(ofCPU: cpu), let index = injectorNodes.firstIndex(of: node) else {
            return 0
        }
        return index
    }
}
