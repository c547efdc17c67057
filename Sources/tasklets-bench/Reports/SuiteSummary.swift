import Foundation
import TaskletsBenchKernels

/// The few lines that end the default suite, for someone who has never
/// read the table: how much faster the pool gets with more workers, how
/// it compares with Dispatch and TaskGroup on the same work, and what an
/// idle pool costs and how fast it wakes.
enum SuiteSummary {
    /// The parameters of the suite's two compute parts.
    struct Sizes {
        var scaling: KernelParameters
        var alternatives: KernelParameters
    }

    /// The 1-minute load average (`/proc/loadavg`), or nil.
    static func loadAverage() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return nil }
        return text.split(separator: " ").first.flatMap { Double($0) }
    }

    /// `loadAtStart`: the load average before the suite started; when other
    /// programs kept half the CPUs busy, speedups are understated, and the
    /// summary says so.
    static func render(_ summary: Summary, workers: Int, sizes: Sizes, loadAtStart: Double? = nil) -> String {
        let kernels = SuiteCommand.computeKernels
        let parameters = sizes.scaling
        var lines = ["In short (medians; \(workers) worker\(workers == 1 ? "" : "s") = every CPU here):"]
        if workers > 1 {
            let scaling = kernels.compactMap { kernel in
                ratio(time(summary, kernel, parameters, .pool, 1), time(summary, kernel, parameters, .pool, workers))
                    .map { "\(label(kernel, parameters)) \(times($0))" }
            }
            lines.append("  Speedup of the pool from 1 to \(workers) workers (\(workers).00x is perfect): " + scaling.joined(separator: ", "))
        } else {
            lines.append("  One CPU only: no speedup to measure (run it on a machine with more CPUs).")
        }
        let overSequential = kernels.compactMap { kernel in
            ratio(time(summary, kernel, parameters, .sequential, 1), time(summary, kernel, parameters, .pool, workers))
                .map { "\(kernel.rawValue) \(times($0))" }
        }
        lines.append("  The pool on \(workers) against plain sequential code (above 1: faster): " + overSequential.joined(separator: ", "))
        lines.append("  The same work on \(workers) workers: pool, Dispatch, TaskGroup (in brackets: times slower than the pool):")
        for kernel in kernels {
            guard let pool = time(summary, kernel, sizes.alternatives, .pool, workers) else { continue }
            var cells = ["pool " + duration(pool)]
            for (backend, name) in [(BackendName.dispatch, "Dispatch"), (.taskgroup, "TaskGroup")] {
                guard let other = time(summary, kernel, sizes.alternatives, backend, workers) else { continue }
                cells.append("\(name) \(duration(other)) (\(times(other / pool)))")
            }
            lines.append("    " + label(kernel, sizes.alternatives).padding(16) + cells.joined(separator: ", "))
        }
        if let idle = metric(summary, .idleBurn, workers, "idle1s_cpu_per_wall") {
            var line = "  Idle CPU: an idle pool of \(workers) workers used \(percent(idle)) of one CPU over a second"
            if let sparse = metric(summary, .idleBurn, workers, "spacing10ms_cpu_per_wall") {
                line += "; with a tiny fork-join every 10 ms, \(percent(sparse))"
            }
            lines.append(line + ".")
        }
        if let p50 = metric(summary, .wakeLatency, workers, "idle10ms_p50_us") {
            let p99 = metric(summary, .wakeLatency, workers, "idle10ms_p99_us").map { String(format: "; p99 %.0f µs", $0) } ?? ""
            lines.append(String(format: "  Wake-up: a tasklet submitted to a pool idle for 10 ms started after %.0f µs (median%@).", p50, p99))
        }
        lines.append("  (map: the map alone, map_ms, without its checksum pass.)")
        if let loadAtStart, loadAtStart >= Double(workers) / 2 {
            lines.append(String(
                format: "  Note: the machine was busy before the suite started (load average %.1f on %d CPUs): other programs "
                    + "took CPU time from it, so the speedups above are understated.", loadAtStart, workers))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The median time of a row of `kernel` run with `parameters`: for map
    /// the map alone (`map_ms`), which is what its speedups are about; else
    /// the whole kernel.
    static func time(
        _ summary: Summary, _ kernel: KernelName, _ parameters: KernelParameters, _ backend: BackendName, _ workers: Int
    ) -> Double? {
        let count = backend == .sequential ? 1 : workers
        let params = parameters.values(for: kernel).map { RunRecord.Parameter(name: $0.name, value: $0.value) }
        guard let row = summary.rows.first(where: {
            $0.kernel == kernel && $0.params == params && $0.backend == backend && $0.workers == count
                && $0.repetitions > 0 && $0.ok
        }) else { return nil }
        if kernel == .map, let map = row.metrics.first(where: { $0.name == "map_ms" }) { return map.value }
        return row.medianMs
    }

    static func metric(_ summary: Summary, _ kernel: KernelName, _ workers: Int, _ name: String) -> Double? {
        summary.rows.first { $0.kernel == kernel && $0.backend == .pool && $0.workers == workers && $0.ok }?
            .metrics.first { $0.name == name }?.value
    }

    static func label(_ kernel: KernelName, _ parameters: KernelParameters) -> String {
        switch kernel {
        case .fib: return "fib \(parameters.fibN)"
        case .nqueens: return "nqueens \(parameters.nqN)"
        case .uts: return "uts seed \(parameters.utsSeed)"
        case .map: return parameters.mapN == 10_000_000 ? "map 10^7" : "map \(parameters.mapN)"
        default: return kernel.rawValue
        }
    }

    private static func ratio(_ numerator: Double?, _ denominator: Double?) -> Double? {
        guard let numerator, let denominator, denominator > 0 else { return nil }
        return numerator / denominator
    }

    static func times(_ value: Double) -> String { String(format: value >= 100 ? "%.0fx" : value >= 10 ? "%.1fx" : "%.2fx", value) }

    static func duration(_ ms: Double) -> String {
        ms >= 1000 ? String(format: "%.2f s", ms / 1000) : ms >= 10 ? String(format: "%.0f ms", ms) : String(format: "%.2f ms", ms)
    }

    static func percent(_ fraction: Double) -> String {
        let value = fraction * 100
        return String(format: value >= 1 ? "%.1f%%" : value >= 0.01 ? "%.2f%%" : "%.3f%%", value)
    }
}
