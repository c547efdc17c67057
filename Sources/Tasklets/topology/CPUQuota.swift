/// A cgroup CPU bandwidth limit: `quota` microseconds of CPU time per
/// `period` microseconds, as in cgroup v2's `cpu.max` ("50000 100000") or
/// cgroup v1's `cpu.cfs_quota_us` / `cpu.cfs_period_us`.
///
/// A quota of 1.5 CPUs on an 8-CPU machine still lets the process use all 8
/// CPUs, but only for 1.5 CPUs' worth of time each period; 8 busy workers
/// would be throttled. So, like Go 1.25's default GOMAXPROCS, the default
/// worker count is lowered to the quota rounded up.
public struct CPUQuota: Sendable, Hashable {
    /// CPU time allowed per period, in microseconds.
    public let quota: Int
    /// The period, in microseconds.
    public let period: Int
    /// The file the limit came from.
    public let file: String

    /// The limit in CPUs (1.5 for 150 000 µs per 100 000 µs).
    public var cpus: Double { Double(quota) / Double(period) }

    /// The most workers worth running: ceil(quota / period), at least 1.
    public var workerLimit: Int {
        let (whole, rest) = quota.quotientAndRemainder(dividingBy: period)
        return max(1, whole + (rest > 0 ? 1 : 0))
    }
}
