import TaskletsBenchKernels

/// One timed run: a (kernel, backend, workers, repetition) of the JSON
/// output. Codable so that a pinned child process can hand its records to
/// the parent.
struct RunRecord: Codable, Sendable {
    var kernel: KernelName
    var backend: BackendName
    var workers: Int
    var repetition: Int
    /// The kernel's parameters, by environment variable name, in spec order.
    var params: [Parameter]
    var ms: Double
    var cpuMs: Double
    var shortMs: Double?
    var checksum: UInt64
    var expected: UInt64?
    var ok: Bool
    var metrics: [Metric]
    /// The CPUs the process was pinned to for this run, if it was.
    var pinnedCPUs: [Int]?
    /// Why the run failed, if the backend failed rather than miscounted.
    var error: String?

    struct Parameter: Codable, Sendable, Hashable {
        var name: String
        var value: String
    }
}
