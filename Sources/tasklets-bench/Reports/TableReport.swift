import Foundation
import TaskletsBenchKernels

/// The human-readable table: one row per (kernel, backend, workers) with
/// medians and ratios, then the scheduler kernels' figures, then notes.
enum TableReport {
    static func render(_ summary: Summary, notes: [String], title: String) -> String {
        let showShort = summary.rows.contains { $0.medianShortMs != nil }
        var header = ["kernel", "backend", "workers", "reps", "median ms"]
        if showShort { header.append("short ms") }
        header += ["cpu ms", "T1/Ts", "T1/Tn", "vs pool", "checksum"]
        var lines: [[String]] = [header]
        let named = summary.mixesParameters
        for row in summary.rows {
            var line = [
                named ? label(row) : row.kernel.rawValue, row.backend.rawValue, "\(row.workers)\(row.pinned ? "*" : "")",
                "\(row.repetitions)", fixed(row.medianMs),
            ]
            if showShort { line.append(row.medianShortMs.map(fixed) ?? "") }
            line += [
                fixed(row.medianCPUMs), row.t1OverTs.map(ratio) ?? "-", row.t1OverTn.map(ratio) ?? "-",
                row.overPool.map { ratio($0) + "x" } ?? "-", row.ok ? "ok" : "FAILED",
            ]
            lines.append(line)
        }
        var text = title + "\n" + align(lines)
        let metricRows = summary.rows.filter {
            !$0.metrics.isEmpty && ($0.backend != .sequential || $0.kernel == .uts || $0.kernel == .map)
        }
        if !metricRows.isEmpty {
            text += "\nMedians of the reported figures:\n"
            for row in metricRows {
                let figures = row.metrics.map { "\($0.name)=\(figure($0.value))" }.joined(separator: " ")
                text += "  \(named ? label(row) : row.kernel.rawValue) \(row.backend.rawValue) x\(row.workers): \(figures)\n"
            }
        }
        text += """

            T1/Ts: the backend on 1 worker over sequential. T1/Tn: the backend on 1 worker over n workers.
            vs pool: the backend's median over the pool's at the same worker count (above 1: the pool is faster).

            """
        for note in notes { text += "Note: \(note)\n" }
        let failures = summary.rows.filter { !$0.ok }
        for row in failures {
            text += "FAILED \(label(row)) on \(row.backend.rawValue) x\(row.workers): "
                + "\(row.failures.first ?? "wrong checksum")\n"
        }
        if failures.isEmpty { text += "Every checksum matched.\n" }
        return text
    }

    /// The kernel with its size, where the table holds a kernel at two
    /// sizes: "fib 32", "nqueens 12", "uts seed 8", "map 10000000",
    /// "stolen-joins 100" (its halves' rounds).
    static func label(_ row: Summary.Row) -> String {
        let size: [KernelName: String] = [
            .fib: "FIB_N", .nqueens: "NQ_N", .uts: "UTS_SEED", .map: "MAP_N", .sum: "SUM_N", .stolenJoins: "STOLEN_SPIN",
        ]
        guard let name = size[row.kernel], let value = row.params.first(where: { $0.name == name })?.value else {
            return row.kernel.rawValue
        }
        return row.kernel == .uts ? "uts seed \(value)" : "\(row.kernel.rawValue) \(value)"
    }

    /// Left-aligns the first two columns and right-aligns the rest.
    private static func align(_ lines: [[String]]) -> String {
        let columns = lines.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for line in lines { for (index, cell) in line.enumerated() { widths[index] = max(widths[index], cell.count) } }
        return lines.map { line in
            line.enumerated().map { index, cell in
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                return index < 2 ? cell + padding : padding + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    static func fixed(_ value: Double) -> String {
        String(format: value >= 100 ? "%.1f" : value >= 1 ? "%.2f" : "%.3f", value)
    }

    static func ratio(_ value: Double) -> String { String(format: value >= 100 ? "%.0f" : "%.2f", value) }

    static func figure(_ value: Double) -> String { String(format: "%.4g", value) }
}
