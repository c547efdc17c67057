/// Every kernel's parameters, with the defaults of `docs/kernels.md`.
public struct KernelParameters: Sendable, Hashable, Codable {
    public var fibN = 30
    public var nqN = 12
    public var utsSeed: UInt64 = 52
    public var utsB0 = 2000
    public var utsM = 8
    public var utsQ = 0.124875
    public var utsWork = 160
    public var skewLongIters = 54_000_000
    public var skewShortIters = 5400
    public var skewNShort = 10_000
    public var sumN = 100_000_000
    public var sumGrain = 100_000
    /// Submissions per idle time for `wake-latency`.
    public var wakeSamples = 100
    /// Fork-joins per spacing for `idle-burn` (1,000 in the issue).
    public var idleCount = 1000
    /// Outside threads for `inject`.
    public var injectThreads = 4
    /// Submissions per outside thread for `inject`.
    public var injectPerThread = 100_000
    /// Tasks spawned by `spawn-async` (and as many group children).
    public var asyncTasks = 100_000
    /// Tasks of `yield`.
    public var yieldTasks = 8
    /// Yields per task of `yield` (and resumes of its baseline).
    public var yieldRounds = 20_000
    /// Actors of `actors`.
    public var actors = 10_000
    /// Messages per actor of `actors`.
    public var actorMessages = 100
    /// Round trips of `pingpong`.
    public var pingpongRounds = 100_000
    /// 1: `pingpong` also measures its baselines (AsyncChannel, AsyncStream);
    /// 0: only the backend's own channel (for profiling).
    public var pingpongBaselines = 1
    /// Items through `pipeline`.
    public var pipelineItems = 1_000_000
    /// Stages of `pipeline` (a source, a sink, and stages between).
    public var pipelineStages = 8
    /// Capacity of each of `pipeline`'s channels.
    public var pipelineCapacity = 64
    /// Tasks parked by `parked`.
    public var parkedTasks = 100_000
    /// The fib that `parked` runs beside its parked tasks (and without them).
    public var parkedFibN = 27
    /// Spinning tasklets of `starve`; 0: one per worker (the backend's count).
    public var starveSpinners = 0
    /// How long each of them spins, in ms.
    public var starveSpinMs = 300
    /// Tiny tasklets submitted behind them.
    public var starveTasklets = 1000
    /// Tasklets of `blockstorm`.
    public var blockstormTasklets = 1000
    /// How long each blocks its thread (`usleep`), in ms.
    public var blockstormMs = 10
    /// Ints mapped by `map`.
    public var mapN = 10_000_000
    /// Fork-joins of `stolen-joins`, one after another.
    public var stolenJoins = 20_000
    /// Hash rounds in each half of them (500: about 1.75 µs on the AMD EPYC VM).
    public var stolenSpin = 500

    public init() {}

    /// The defaults of `docs/kernels.md`.
    public static let defaults = KernelParameters()

    /// The quick vectors of `docs/kernels.md` (a few milliseconds per
    /// kernel), with small counts for the scheduler kernels.
    public static let quick: KernelParameters = {
        var quick = KernelParameters()
        quick.fibN = 20
        quick.nqN = 8
        quick.utsSeed = 8
        quick.utsWork = 20
        quick.sumN = 10_000_000
        quick.skewLongIters = 5_000_000
        quick.skewShortIters = 500
        quick.skewNShort = 1000
        quick.wakeSamples = 10
        quick.idleCount = 20
        quick.injectThreads = 2
        quick.injectPerThread = 5000
        quick.asyncTasks = 2000
        quick.yieldTasks = 4
        quick.yieldRounds = 500
        quick.actors = 200
        quick.actorMessages = 20
        quick.pingpongRounds = 2000
        quick.pipelineItems = 5000
        quick.parkedTasks = 1000
        quick.parkedFibN = 18
        quick.starveSpinMs = 20
        quick.starveTasklets = 100
        quick.blockstormTasklets = 100
        quick.blockstormMs = 1
        quick.mapN = 100_000
        quick.stolenJoins = 2000
        quick.stolenSpin = 100
        return quick
    }()

    /// `UTS_Q` as a 32-bit threshold: `(uint64)(UTS_Q * 2^32)` in IEEE double.
    public var utsThreshold: UInt64 { UInt64(utsQ * 4_294_967_296.0) }

    /// The parameters `kernel` reads, as (environment name, value) pairs in
    /// the order of `KernelParameter.allCases`: what a record's `params` holds.
    public func values(for kernel: KernelName) -> [(name: String, value: String)] {
        KernelParameter.allCases.filter { $0.kernel == kernel }.map { ($0.environmentVariable, $0.value(in: self)) }
    }
}
