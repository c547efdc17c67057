import TaskletsBenchKernels

/// The medians of a run's records, one row per (kernel, parameters,
/// backend, workers), with the ratios of the default table. Ratios only
/// compare rows of the same kernel with the same parameters (the suite runs
/// fib at two sizes).
struct Summary {
    struct Row {
        var kernel: KernelName
        /// The kernel's parameters, as in the records.
        var params: [RunRecord.Parameter]
        var backend: BackendName
        var workers: Int
        var repetitions: Int
        var medianMs: Double
        var medianCPUMs: Double
        var medianShortMs: Double?
        /// Median of each metric, in the order the kernel reports them.
        var metrics: [Metric]
        var pinned: Bool
        var ok: Bool
        var failures: [String]
        /// This backend's 1-worker median over the sequential median.
        var t1OverTs: Double?
        /// This backend's 1-worker median over this row's median.
        var t1OverTn: Double?
        /// This row's median over the pool's median at the same worker
        /// count: how many times faster the pool was.
        var overPool: Double?
    }

    var rows: [Row] = []

    init(_ records: [RunRecord]) {
        var order: [String] = []
        var groups: [String: [RunRecord]] = [:]
        for record in records {
            let key = "\(record.kernel.rawValue)|\(Summary.text(record.params))|\(record.backend.rawValue)|\(record.workers)"
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(record)
        }
        for key in order {
            guard let group = groups[key], let first = group.first else { continue }
            let good = group.filter { $0.error == nil }
            var metrics: [Metric] = []
            for metric in good.first?.metrics ?? [] {
                let values = good.compactMap { $0.metrics.first { $0.name == metric.name }?.value }
                metrics.append(Metric(metric.name, Summary.median(values)))
            }
            let shorts = good.compactMap(\.shortMs)
            rows.append(Row(
                kernel: first.kernel, params: first.params, backend: first.backend, workers: first.workers,
                repetitions: good.count,
                medianMs: Summary.median(good.map(\.ms)), medianCPUMs: Summary.median(good.map(\.cpuMs)),
                medianShortMs: shorts.isEmpty ? nil : Summary.median(shorts),
                metrics: metrics, pinned: first.pinnedCPUs != nil,
                ok: group.allSatisfy(\.ok),
                failures: group.compactMap { record in
                    if let error = record.error { return error }
                    guard !record.ok else { return nil }
                    return "checksum \(record.checksum), expected \(record.expected.map(String.init) ?? "the sequential one")"
                }))
        }
        for index in rows.indices {
            let row = rows[index]
            let sequential = median(row.kernel, row.params, .sequential, 1)
            let oneWorker = median(row.kernel, row.params, row.backend, 1)
            let pool = median(row.kernel, row.params, .pool, row.workers)
            // The scheduler kernels' wall time is mostly sleeping: no ratios.
            if row.backend != .sequential && KernelName.sequentialBaselineKernels.contains(row.kernel) {
                rows[index].t1OverTs = ratio(oneWorker, sequential)
                rows[index].t1OverTn = row.workers == 1 ? nil : ratio(oneWorker, row.medianMs)
                rows[index].overPool = row.backend == .pool ? nil : ratio(row.medianMs, pool)
            }
        }
    }

    var allOK: Bool { rows.allSatisfy(\.ok) }

    private func median(_ kernel: KernelName, _ params: [RunRecord.Parameter], _ backend: BackendName, _ workers: Int) -> Double? {
        rows.first {
            $0.kernel == kernel && $0.params == params && $0.backend == backend && $0.workers == workers && $0.repetitions > 0
        }?.medianMs
    }

    /// Whether some kernel appears with more than one set of parameters
    /// (then the table names them).
    var mixesParameters: Bool {
        var seen: [KernelName: [RunRecord.Parameter]] = [:]
        for row in rows {
            if let params = seen[row.kernel], params != row.params { return true }
            seen[row.kernel] = row.params
        }
        return false
    }

    /// "FIB_N=27", "UTS_SEED=8 UTS_B0=2000 ...".
    static func text(_ params: [RunRecord.Parameter]) -> String {
        params.map { "\($0.name)=\($0.value)" }.joined(separator: " ")
    }

    private func ratio(_ numerator: Double?, _ denominator: Double?) -> Double? {
        guard let numerator, let denominator, denominator > 0 else { return nil }
        return numerator / denominator
    }

    /// The median (the mean of the middle two for an even count), 0 if empty.
    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
