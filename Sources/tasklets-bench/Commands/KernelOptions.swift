import ArgumentParser
import TaskletsBenchKernels

/// The kernel parameters as options. They are read as text and parsed by
/// `KernelParameter`, so that an option and its environment variable accept
/// the same values and fail with the same one-line message.
struct KernelOptions: ParsableArguments {
    @Option(name: .customLong("fib-n"), help: "fib: n (FIB_N, default 30).") var fibN: String?
    @Option(name: .customLong("nq-n"), help: "nqueens: board size (NQ_N, default 12).") var nqN: String?
    @Option(name: .customLong("uts-seed"), help: "uts: root seed (UTS_SEED, default 52).") var utsSeed: String?
    @Option(name: .customLong("uts-b0"), help: "uts: root children (UTS_B0, default 2000).") var utsB0: String?
    @Option(name: .customLong("uts-m"), help: "uts: children of an inner node (UTS_M, default 8).") var utsM: String?
    @Option(name: .customLong("uts-q"), help: "uts: branching probability (UTS_Q, default 0.124875).") var utsQ: String?
    @Option(name: .customLong("uts-work"), help: "uts: spin rounds per node (UTS_WORK, default 160).") var utsWork: String?
    @Option(name: .customLong("skew-long-iters"), help: "skew: rounds of the long task (SKEW_LONG_ITERS).")
    var skewLongIters: String?
    @Option(name: .customLong("skew-short-iters"), help: "skew: rounds of a short task (SKEW_SHORT_ITERS).")
    var skewShortIters: String?
    @Option(name: .customLong("skew-nshort"), help: "skew: short tasks (SKEW_NSHORT, default 10000).")
    var skewNShort: String?
    @Option(name: .customLong("sum-n"), help: "sum: elements (SUM_N, default 100000000).") var sumN: String?
    @Option(name: .customLong("sum-grain"), help: "sum: leaf size (SUM_GRAIN, default 100000).") var sumGrain: String?
    @Option(name: .customLong("wake-samples"), help: "wake-latency: submissions per idle time (WAKE_SAMPLES).")
    var wakeSamples: String?
    @Option(name: .customLong("idle-count"), help: "idle-burn: fork-joins per spacing (IDLE_COUNT, default 1000).")
    var idleCount: String?
    @Option(name: .customLong("inject-threads"), help: "inject: submitting threads (INJECT_THREADS, default 4).")
    var injectThreads: String?
    @Option(name: .customLong("inject-per-thread"), help: "inject: submissions per thread (INJECT_PER_THREAD).")
    var injectPerThread: String?
    @Option(name: .customLong("async-tasks"), help: "spawn-async: tasks (ASYNC_TASKS, default 100000).")
    var asyncTasks: String?
    @Option(name: .customLong("yield-tasks"), help: "yield: tasks (YIELD_TASKS, default 8).") var yieldTasks: String?
    @Option(name: .customLong("yield-rounds"), help: "yield: yields per task (YIELD_ROUNDS, default 20000).")
    var yieldRounds: String?
    @Option(name: .customLong("actors"), help: "actors: actors (ACTORS, default 10000).") var actors: String?
    @Option(name: .customLong("actor-messages"), help: "actors: messages per actor (ACTOR_MESSAGES, default 100).")
    var actorMessages: String?
    @Option(name: .customLong("pingpong-rounds"), help: "pingpong: round trips (PINGPONG_ROUNDS, default 100000).")
    var pingpongRounds: String?
    @Option(name: .customLong("pingpong-baselines"), help: "pingpong: 1 to measure the baselines too, 0 not (PINGPONG_BASELINES).")
    var pingpongBaselines: String?
    @Option(name: .customLong("pipeline-items"), help: "pipeline: items (PIPELINE_ITEMS, default 1000000).")
    var pipelineItems: String?
    @Option(name: .customLong("pipeline-stages"), help: "pipeline: stages (PIPELINE_STAGES, default 8).")
    var pipelineStages: String?
    @Option(name: .customLong("pipeline-capacity"), help: "pipeline: channel capacity (PIPELINE_CAPACITY, default 64).")
    var pipelineCapacity: String?
    @Option(name: .customLong("parked-tasks"), help: "parked: parked tasks (PARKED_TASKS, default 100000).")
    var parkedTasks: String?
    @Option(name: .customLong("parked-fib-n"), help: "parked: fib run beside them (PARKED_FIB_N, default 27).")
    var parkedFibN: String?
    @Option(name: .customLong("starve-spinners"), help: "starve: spinning tasklets, 0 for one per worker (STARVE_SPINNERS, default 0).")
    var starveSpinners: String?
    @Option(name: .customLong("starve-spin-ms"), help: "starve: how long each spins, ms (STARVE_SPIN_MS, default 300).")
    var starveSpinMs: String?
    @Option(name: .customLong("starve-tasklets"), help: "starve: tiny tasklets behind them (STARVE_TASKLETS, default 1000).")
    var starveTasklets: String?
    @Option(name: .customLong("blockstorm-tasklets"), help: "blockstorm: blocking tasklets (BLOCKSTORM_TASKLETS, default 1000).")
    var blockstormTasklets: String?
    @Option(name: .customLong("blockstorm-ms"), help: "blockstorm: how long each blocks, ms (BLOCKSTORM_MS, default 10).")
    var blockstormMs: String?
    @Option(name: .customLong("map-n"), help: "map: Ints mapped (MAP_N, default 10000000).") var mapN: String?

    /// The options given, by parameter.
    var given: [KernelParameter: String] {
        let pairs: [(KernelParameter, String?)] = [
            (.fibN, fibN), (.nqN, nqN), (.utsSeed, utsSeed), (.utsB0, utsB0), (.utsM, utsM), (.utsQ, utsQ),
            (.utsWork, utsWork), (.skewLongIters, skewLongIters), (.skewShortIters, skewShortIters),
            (.skewNShort, skewNShort), (.sumN, sumN), (.sumGrain, sumGrain), (.wakeSamples, wakeSamples),
            (.idleCount, idleCount), (.injectThreads, injectThreads), (.injectPerThread, injectPerThread),
            (.asyncTasks, asyncTasks), (.yieldTasks, yieldTasks), (.yieldRounds, yieldRounds), (.actors, actors),
            (.actorMessages, actorMessages), (.pingpongRounds, pingpongRounds), (.pingpongBaselines, pingpongBaselines), (.pipelineItems, pipelineItems),
            (.pipelineStages, pipelineStages), (.pipelineCapacity, pipelineCapacity), (.parkedTasks, parkedTasks),
            (.parkedFibN, parkedFibN), (.starveSpinners, starveSpinners), (.starveSpinMs, starveSpinMs),
            (.starveTasklets, starveTasklets), (.blockstormTasklets, blockstormTasklets), (.blockstormMs, blockstormMs), (.mapN, mapN),
        ]
        var given: [KernelParameter: String] = [:]
        for case let (parameter, value?) in pairs { given[parameter] = value }
        return given
    }
}
