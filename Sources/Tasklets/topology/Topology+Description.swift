/// A `numactl --hardware`-like summary, for logs and `tasklets-bench`.
extension Topology: CustomStringConvertible {
    /// Several lines, like `numactl --hardware`: the source, the usable CPUs
    /// and the affinity mask, each node's CPUs, the node distances, packages,
    /// cores, last-level caches, a CPU quota, the default worker count and
    /// the warnings.
    public var description: String {
        var lines = ["source: \(source)"]
        lines.append("cpus: \(CPUList.format(cpus))" + (affinity.map { " (affinity mask \(CPUList.format($0)))" } ?? ""))
        for node in nodes { lines.append("node \(node.id) cpus: \(CPUList.format(node.cpus))") }
        if !memoryOnlyNodes.isEmpty { lines.append("memory-only nodes: \(CPUList.format(memoryOnlyNodes))") }
        let ids = (nodes.map(\.id) + memoryOnlyNodes).sorted()
        if ids.count > 1 {
            lines.append("distances: " + ids.map { from in "\(from): " + ids.map { "\(distance(from: from, to: $0))" }.joined(separator: " ") }.joined(separator: ", "))
        }
        lines.append("packages: " + packages.map { "\($0.id): \(CPUList.format($0.cpus))" }.joined(separator: ", "))
        lines.append("cores: \(cores.count), SMT siblings: \(cores.contains { $0.count > 1 } ? "yes" : "no")")
        lines.append("last-level caches: " + cacheGroups.map { "L\($0.level.map(String.init) ?? "?") \(CPUList.format($0.cpus))" }.joined(separator: ", "))
        if let cpuQuota { lines.append("cpu quota: \(cpuQuota.cpus) CPUs (\(cpuQuota.file))") }
        lines.append("default workers: \(defaultWorkerCount)")
        lines += warnings.map { "warning: \($0)" }
        return lines.joined(separator: "\n")
    }
}
