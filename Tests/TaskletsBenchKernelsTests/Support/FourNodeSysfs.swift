import Foundation

/// A copy of another machine's sysfs in a temporary directory: 4 NUMA nodes
/// (one package each), 2 cores per node with 2 hardware threads each, 16
/// CPUs, numbered as Linux does with SMT (node n holds CPUs 2n, 2n+1 and
/// their siblings 2n+8, 2n+9), an L3 per node. Removed when released.
final class FourNodeSysfs: @unchecked Sendable {
    let root: String

    static let distances = ["10 16 16 22", "16 10 22 16", "16 22 10 16", "22 16 16 10"]

    /// The CPUs of node `n`.
    static func cpus(ofNode node: Int) -> [Int] { [2 * node, 2 * node + 1, 2 * node + 8, 2 * node + 9] }

    init() throws {
        let scratch = FileManager.default.isWritableFile(atPath: "/dev/shm") ? "/dev/shm/" : NSTemporaryDirectory()
        root = scratch + "tasklets-bench-sysfs-" + UUID().uuidString
        let cpu = "devices/system/cpu"
        let node = "devices/system/node"
        try write("\(cpu)/online", "0-15")
        try write("\(cpu)/possible", "0-15")
        try write("\(node)/online", "0-3")
        try write("\(node)/possible", "0-3")
        try write("\(node)/has_cpu", "0-3")
        for id in 0..<4 {
            let cpus = FourNodeSysfs.cpus(ofNode: id)
            try write("\(node)/node\(id)/cpulist", "\(2 * id)-\(2 * id + 1),\(2 * id + 8)-\(2 * id + 9)")
            try write("\(node)/node\(id)/distance", FourNodeSysfs.distances[id])
            for number in cpus {
                let directory = "\(cpu)/cpu\(number)"
                try FileManager.default.createDirectory(atPath: "\(root)/\(directory)/node\(id)", withIntermediateDirectories: true)
                let siblings = number < 8 ? "\(number),\(number + 8)" : "\(number - 8),\(number)"
                try write("\(directory)/topology/physical_package_id", "\(id)")
                try write("\(directory)/topology/core_cpus_list", siblings)
                try write("\(directory)/topology/thread_siblings_list", siblings)
                let l3 = "\(2 * id)-\(2 * id + 1),\(2 * id + 8)-\(2 * id + 9)"
                for (index, (level, type, shared)) in [(1, "Data", siblings), (1, "Instruction", siblings), (2, "Unified", siblings), (3, "Unified", l3)].enumerated() {
                    try write("\(directory)/cache/index\(index)/level", "\(level)")
                    try write("\(directory)/cache/index\(index)/type", type)
                    try write("\(directory)/cache/index\(index)/shared_cpu_list", shared)
                }
            }
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    private func write(_ relative: String, _ text: String) throws {
        let path = root + "/" + relative
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try (text + "\n").write(toFile: path, atomically: false, encoding: .utf8)
    }
}
