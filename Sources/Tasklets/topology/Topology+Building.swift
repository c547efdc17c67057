/// Assembling the `Topology` value from the discovery's pieces.
extension TopologyDiscovery {
    mutating func build(
        source: Topology.Source, distances: [Int: [Int: Int]], memoryOnlyNodes: [Int],
        packageOf: (Int) -> Int, cores: [[Int]], caches: [(level: Int?, cpus: [Int])], quota: CPUQuota?
    ) -> Topology {
        var byNode: [Int: [Int]] = [:]
        for cpu in cpus { byNode[nodeOfCPU[cpu] ?? 0, default: []].append(cpu) }
        let nodes = byNode.keys.sorted().map { Topology.Node(id: $0, cpus: byNode[$0] ?? []) }
        let nodeIndex = Dictionary(uniqueKeysWithValues: nodes.enumerated().map { ($1.id, $0) })

        var byPackage: [Int: [Int]] = [:]
        for cpu in cpus { byPackage[packageOf(cpu), default: []].append(cpu) }
        let packages = byPackage.keys.sorted().map { Topology.Package(id: $0, cpus: byPackage[$0] ?? []) }

        let cacheGroups = caches.compactMap { cache -> Topology.CacheGroup? in
            guard let first = cache.cpus.first else { return nil }
            return Topology.CacheGroup(level: cache.level, node: nodeOfCPU[first] ?? 0, cpus: cache.cpus)
        }.sorted { ($0.node, $0.cpus[0]) < ($1.node, $1.cpus[0]) }

        var location: [Int: Topology.CPULocation] = [:]
        for cpu in cpus {
            location[cpu] = Topology.CPULocation(node: nodeIndex[nodeOfCPU[cpu] ?? 0] ?? 0, core: 0, cacheGroup: 0)
        }
        for (index, core) in cores.enumerated() { for cpu in core { location[cpu]?.core = index } }
        for (index, group) in cacheGroups.enumerated() { for cpu in group.cpus { location[cpu]?.cacheGroup = index } }

        var warnings = reader.warnings
        if warnings.count > Self.maximumWarnings {
            let dropped = warnings.count - Self.maximumWarnings
            warnings = Array(warnings.prefix(Self.maximumWarnings)) + ["... and \(dropped) more warnings"]
        }
        return Topology(
            source: source, warnings: warnings, affinity: affinity, cpus: cpus, nodes: nodes,
            memoryOnlyNodes: memoryOnlyNodes, packages: packages, cores: cores,
            cacheGroups: cacheGroups, cpuQuota: quota, distances: distances, cpuIndex: location)
    }
}
