/// The kernels of the harness: the five of `docs/kernels.md`, three that
/// measure the pool's scheduler rather than a computation, three that
/// measure it as Swift's executor, three of channels and two of
/// supervision (long and blocking tasklets), one of data parallelism over
/// collections (`map`), and one where almost every `join` is stolen
/// (`stolen-joins`).
public enum KernelName: String, CommandLineName, Sendable, Codable {
    case fib, nqueens, uts, skew, sum
    case wakeLatency = "wake-latency"
    case idleBurn = "idle-burn"
    case inject
    case spawnAsync = "spawn-async"
    case yield
    case actors
    case pingpong, pipeline, parked
    case starve, blockstorm
    case map
    case stolenJoins = "stolen-joins"

    /// The kernels with a specified checksum, in the spec's order.
    public static let computeKernels: [KernelName] = [.fib, .nqueens, .uts, .skew, .sum]

    /// The kernels of Swift tasks and actors: the pool as a task executor
    /// against the default global executor (`taskgroup`).
    public static let asyncKernels: [KernelName] = [.spawnAsync, .yield, .actors, .pingpong, .pipeline, .parked]

    /// The kernels of channels (docs/channels.md), a subset of the above.
    public static let channelKernels: [KernelName] = [.pingpong, .pipeline, .parked]

    /// The kernels a sequential run is the baseline of (T1/Ts).
    public static let sequentialBaselineKernels: [KernelName] = computeKernels + [.map, .stolenJoins]

    /// The kernels of long and blocking tasklets: what supervision (spares,
    /// `blocking { }`) buys, against the pool with it off and the others.
    public static let supervisionKernels: [KernelName] = [.starve, .blockstorm]

    /// What the kernel measures, for `tasklets-bench list`.
    public var summary: String {
        switch self {
        case .fib: return "naive fib(FIB_N), one spawn per call: per-spawn overhead"
        case .nqueens: return "N-queens by bitmask, one spawn per placement: n-ary spawning"
        case .uts: return "unbalanced tree search (binomial, mix64): load balancing"
        case .skew: return "one long task among SKEW_NSHORT short ones: starvation (reports short_ms)"
        case .sum: return "sum of SUM_N uint32 with grain SUM_GRAIN: memory bandwidth"
        case .wakeLatency: return "outside thread submits one empty tasklet after 0, 1, 10 ms idle: p50/p99/max"
        case .idleBurn: return "IDLE_COUNT tiny fork-joins spaced 100 us, 1 ms, 10 ms: CPU time / wall time"
        case .inject: return "INJECT_THREADS outside threads submit INJECT_PER_THREAD tasklets each: ns/submission"
        case .spawnAsync: return "ASYNC_TASKS Swift tasks spawned and awaited, then as task-group children: ns/task"
        case .yield: return "YIELD_TASKS tasks calling Task.yield() YIELD_ROUNDS times: ns/yield, fairness, vs a resume"
        case .actors: return "ACTORS actors, ACTOR_MESSAGES awaited calls each (pool strands vs default actors)"
        case .pingpong: return "two tasks, two rendezvous channels, PINGPONG_ROUNDS round trips: ns/round trip, vs AsyncChannel"
        case .pipeline: return "PIPELINE_STAGES stages over channels of PIPELINE_CAPACITY, PIPELINE_ITEMS items: items/s"
        case .parked: return "PARKED_TASKS tasks parked on channels: bytes each, and fib(PARKED_FIB_N) beside them"
        case .starve: return "a tasklet spinning STARVE_SPIN_MS on every worker, then STARVE_TASKLETS tiny ones: start p50/p99/max"
        case .map: return "parallelMap of MAP_N Ints through a hash, vs a plain map and concurrentPerform: speedup"
        case .stolenJoins: return "STOLEN_JOINS fork-joins in a row, halves of STOLEN_SPIN hash rounds: most b stolen, ms and steals"
        case .blockstorm: return "BLOCKSTORM_TASKLETS tasklets each blocking BLOCKSTORM_MS (usleep, in blocking { }): ms, threads"
        }
    }

    public static var kind: String { "kernel" }
}
