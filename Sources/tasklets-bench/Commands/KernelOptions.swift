import ArgumentParser
import TaskletsBenchKernels

/// The kernel parameters as options. They are read as text and parsed by
/// `KernelParameter`, so that an option and its environment variable accept
/// the same values and fail with the same one-line message.
struct KernelOptions: ParsableArguments {
    @Option(name: .customLong("fib-n"), help: KernelOptions.help(.fibN, "fib: n")) var fibN: String?
    @Option(name: .customLong("nq-n"), help: KernelOptions.help(.nqN, "nqueens: board size")) var nqN: String?
    @Option(name: .customLong("uts-seed"), help: KernelOptions.help(.utsSeed, "uts: root seed")) var utsSeed: String?
    @Option(name: .customLong("uts-b0"), help: KernelOptions.help(.utsB0, "uts: root children")) var utsB0: String?
    @Option(name: .customLong("uts-m"), help: KernelOptions.help(.utsM, "uts: children of an inner node")) var utsM: String?
    @Option(name: .customLong("uts-q"), help: KernelOptions.help(.utsQ, "uts: branching probability")) var utsQ: String?
    @Option(name: .customLong("uts-work"), help: KernelOptions.help(.utsWork, "uts: spin rounds per node")) var utsWork: String?
    @Option(name: .customLong("skew-long-iters"), help: KernelOptions.help(.skewLongIters, "skew: rounds of the long task"))
    var skewLongIters: String?
    @Option(name: .customLong("skew-short-iters"), help: KernelOptions.help(.skewShortIters, "skew: rounds of a short task"))
    var skewShortIters: String?
    @Option(name: .customLong("skew-nshort"), help: KernelOptions.help(.skewNShort, "skew: short tasks"))
    var skewNShort: String?
    @Option(name: .customLong("sum-n"), help: KernelOptions.help(.sumN, "sum: elements")) var sumN: String?
    @Option(name: .customLong("sum-grain"), help: KernelOptions.help(.sumGrain, "sum: leaf size")) var sumGrain: String?
    @Option(name: .customLong("wake-samples"), help: KernelOptions.help(.wakeSamples, "wake-latency: submissions per idle time"))
    var wakeSamples: String?
    @Option(name: .customLong("idle-count"), help: KernelOptions.help(.idleCount, "idle-burn: fork-joins per spacing"))
    var idleCount: String?
    @Option(name: .customLong("inject-threads"), help: KernelOptions.help(.injectThreads, "inject: submitting threads"))
    var injectThreads: String?
    @Option(name: .customLong("inject-per-thread"), help: KernelOptions.help(.injectPerThread, "inject: submissions per thread"))
    var injectPerThread: String?
    @Option(name: .customLong("async-tasks"), help: KernelOptions.help(.asyncTasks, "spawn-async: tasks"))
    var asyncTasks: String?
    @Option(name: .customLong("yield-tasks"), help: KernelOptions.help(.yieldTasks, "yield: tasks")) var yieldTasks: String?
    @Option(name: .customLong("yield-rounds"), help: KernelOptions.help(.yieldRounds, "yield: yields per task"))
    var yieldRounds: String?
    @Option(name: .customLong("actors"), help: KernelOptions.help(.actors, "actors: actors")) var actors: String?
    @Option(name: .customLong("actor-messages"), help: KernelOptions.help(.actorMessages, "actors: messages per actor"))
    var actorMessages: String?
    @Option(name: .customLong("pingpong-rounds"), help: KernelOptions.help(.pingpongRounds, "pingpong: round trips"))
    var pingpongRounds: String?
    @Option(name: .customLong("pingpong-baselines"), help: KernelOptions.help(.pingpongBaselines, "pingpong: 1 to measure the baselines too, 0 not"))
    var pingpongBaselines: String?
    @Option(name: .customLong("pipeline-items"), help: KernelOptions.help(.pipelineItems, "pipeline: items"))
    var pipelineItems: String?
    @Option(name: .customLong("pipeline-stages"), help: KernelOptions.help(.pipelineStages, "pipeline: stages"))
    var pipelineStages: String?
    @Option(name: .customLong("pipeline-capacity"), help: KernelOptions.help(.pipelineCapacity, "pipeline: channel capacity"))
    var pipelineCapacity: String?
    @Option(name: .customLong("parked-tasks"), help: KernelOptions.help(.parkedTasks, "parked: parked tasks"))
    var parkedTasks: String?
    @Option(name: .customLong("parked-fib-n"), help: KernelOptions.help(.parkedFibN, "parked: fib run beside them"))
    var parkedFibN: String?
    @Option(name: .customLong("starve-spinners"), help: KernelOptions.help(.starveSpinners, "starve: spinning tasklets, 0 for one per worker"))
    var starveSpinners: String?
    @Option(name: .customLong("starve-spin-ms"), help: KernelOptions.help(.starveSpinMs, "starve: how long each spins, ms"))
    var starveSpinMs: String?
    @Option(name: .customLong("starve-tasklets"), help: KernelOptions.help(.starveTasklets, "starve: tiny tasklets behind them"))
    var starveTasklets: String?
    @Option(name: .customLong("blockstorm-tasklets"), help: KernelOptions.help(.blockstormTasklets, "blockstorm: blocking tasklets"))
    var blockstormTasklets: String?
    @Option(name: .customLong("blockstorm-ms"), help: KernelOptions.help(.blockstormMs, "blockstorm: how long each blocks, ms"))
    var blockstormMs: String?
    @Option(name: .customLong("map-n"), help: KernelOptions.help(.mapN, "map: Ints mapped")) var mapN: String?
    @Option(name: .customLong("stolen-joins"), help: KernelOptions.help(.stolenJoins, "stolen-joins: fork-joins in a row"))
    var stolenJoins: String?
    @Option(name: .customLong("stolen-spin"), help: KernelOptions.help(.stolenSpin, "stolen-joins: hash rounds per half"))
    var stolenSpin: String?

    /// A parameter's help: what it is, its environment variable and the
    /// spec's default (`tasklets-bench list` prints the same).
    static func help(_ parameter: KernelParameter, _ what: String) -> ArgumentHelp {
        ArgumentHelp("\(what) (\(parameter.environmentVariable); spec default: \(parameter.value(in: .defaults))).")
    }

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
            (.stolenJoins, stolenJoins), (.stolenSpin, stolenSpin),
        ]
        var given: [KernelParameter: String] = [:]
        for case let (parameter, value?) in pairs { given[parameter] = value }
        return given
    }
}
