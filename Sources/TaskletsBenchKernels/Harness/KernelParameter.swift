import Foundation

/// One kernel parameter: its option, its environment variable, its range,
/// and where it lives in `KernelParameters`.
///
/// The command line reads every parameter through here, so an option and
/// its environment variable always accept the same values and fail with
/// the same message.
public enum KernelParameter: String, CaseIterable, Sendable {
    case fibN, nqN
    case utsSeed, utsB0, utsM, utsQ, utsWork
    case skewLongIters, skewShortIters, skewNShort
    case sumN, sumGrain
    case wakeSamples, idleCount, injectThreads, injectPerThread
    case asyncTasks, yieldTasks, yieldRounds, actors, actorMessages
    case pingpongRounds, pingpongBaselines, pipelineItems, pipelineStages, pipelineCapacity, parkedTasks, parkedFibN
    case starveSpinners, starveSpinMs, starveTasklets, blockstormTasklets, blockstormMs
    case mapN
    case stolenJoins, stolenSpin

    /// The kernel that reads it.
    public var kernel: KernelName {
        switch self {
        case .fibN: return .fib
        case .nqN: return .nqueens
        case .utsSeed, .utsB0, .utsM, .utsQ, .utsWork: return .uts
        case .skewLongIters, .skewShortIters, .skewNShort: return .skew
        case .sumN, .sumGrain: return .sum
        case .wakeSamples: return .wakeLatency
        case .idleCount: return .idleBurn
        case .injectThreads, .injectPerThread: return .inject
        case .asyncTasks: return .spawnAsync
        case .yieldTasks, .yieldRounds: return .yield
        case .actors, .actorMessages: return .actors
        case .pingpongRounds, .pingpongBaselines: return .pingpong
        case .pipelineItems, .pipelineStages, .pipelineCapacity: return .pipeline
        case .parkedTasks, .parkedFibN: return .parked
        case .starveSpinners, .starveSpinMs, .starveTasklets: return .starve
        case .blockstormTasklets, .blockstormMs: return .blockstorm
        case .mapN: return .map
        case .stolenJoins, .stolenSpin: return .stolenJoins
        }
    }

    /// The environment variable, as `docs/kernels.md` names it.
    public var environmentVariable: String {
        switch self {
        case .fibN: return "FIB_N"
        case .nqN: return "NQ_N"
        case .utsSeed: return "UTS_SEED"
        case .utsB0: return "UTS_B0"
        case .utsM: return "UTS_M"
        case .utsQ: return "UTS_Q"
        case .utsWork: return "UTS_WORK"
        case .skewLongIters: return "SKEW_LONG_ITERS"
        case .skewShortIters: return "SKEW_SHORT_ITERS"
        case .skewNShort: return "SKEW_NSHORT"
        case .sumN: return "SUM_N"
        case .sumGrain: return "SUM_GRAIN"
        case .wakeSamples: return "WAKE_SAMPLES"
        case .idleCount: return "IDLE_COUNT"
        case .injectThreads: return "INJECT_THREADS"
        case .injectPerThread: return "INJECT_PER_THREAD"
        case .asyncTasks: return "ASYNC_TASKS"
        case .yieldTasks: return "YIELD_TASKS"
        case .yieldRounds: return "YIELD_ROUNDS"
        case .actors: return "ACTORS"
        case .actorMessages: return "ACTOR_MESSAGES"
        case .pingpongRounds: return "PINGPONG_ROUNDS"
        case .pingpongBaselines: return "PINGPONG_BASELINES"
        case .pipelineItems: return "PIPELINE_ITEMS"
        case .pipelineStages: return "PIPELINE_STAGES"
        case .pipelineCapacity: return "PIPELINE_CAPACITY"
        case .parkedTasks: return "PARKED_TASKS"
        case .parkedFibN: return "PARKED_FIB_N"
        case .starveSpinners: return "STARVE_SPINNERS"
        case .starveSpinMs: return "STARVE_SPIN_MS"
        case .starveTasklets: return "STARVE_TASKLETS"
        case .blockstormTasklets: return "BLOCKSTORM_TASKLETS"
        case .blockstormMs: return "BLOCKSTORM_MS"
        case .mapN: return "MAP_N"
        case .stolenJoins: return "STOLEN_JOINS"
        case .stolenSpin: return "STOLEN_SPIN"
        }
    }

