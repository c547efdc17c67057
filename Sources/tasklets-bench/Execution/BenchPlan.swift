import TaskletsBenchKernels

/// What to run: kernels × backends × worker counts, how often, with what.
struct BenchPlan: Sendable {
    var kernels: [KernelName]
    var backends: [BackendName]
    var workers: [Int]
    var repetitions: Int
    var warmup: Int
    var parameters: KernelParameters

    /// One backend at one worker count. The sequential backend has a single
    /// cell with one worker, whatever `workers` says.
    struct Cell: Hashable, Sendable {
        var backend: BackendName
        var workers: Int
    }

    var cells: [Cell] {
        var cells: [Cell] = []
        for backend in backends {
            for count in backend == .sequential ? [1] : workers {
                let cell = Cell(backend: backend, workers: count)
                if !cells.contains(cell) { cells.append(cell) }
            }
        }
        return cells
    }

    /// The first `workers` CPUs of `available` when a Dispatch or TaskGroup
    /// cell needs fewer threads than the mask allows, else nil (run here).
    static func pinning(for cell: Cell, available: [Int]) -> [Int]? {
        guard cell.backend.sizesFromAffinityMask, cell.workers < available.count else { return nil }
        return Array(available.prefix(cell.workers))
    }
}
