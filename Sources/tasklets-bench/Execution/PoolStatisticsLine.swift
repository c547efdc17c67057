import Foundation
import Tasklets
import TaskletsBenchKernels

/// `tasklets-bench run --statistics`: for each (kernel, pool worker count),
/// one JSON line on standard error (or in the file of `--statistics-output`) with the pool's counters over that
/// kernel's rounds (warm-up included), where its workers run, and what it
/// reported. `scripts/numa-qemu.sh` reads these lines.
///
/// ```
/// {"record":"pool-statistics","kernel":"uts","workers":8,"rounds":3,"steals":120,
///  "steals_same_cache":40,"steals_same_node":70,"steals_other_node":10,...,
///  "search_steals":100,"search_steals_other_node":4,"search_same_node_share":0.96,...}
/// ```
enum PoolStatisticsLine {
    /// The line for `kernel`, from the pool's totals before and after its rounds.
    static func render(
        kernel: KernelName, workers: Int, rounds: Int,
        before: TaskletPool.WorkerStatistics, after: TaskletPool.WorkerStatistics, pool: TaskletPool
    ) -> String {
        func delta(_ field: KeyPath<TaskletPool.WorkerStatistics, UInt64>) -> JSONValue {
            .unsigned(after[keyPath: field] &- before[keyPath: field])
        }
        // The search's own steals: a waiting join's steals from its thief go
        // wherever the stolen half went, so they say nothing of the search.
        let searchSteals = (after.steals &- before.steals) &- (after.leapfrogSteals &- before.leapfrogSteals)
        let searchOtherNode = (after.stealsOtherNode &- before.stealsOtherNode)
            &- (after.leapfrogStealsOtherNode &- before.leapfrogStealsOtherNode)
        let value = JSONValue.object([
            ("record", .string("pool-statistics")),
            ("kernel", .string(kernel.rawValue)),
            ("workers", .int(workers)),
            ("rounds", .int(rounds)),
            ("steals", delta(\.steals)),
            ("steals_same_cache", delta(\.stealsSameCache)),
            ("steals_same_node", delta(\.stealsSameNode)),
            ("steals_other_node", delta(\.stealsOtherNode)),
            ("batched_jobs", delta(\.batchedJobs)),
            ("leapfrog_steals", delta(\.leapfrogSteals)),
            ("leapfrog_steals_other_node", delta(\.leapfrogStealsOtherNode)),
            ("search_steals", .unsigned(searchSteals)),
            ("search_steals_other_node", .unsigned(searchOtherNode)),
            ("search_same_node_share", searchSteals == 0
                ? .null : .number(Double(searchSteals &- searchOtherNode) / Double(searchSteals))),
            ("tasklets", delta(\.tasklets)),
            ("failed_steals", delta(\.failedSteals)),
            ("leapfrogs", delta(\.leapfrogs)),
            ("parks", delta(\.parks)),
            ("wakes", delta(\.wakes)),
            ("hand_offs", delta(\.handOffs)),
            ("placements", .array(pool.placements.map { placement in
                .object([("cpu", placement.cpu.map(JSONValue.int) ?? .null), ("node", .int(placement.node))])
            })),
            ("pinned_threads", .array(singleCPUThreads().map(JSONValue.int))),
            ("diagnostics", .array(pool.diagnostics.map(JSONValue.string))),
        ])
        return value.renderLine()
    }

    /// Writes the line to `handle` (standard error, or the file of
    /// `--statistics-output`).
    static func emit(_ line: String, to handle: FileHandle) {
        handle.write(Data((line + "\n").utf8))
    }

    /// The CPU of every thread of this process whose affinity mask is that
    /// one CPU (`Cpus_allowed_list` in `/proc/self/task/*/status`), sorted:
    /// what the kernel says about the workers' pinning, independent of the
    /// pool's own account. Empty where `/proc` cannot be read.
    static func singleCPUThreads() -> [Int] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        var cpus: [Int] = []
        for task in tasks {
            guard let status = try? String(contentsOfFile: "/proc/self/task/\(task)/status", encoding: .utf8) else {
                continue
            }
            for line in status.split(separator: "\n") where line.hasPrefix("Cpus_allowed_list:") {
                let list = line.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces)
                if let cpu = Int(list) { cpus.append(cpu) }
            }
        }
        return cpus.sorted()
    }
}