    /// The long option without dashes: `fib-n` for `fibN`.
    public var optionName: String {
        environmentVariable.lowercased().replacingOccurrences(of: "_", with: "-")
    }

    /// The accepted values, for messages and `--help`.
    public var expected: String {
        switch self {
        case .utsQ: return "a number from 0 to 1"
        case .utsSeed: return "a whole number from 0 to \(UInt64.max)"
        case .starveSpinners: return "a whole number from 0 (one per worker) to \(integerRange.upperBound)"
        default:
            let range = integerRange
            return "a whole number from \(range.lowerBound) to \(range.upperBound)"
        }
    }

    /// The range of the integer parameters. The upper bounds keep a run
    /// finite and its memory within reason (`SUM_N` uint32 are allocated).
    var integerRange: ClosedRange<Int> {
        switch self {
        case .fibN: return 0...92
        case .nqN: return 1...32
        case .utsB0: return 0...10_000_000
        case .utsM: return 0...1_000_000
        case .utsWork, .skewLongIters, .skewShortIters: return 0...1 << 40
        case .skewNShort: return 1...100_000_000
        case .sumN: return 1...4_000_000_000
        case .sumGrain: return 1...4_000_000_000
        case .wakeSamples, .idleCount: return 1...10_000_000
        case .injectThreads: return 1...1024
        case .injectPerThread: return 1...1_000_000_000
        case .asyncTasks, .yieldRounds, .actorMessages: return 1...100_000_000
        case .yieldTasks: return 1...100_000
        case .actors: return 1...10_000_000
        case .pingpongRounds, .pipelineItems: return 1...1_000_000_000
        case .pipelineStages: return 2...1000
        case .pingpongBaselines: return 0...1
        case .pipelineCapacity: return 0...1_000_000
        case .parkedTasks: return 1...10_000_000
        case .parkedFibN: return 0...50
        case .starveSpinners: return 0...4096
        case .starveSpinMs: return 1...60_000
        case .starveTasklets: return 1...10_000_000
        case .blockstormTasklets: return 1...1_000_000
        case .blockstormMs: return 0...10_000
        case .mapN: return 0...1_000_000_000
        case .stolenJoins: return 0...100_000_000
        case .stolenSpin: return 0...1_000_000
        case .utsSeed, .utsQ: return 0...Int.max
        }
    }

    /// The value in `parameters`, as text.
    public func value(in parameters: KernelParameters) -> String {
        switch self {
        case .fibN: return String(parameters.fibN)
        case .nqN: return String(parameters.nqN)
        case .utsSeed: return String(parameters.utsSeed)
        case .utsB0: return String(parameters.utsB0)
        case .utsM: return String(parameters.utsM)
        case .utsQ: return String(parameters.utsQ)
        case .utsWork: return String(parameters.utsWork)
        case .skewLongIters: return String(parameters.skewLongIters)
        case .skewShortIters: return String(parameters.skewShortIters)
        case .skewNShort: return String(parameters.skewNShort)
        case .sumN: return String(parameters.sumN)
        case .sumGrain: return String(parameters.sumGrain)
        case .wakeSamples: return String(parameters.wakeSamples)
        case .idleCount: return String(parameters.idleCount)
        case .injectThreads: return String(parameters.injectThreads)
        case .injectPerThread: return String(parameters.injectPerThread)
        case .asyncTasks: return String(parameters.asyncTasks)
        case .yieldTasks: return String(parameters.yieldTasks)
        case .yieldRounds: return String(parameters.yieldRounds)
        case .actors: return String(parameters.actors)
        case .actorMessages: return String(parameters.actorMessages)
        case .pingpongRounds: return String(parameters.pingpongRounds)
        case .pingpongBaselines: return String(parameters.pingpongBaselines)
        case .pipelineItems: return String(parameters.pipelineItems)
        case .pipelineStages: return String(parameters.pipelineStages)
        case .pipelineCapacity: return String(parameters.pipelineCapacity)
        case .parkedTasks: return String(parameters.parkedTasks)
        case .parkedFibN: return String(parameters.parkedFibN)
        case .starveSpinners: return String(parameters.starveSpinners)
        case .starveSpinMs: return String(parameters.starveSpinMs)
        case .starveTasklets: return String(parameters.starveTasklets)
        case .blockstormTasklets: return String(parameters.blockstormTasklets)
        case .blockstormMs: return String(parameters.blockstormMs)
        case .mapN: return String(parameters.mapN)
        case .stolenJoins: return String(parameters.stolenJoins)
        case .stolenSpin: return String(parameters.stolenSpin)
        }
    }

