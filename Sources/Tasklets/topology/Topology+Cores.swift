/// Packages, and cores with their SMT siblings.
///
/// A core is read from `topology/core_cpus_list` (newer kernels) or
/// `thread_siblings_list`; a package from `topology/physical_package_id`.
/// Lists are intersected with the usable CPUs and split at node boundaries,
/// and CPUs are assigned in ascending order so that contradictory lists still
/// give a partition. Missing: one core per CPU, one package per node.
extension TopologyDiscovery {
    /// A function from CPU to package id.
    mutating func readPackages() -> (Int) -> Int {
        var packages: [Int: Int] = [:]
        var assumed: [Int] = []
        for cpu in cpus {
            if let id = reader.integer(cpuPath(cpu, "topology/physical_package_id"), in: -1...(1 << 20)) {
                packages[cpu] = id
            } else {
                assumed.append(cpu)
            }
        }
        warn(cpus: assumed, "no usable physical_package_id: assumed one package per node")
        let nodes = nodeOfCPU
        return { cpu in packages[cpu] ?? nodes[cpu] ?? 0 }
    }

    /// SMT sibling groups.
    mutating func readCores() -> [[Int]] {
        var assumed: [Int] = []
        var lists: [Int: [Int]] = [:]
        for cpu in cpus {
            if let list = reader.cpuList(cpuPath(cpu, "topology/core_cpus_list"))
                ?? reader.cpuList(cpuPath(cpu, "topology/thread_siblings_list"))
            {
                lists[cpu] = list
            } else {
                assumed.append(cpu)
            }
        }
        let groups = partition { lists[$0] ?? [$0] }
        warn(cpus: assumed, "no usable core_cpus_list or thread_siblings_list: assumed no SMT siblings")
        return groups
    }

    /// Splits the usable CPUs into groups: each CPU, in ascending order, takes
    /// the not yet grouped CPUs of `group(cpu)` on its own node.
    func partition(_ group: (Int) -> [Int]) -> [[Int]] {
        var assigned = Set<Int>()
        var groups: [[Int]] = []
        let usable = Set(cpus)
        for cpu in cpus where !assigned.contains(cpu) {
            let node = nodeOfCPU[cpu]
            var members = Set(group(cpu).filter { usable.contains($0) && !assigned.contains($0) && nodeOfCPU[$0] == node })
            members.insert(cpu)
            assigned.formUnion(members)
            groups.append(members.sorted())
        }
        return groups
    }
}
