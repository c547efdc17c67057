/// A kernel with its parameters and its input, ready to be timed: the
/// input (sum's array) is built once, outside every timed region.
public struct PreparedKernel: Sendable {
    public let kernel: KernelName
    public let parameters: KernelParameters
    let sumInput: Sum.Input?
    /// The checksum the spec gives for these parameters, if any; computed
    /// once (map and stolen-joins recompute the whole kernel for it).
    public let expectedChecksum: UInt64?

    /// Prepares `kernel`; with `preparingInput` false, only describes it
    /// (for reporting a run that could not happen).
    public init(_ kernel: KernelName, _ parameters: KernelParameters, preparingInput: Bool = true) {
        self.kernel = kernel
        self.parameters = parameters
        sumInput = kernel == .sum && preparingInput ? Sum.Input(count: parameters.sumN) : nil
        expectedChecksum = ExpectedChecksums.expected(kernel, parameters)
    }
}

/// One timed run.
public struct Measurement: Sendable {
    /// Wall time of the whole kernel, entering the backend included.
    public var ms: Double
    /// Process CPU time (every thread) during the run.
    public var cpuMs: Double
    public var outcome: KernelOutcome
}

/// Runs one kernel once on one backend and times it.
public enum KernelRunner {
    public static func measure(_ prepared: PreparedKernel, on context: BackendContext) throws(BenchError) -> Measurement {
        guard context.backend.supports(prepared.kernel) else {
            throw .backendFailed(
                backend: context.backend.rawValue, reason: "does not run kernel \(prepared.kernel.rawValue)")
        }
        let parameters = prepared.parameters
        let cpuStart = BenchClock.processCPUNanoseconds()
        let start = BenchClock.nanoseconds()
        let outcome: KernelOutcome
        switch prepared.kernel {
        case .fib: outcome = try Fib.run(context, parameters.fibN)
        case .nqueens: outcome = try NQueens.run(context, parameters.nqN)
        case .uts: outcome = try UTS.run(context, parameters)
        case .skew: outcome = try Skew.run(context, parameters, start: start)
        case .sum:
            guard let input = prepared.sumInput else { preconditionFailure("sum prepared without its array") }
            outcome = try Sum.run(context, input, grain: parameters.sumGrain)
        case .wakeLatency: outcome = try WakeLatency.run(context, samples: parameters.wakeSamples)
        case .idleBurn: outcome = try IdleBurn.run(context, count: parameters.idleCount)
        case .inject:
            outcome = try Inject.run(context, threads: parameters.injectThreads, perThread: parameters.injectPerThread)
        case .spawnAsync: outcome = try AsyncKernels.spawn(context, count: parameters.asyncTasks)
        case .yield:
            outcome = try AsyncKernels.yield(context, tasks: parameters.yieldTasks, rounds: parameters.yieldRounds)
        case .actors:
            outcome = try AsyncKernels.actors(context, actors: parameters.actors, messages: parameters.actorMessages)
        case .pingpong:
            outcome = try ChannelKernels.pingpong(
                context, rounds: parameters.pingpongRounds, baselines: parameters.pingpongBaselines == 1)
        case .pipeline: outcome = try ChannelKernels.pipeline(context, parameters)
        case .parked: outcome = try ChannelKernels.parked(context, tasks: parameters.parkedTasks, fibN: parameters.parkedFibN)
        case .starve: outcome = try Starve.run(context, parameters)
        case .blockstorm: outcome = try BlockStorm.run(context, parameters)
        case .map: outcome = try MapKernel.run(context, count: parameters.mapN)
        case .stolenJoins: outcome = try StolenJoins.run(context, parameters)
        }
        let end = BenchClock.nanoseconds()
        let cpuEnd = BenchClock.processCPUNanoseconds()
        return Measurement(
            ms: BenchClock.milliseconds(from: start, to: end),
            cpuMs: BenchClock.milliseconds(from: cpuStart, to: cpuEnd),
            outcome: outcome)
    }
}