    /// Parses `text` and stores it in `parameters`. `source` names where the
    /// text came from (`--fib-n` or `FIB_N`) for the error message.
    public func set(_ text: String, in parameters: inout KernelParameters, source: String) throws(BenchError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        switch self {
        case .utsSeed:
            guard let seed = UInt64(trimmed) else { throw invalid(text, source) }
            parameters.utsSeed = seed
        case .utsQ:
            guard let q = Double(trimmed), q.isFinite, (0...1).contains(q) else { throw invalid(text, source) }
            parameters.utsQ = q
        default:
            guard let number = Int(trimmed), integerRange.contains(number) else { throw invalid(text, source) }
            setInteger(number, in: &parameters)
        }
    }

    private func invalid(_ text: String, _ source: String) -> BenchError {
        .invalidValue(source: source, value: text, expected: expected)
    }

    private func setInteger(_ number: Int, in parameters: inout KernelParameters) {
        switch self {
        case .fibN: parameters.fibN = number
        case .nqN: parameters.nqN = number
        case .utsB0: parameters.utsB0 = number
        case .utsM: parameters.utsM = number
        case .utsWork: parameters.utsWork = number
        case .skewLongIters: parameters.skewLongIters = number
        case .skewShortIters: parameters.skewShortIters = number
        case .skewNShort: parameters.skewNShort = number
        case .sumN: parameters.sumN = number
        case .sumGrain: parameters.sumGrain = number
        case .wakeSamples: parameters.wakeSamples = number
        case .idleCount: parameters.idleCount = number
        case .injectThreads: parameters.injectThreads = number
        case .injectPerThread: parameters.injectPerThread = number
        case .asyncTasks: parameters.asyncTasks = number
        case .yieldTasks: parameters.yieldTasks = number
        case .yieldRounds: parameters.yieldRounds = number
        case .actors: parameters.actors = number
        case .actorMessages: parameters.actorMessages = number
        case .pingpongRounds: parameters.pingpongRounds = number
        case .pingpongBaselines: parameters.pingpongBaselines = number
        case .pipelineItems: parameters.pipelineItems = number
        case .pipelineStages: parameters.pipelineStages = number
        case .pipelineCapacity: parameters.pipelineCapacity = number
        case .parkedTasks: parameters.parkedTasks = number
        case .parkedFibN: parameters.parkedFibN = number
        case .starveSpinners: parameters.starveSpinners = number
        case .starveSpinMs: parameters.starveSpinMs = number
        case .starveTasklets: parameters.starveTasklets = number
        case .blockstormTasklets: parameters.blockstormTasklets = number
        case .blockstormMs: parameters.blockstormMs = number
        case .mapN: parameters.mapN = number
        case .stolenJoins: parameters.stolenJoins = number
        case .stolenSpin: parameters.stolenSpin = number
        case .utsSeed, .utsQ: break  // not integers of Int range; handled in `set`
        }
    }
}

extension KernelParameters {
    /// Resolves every parameter: an option (`options`, keyed by parameter)
    /// wins over its environment variable, which wins over `base`.
    public static func resolve(
        base: KernelParameters = .defaults,
        options: [KernelParameter: String],
        environment: [String: String]
    ) throws(BenchError) -> KernelParameters {
        var parameters = base
        for parameter in KernelParameter.allCases {
            if let text = options[parameter] {
                try parameter.set(text, in: &parameters, source: "--" + parameter.optionName)
            } else if let text = environment[parameter.environmentVariable] {
                try parameter.set(text, in: &parameters, source: parameter.environmentVariable)
            }
        }
        return parameters
    }
}
