import ArgumentParser
import Foundation
import Tasklets

/// `tasklets-bench topology`: what the pool sees of the machine. (The NUMA
/// work extends this command; it lives in its own file for that reason.)
struct TopologyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topology", abstract: "Print what the pool sees: affinity CPUs and default worker count.")

    func run() throws {
        let cpus: [Int]
        do {
            cpus = try TaskletPool.affinityCPUs()
        } catch {
            throw CommandFailure("\(error)")
        }
        let online = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        print("online CPUs:           \(online)")
        print("affinity CPUs:         \(ranges(cpus)) (\(cpus.count))")
        if let override = ProcessInfo.processInfo.environment[TaskletPool.workersVariable] {
            print("\(TaskletPool.workersVariable):      \(override)")
        }
        do {
            let pool = try TaskletPool()
            print("default worker count:  \(pool.workerCount)")
            pool.shutdown()
        } catch {
            print("default worker count:  unavailable (\(error))")
        }
        let nodes = (try? String(contentsOfFile: "/sys/devices/system/node/online", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        print("NUMA nodes online:     \(nodes ?? "unknown (no /sys/devices/system/node)")")
    }

    /// "0-3,6" for [0, 1, 2, 3, 6].
    private func ranges(_ cpus: [Int]) -> String {
        var parts: [String] = []
        var index = 0
        while index < cpus.count {
            var end = index
            while end + 1 < cpus.count && cpus[end + 1] == cpus[end] + 1 { end += 1 }
            parts.append(end == index ? "\(cpus[index])" : "\(cpus[index])-\(cpus[end])")
            index = end + 1
        }
        return parts.joined(separator: ",")
    }
}
