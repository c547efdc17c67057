import Foundation
import Tasklets
import TaskletsBenchKernels

/// Runs a plan: warm-up rounds, then repetitions, interleaving the cells of
/// one kernel round by round (so slow drifts of the machine hit every
/// backend alike), and checks every checksum.
struct PlanExecutor {
    let plan: BenchPlan
    let showProgress: Bool
    /// Where to write each pool cell's counters per kernel, one JSON line
    /// each (`run --statistics`: standard error or `--statistics-output`;
    /// see `PoolStatisticsLine`), or nil.
    var statistics: FileHandle? = nil

    struct Outcome {
        var records: [RunRecord]
        /// Lines for the reader: pinning done, counts that could not be had.
        var notes: [String]
    }

    func execute() -> Outcome {
        let available = (try? TaskletPool.affinityCPUs()) ?? []
        let pinnedHere = Pinning.pinnedCPUs != nil
        // Only cells with something to run: `--backend all` (and the suite)
        // name backends that run none of the chosen kernels.
        let cells = plan.cells.filter { cell in plan.kernels.contains(where: cell.backend.supports) }
        let local = cells.filter { pinnedHere || BenchPlan.pinning(for: $0, available: available) == nil }
        let remote = cells.filter { !local.contains($0) }
        let rounds = plan.warmup + plan.repetitions
        let localSteps = plan.kernels.reduce(0) { sum, kernel in
            sum + local.filter { $0.backend.supports(kernel) }.count * rounds
        }
        var progress = Progress(total: localSteps + remote.count, enabled: showProgress)
        var records: [RunRecord] = []
        var notes = self.notes(cells: cells, available: available)

        var contexts: [BenchPlan.Cell: Result<BackendContext, BenchError>] = [:]
        for cell in local {
            contexts[cell] = Result { () throws(BenchError) in try BackendContext(backend: cell.backend, workers: cell.workers) }
        }
        for kernel in plan.kernels {
            let cells = local.filter { $0.backend.supports(kernel) }
            guard !cells.isEmpty else { continue }
            let prepared = PreparedKernel(kernel, plan.parameters)
            var failed: Set<BenchPlan.Cell> = []
            var before: [BenchPlan.Cell: TaskletPool.WorkerStatistics] = [:]
            if statistics != nil {
                for cell in cells { before[cell] = try? contexts[cell]?.get().poolStatistics }
            }
            for round in 0..<rounds {
                for cell in cells where !failed.contains(cell) {
                    let phase = round < plan.warmup ? "warm-up" : "rep \(round - plan.warmup + 1)/\(plan.repetitions)"
                    progress.step("\(kernel.rawValue) \(cell.backend.rawValue) x\(cell.workers) \(phase)")
                    do throws(BenchError) {
                        guard let context = contexts[cell] else { continue }
                        let measurement = try KernelRunner.measure(prepared, on: context.get())
                        if round >= plan.warmup {
                            records.append(record(prepared, cell, round - plan.warmup + 1, measurement))
                        }
                    } catch {
                        failed.insert(cell)
                        records.append(failure(prepared, cell, error))
                    }
                }
            }
            for cell in cells {
                guard let statistics, let start = before[cell], let context = try? contexts[cell]?.get(),
                    let pool = context.taskletPool, let end = context.poolStatistics
                else { continue }
                PoolStatisticsLine.emit(PoolStatisticsLine.render(
                    kernel: kernel, workers: cell.workers, rounds: rounds, before: start, after: end, pool: pool), to: statistics)
            }
        }
        for case .success(let context) in contexts.values { context.shutdown() }

        for cell in remote {
            let cpus = BenchPlan.pinning(for: cell, available: available) ?? []
            progress.step("\(cell.backend.rawValue) x\(cell.workers) in a child pinned to CPUs \(cpus.map(String.init).joined(separator: ","))")
            var childPlan = plan
            childPlan.kernels = plan.kernels.filter { cell.backend.supports($0) }
            do throws(BenchError) {
                records += try ChildRunner.run(childPlan, cell: cell, cpus: cpus)
            } catch {
                for kernel in childPlan.kernels {
                    records.append(failure(PreparedKernel(kernel, plan.parameters, preparingInput: false), cell, error))
                }
            }
        }
        progress.finish()
        if !remote.isEmpty {
            notes.insert(
                "dispatch/taskgroup with fewer workers than the \(available.count) CPUs of the affinity mask ran in a child "
                    + "process pinned with sched_setaffinity to the first CPUs of the mask (marked *).", at: 0)
        }
        return Outcome(records: ChecksumCheck.apply(to: sorted(records)), notes: notes)
    }

    private func notes(cells: [BenchPlan.Cell], available: [Int]) -> [String] {
        let tooMany = cells.filter { $0.backend.sizesFromAffinityMask && $0.workers > available.count }
        guard !tooMany.isEmpty else { return [] }
        let counts = Set(tooMany.map(\.workers)).sorted().map(String.init).joined(separator: ", ")
        return [
            "dispatch/taskgroup cannot use more threads than the \(available.count) CPUs of the affinity mask: "
                + "their runs for \(counts) workers used all \(available.count) CPUs."
        ]
    }

    private func record(_ prepared: PreparedKernel, _ cell: BenchPlan.Cell, _ repetition: Int, _ measurement: TaskletsBenchKernels.Measurement) -> RunRecord {
        RunRecord(
            kernel: prepared.kernel, backend: cell.backend, workers: cell.workers, repetition: repetition,
            params: parameters(prepared), ms: measurement.ms, cpuMs: measurement.cpuMs,
            shortMs: measurement.outcome.shortMs, checksum: measurement.outcome.checksum,
            expected: prepared.expectedChecksum, ok: true, metrics: measurement.outcome.metrics,
            pinnedCPUs: Pinning.pinnedCPUs, error: nil)
    }

    private func failure(_ prepared: PreparedKernel, _ cell: BenchPlan.Cell, _ error: BenchError) -> RunRecord {
        RunRecord(
            kernel: prepared.kernel, backend: cell.backend, workers: cell.workers, repetition: 0,
            params: parameters(prepared), ms: 0, cpuMs: 0, shortMs: nil, checksum: 0,
            expected: prepared.expectedChecksum, ok: false, metrics: [], pinnedCPUs: Pinning.pinnedCPUs,
            error: error.description)
    }

    private func parameters(_ prepared: PreparedKernel) -> [RunRecord.Parameter] {
        prepared.parameters.values(for: prepared.kernel).map { RunRecord.Parameter(name: $0.name, value: $0.value) }
    }

    /// Kernel order, then cell order of the plan, then repetition.
    private func sorted(_ records: [RunRecord]) -> [RunRecord] {
        let cells = plan.cells
        func key(_ record: RunRecord) -> (Int, Int, Int) {
            let kernel = KernelName.allCases.firstIndex(of: record.kernel) ?? 0
            let cell = cells.firstIndex(of: BenchPlan.Cell(backend: record.backend, workers: record.workers)) ?? 0
            return (kernel, cell, record.repetition)
        }
        return records.sorted { key($0) < key($1) }
    }
}
