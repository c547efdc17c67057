/// Errors of topology discovery, CPU lists and worker placement.
///
/// Discovery itself never throws (every odd machine gets a stated fallback,
/// see `Topology.warnings`); these are the requests that cannot be met.
public enum TopologyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Text that is not a CPU list such as "0-3,8,10-11".
    case invalidCPUList(String, reason: String)
    /// A `TASKLETS_PLACEMENT` value (or `Placement(parsing:)` input) that
    /// names no placement.
    case invalidPlacement(String)
    /// A worker count below 1.
    case invalidWorkerCount(Int)
    /// `.cpus([...])` names a CPU that the process may not run on.
    case cpuOutsideAffinity(cpu: Int, allowed: [Int])
    /// `.cpus([...])` names the same CPU twice.
    case duplicateCPU(Int)
    /// More workers than the placement has CPUs (or cores) to pin them to.
    case tooManyWorkers(requested: Int, available: Int, placement: String)

    /// A one-line message that names the bad value and what was expected.
    public var description: String {
        switch self {
        case .invalidCPUList(let text, let reason):
            return "invalid CPU list \"\(text.prefix(80))\": \(reason)"
        case .invalidPlacement(let text):
            return "invalid placement \"\(text.prefix(80))\": expected compact, spread, cores, unpinned or cpus:LIST (such as cpus:0,2,4-6)"
        case .invalidWorkerCount(let count):
            return "invalid worker count \(count): expected 1 or more"
        case .cpuOutsideAffinity(let cpu, let allowed):
            return "CPU \(cpu) is outside the process's usable CPUs (\(CPUList.format(allowed)))"
        case .duplicateCPU(let cpu):
            return "CPU \(cpu) is listed twice"
        case .tooManyWorkers(let requested, let available, let placement):
            return "\(requested) workers cannot be pinned with placement \(placement): only \(available) available; use fewer workers or .unpinned"
        }
    }
}
