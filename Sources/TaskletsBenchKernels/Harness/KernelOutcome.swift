/// What one run of a kernel produced, besides its timing.
public struct KernelOutcome: Sendable {
    /// The kernel's checksum (for the scheduler kernels: tasklets that ran).
    public var checksum: UInt64
    /// skew only: milliseconds from the kernel's start until the last short
    /// task finished.
    public var shortMs: Double?
    /// Further figures by name (`nodes` for sequential uts, latencies, ...).
    public var metrics: [Metric]

    public init(checksum: UInt64, shortMs: Double? = nil, metrics: [Metric] = []) {
        self.checksum = checksum
        self.shortMs = shortMs
        self.metrics = metrics
    }
}

/// One named figure of a run, such as `idle10ms_p99_us`.
public struct Metric: Sendable, Hashable, Codable {
    public var name: String
    public var value: Double

    public init(_ name: String, _ value: Double) {
        self.name = name
        self.value = value
    }
}
