/// Which node each CPU belongs to, and the node distance matrix.
///
/// A CPU's node comes from its `cpuN/nodeM` link first: under `numa=fake`
/// the nodes' `cpulist`s can overlap, the link never does. Without a link
/// the node `cpulist`s decide (lowest node when several claim a CPU), and
/// without any NUMA directory every CPU is on node 0. Node numbers may be
/// sparse (0, 2, 5): nothing here assumes they are contiguous.
extension TopologyDiscovery {
    struct NodeSet {
        /// Online node numbers, ascending: the column order of `distance`.
        var online: [Int]
        var memoryOnly: [Int]
    }

    mutating func readNodes() -> NodeSet {
        let directory = Self.nodeDirectory
        var online = reader.cpuList("\(directory)/online") ?? []
        if online.isEmpty {
            online = reader.numberedEntries(directory, prefix: "node")
            if !online.isEmpty {
                reader.warn("no usable \(reader.path(directory))/online: assumed the nodeN directories (\(CPUList.format(online)))")
            }
        }
        if online.isEmpty {
            reader.warn("no NUMA nodes under \(reader.path(directory)): assumed one node 0 holding every CPU")
            for cpu in cpus { nodeOfCPU[cpu] = 0 }
            return NodeSet(online: [0], memoryOnly: [])
        }
        var listed: [Int: Set<Int>] = [:]
        for node in online {
            listed[node] = Set(reader.cpuList("\(directory)/node\(node)/cpulist") ?? [])
        }
        var fromLists: [Int] = []
        var overlapping: [Int] = []
        var orphans: [Int] = []
        var manyLinks: [Int] = []
        for cpu in cpus {
            let links = reader.numberedEntries("\(Self.cpuDirectory)/cpu\(cpu)", prefix: "node")
            if let first = links.first {
                if links.count > 1 { manyLinks.append(cpu) }
                nodeOfCPU[cpu] = first
                continue
            }
            let claims = online.filter { listed[$0]?.contains(cpu) == true }
            if let first = claims.first {
                nodeOfCPU[cpu] = first
                if claims.count > 1 { overlapping.append(cpu) } else { fromLists.append(cpu) }
            } else {
                nodeOfCPU[cpu] = online[0]
                orphans.append(cpu)
            }
        }
        warn(cpus: manyLinks, "several cpuN/nodeM links: assumed the lowest node")
        warn(cpus: fromLists, "no cpuN/nodeM link: node taken from the nodes' cpulist")
        warn(cpus: overlapping, "no cpuN/nodeM link and several nodes list them (numa=fake?): assumed the lowest such node")
        warn(cpus: orphans, "on no node: assumed node \(online[0])")
        let withCPUs: Set<Int>
        if let hasCPU = reader.cpuList("\(directory)/has_cpu") {
            withCPUs = Set(hasCPU)
        } else {
            withCPUs = Set(online.filter { listed[$0]?.isEmpty == false }).union(nodeOfCPU.values)
            reader.warn("no usable \(reader.path(directory))/has_cpu: assumed the nodes with CPUs in their cpulist")
        }
        let memoryOnly = online.filter { !withCPUs.contains($0) && !nodeOfCPU.values.contains($0) }
        return NodeSet(online: online, memoryOnly: memoryOnly)
    }

    /// Each online node's `distance` file: one value per online node, in
    /// ascending node order. Missing or malformed: 10 local, 20 remote.
    mutating func readDistances(nodeIDs: [Int]) -> [Int: [Int: Int]] {
        guard nodeIDs.count > 1 || reader.isDirectory(Self.nodeDirectory) else { return [:] }
        var table: [Int: [Int: Int]] = [:]
        var assumed: [Int] = []
        for node in nodeIDs {
            let relative = "\(Self.nodeDirectory)/node\(node)/distance"
            guard let values = reader.integers(relative, in: 1...255) else {
                assumed.append(node)
                continue
            }
            guard values.count == nodeIDs.count else {
                reader.warn("ignored \(reader.path(relative)): \(values.count) values for \(nodeIDs.count) online nodes")
                assumed.append(node)
                continue
            }
            table[node] = Dictionary(uniqueKeysWithValues: zip(nodeIDs, values))
        }
        if !assumed.isEmpty {
            reader.warn("nodes \(CPUList.format(assumed)): no usable distance: assumed 10 local, 20 remote")
        }
        return table
    }
}
