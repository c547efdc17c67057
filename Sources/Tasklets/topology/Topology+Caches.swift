/// Last-level-cache groups.
///
/// For each CPU, the `cache/indexK` entry with the highest `level` (data or
/// unified, never instruction) gives the `shared_cpu_list`. CPUs without
/// cache information are grouped per node, with a warning. A cache shared
/// across nodes is split at node boundaries, so groups nest inside nodes.
extension TopologyDiscovery {
    mutating func readCaches() -> [(level: Int?, cpus: [Int])] {
        var levels: [Int: Int] = [:]
        var lists: [Int: [Int]] = [:]
        var assumed: [Int] = []
        var incomplete: [Int] = []
        for cpu in cpus {
            var best: (level: Int, list: [Int])? = nil
            let directory = "\(Self.cpuDirectory)/cpu\(cpu)/cache"
            for index in reader.numberedEntries(directory, prefix: "index") {
                let entry = "\(directory)/index\(index)"
                // An incomplete entry could hide the last level: say so.
                guard let level = reader.integer("\(entry)/level", in: 1...16),
                    let type = reader.text("\(entry)/type")?.trimmingWhitespace
                else {
                    incomplete.append(cpu)
                    continue
                }
                if type == "Instruction" { continue }
                guard best.map({ level > $0.level }) ?? true else { continue }
                guard let list = reader.cpuList("\(entry)/shared_cpu_list") else {
                    incomplete.append(cpu)
                    continue
                }
                best = (level, list)
            }
            if let best {
                levels[cpu] = best.level
                lists[cpu] = best.list
            } else {
                assumed.append(cpu)
            }
        }
        warn(cpus: Array(Set(incomplete)).sorted(), "a cache/indexK entry lacks a usable level, type or shared_cpu_list: ignored that entry")
        warn(cpus: assumed, "no usable cache information: assumed one last-level cache per node")
        // CPUs without information share one group per node, never one
        // with CPUs that have it.
        let groups = partition { cpu in
            lists[cpu].map { $0.filter { lists[$0] != nil } } ?? assumed
        }
        return groups.map { group in (group.first.flatMap { levels[$0] }, group) }
    }
}
