/// Steal tiers from the topology: near victims first.
///
/// For each worker: tier 1 holds the workers on its last-level cache, tier 2
/// the rest of its node, then one tier per distinct distance to the other
/// nodes, nearest first. Empty tiers are dropped, so on a machine with one
/// node and one cache this is exactly `VictimOrder.uniform`: one tier with
/// every other worker. Inside a tier the scheduler still starts at random,
/// which keeps work stealing's bounds.
///
/// Unpinned workers have no cache group: they share tier 2 with their
/// node's other workers, and count on the node their placement names (round
/// robin over nodes, see `Placement.unpinned`).
extension VictimOrder {
    static func tiers(for placements: [WorkerPlacement], on topology: Topology) -> [VictimOrder] {
        let cacheGroups = placements.map { $0.cpu.flatMap(topology.cacheGroupIndex(ofCPU:)) }
        return placements.indices.map { worker in
            let node = placements[worker].node
            var sameCache: [Int] = []
            var sameNode: [Int] = []
            var remote: [Int: [Int]] = [:]
            for other in placements.indices where other != worker {
                let otherNode = placements[other].node
                if otherNode == node {
                    if let group = cacheGroups[worker], cacheGroups[other] == group {
                        sameCache.append(other)
                    } else {
                        sameNode.append(other)
                    }
                } else {
                    remote[topology.distance(from: node, to: otherNode), default: []].append(other)
                }
            }
            let tiers = [sameCache, sameNode] + remote.keys.sorted().compactMap { remote[$0] }
            let nonEmpty = tiers.filter { !$0.isEmpty }
            return VictimOrder(tiers: nonEmpty.isEmpty ? [[]] : nonEmpty)
        }
    }
}

extension VictimOrder: Equatable {
    static func == (a: VictimOrder, b: VictimOrder) -> Bool { a.tiers == b.tiers }
}
