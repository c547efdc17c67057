/// The checksums that `docs/kernels.md` specifies, for the parameters it
/// gives them for. A run whose checksum differs from the one here fails.
public enum ExpectedChecksums {
    /// One specified vector: the parameters it holds for and its checksum.
    public struct Vector: Sendable {
        public let kernel: KernelName
        public let parameters: KernelParameters
        public let checksum: UInt64
    }

    /// The vectors of the spec, default and quick parameters first.
    public static let vectors: [Vector] = {
        var vectors: [Vector] = []
        func add(_ kernel: KernelName, _ checksum: UInt64, _ change: (inout KernelParameters) -> Void) {
            var parameters = KernelParameters.defaults
            change(&parameters)
            vectors.append(Vector(kernel: kernel, parameters: parameters, checksum: checksum))
        }
        add(.fib, 832_040) { $0.fibN = 30 }
        add(.fib, 6765) { $0.fibN = 20 }
        add(.fib, 75025) { $0.fibN = 25 }
        add(.nqueens, 14200) { $0.nqN = 12 }
        add(.nqueens, 92) { $0.nqN = 8 }
        add(.nqueens, 2680) { $0.nqN = 11 }
        add(.uts, 7_654_154_416_170_615_471) { _ in }
        add(.uts, 14_617_547_565_985_884_770) { $0.utsSeed = 8; $0.utsWork = 20 }
        add(.uts, 16_307_339_060_580_127_143) { $0.utsWork = 0 }
        add(.skew, 3_692_094_219_406_066_434) { _ in }
        add(.skew, 9_693_440_131_641_792_119) {
            $0.skewLongIters = 5_000_000; $0.skewShortIters = 500; $0.skewNShort = 1000
        }
        add(.sum, 214_748_354_317_923_200) { $0.sumN = 100_000_000 }
        add(.sum, 21_474_820_488_724_160) { $0.sumN = 10_000_000 }
        return vectors
    }()

    /// Solutions of n-queens for n = 0...27 (OEIS A000170): the count does
    /// not depend on the runtime, so any n up to 27 is checked.
    static let queenSolutions: [UInt64] = [
        1, 1, 0, 0, 2, 10, 4, 40, 92, 352, 724, 2680, 14200, 73712, 365_596,
        2_279_184, 14_772_512, 95_815_104, 666_090_624, 4_968_057_848,
        39_029_188_884, 314_666_222_712, 2_691_008_701_644, 24_233_937_684_440,
        227_514_171_973_736, 2_207_893_435_808_352, 22_317_699_616_364_044,
        234_907_967_154_122_528,
    ]

    /// The expected checksum of `kernel` with `parameters`, or nil where
    /// neither the spec nor a closed form gives one.
    ///
    /// fib is computed (fib(n) mod 2^64 by iteration), n-queens comes from
    /// the table of known counts, uts, skew and sum from the spec's vectors.
    /// The scheduler and async kernels count the tasklets, tasks, yields or
    /// messages that ran; the channel kernels sum what went through; the
    /// supervision kernels count the numbered tasklets that ran exactly once;
    /// map and stolen-joins are computed the plain way.
    public static func expected(_ kernel: KernelName, _ parameters: KernelParameters) -> UInt64? {
        switch kernel {
        case .fib:
            var (a, b): (UInt64, UInt64) = (0, 1)
            for _ in 0..<parameters.fibN { (a, b) = (b, a &+ b) }
            return a
        case .nqueens:
            return parameters.nqN < queenSolutions.count ? queenSolutions[parameters.nqN] : nil
        case .uts, .skew, .sum:
            let key = parameters.values(for: kernel).filter { $0.name != "SUM_GRAIN" }.map(\.value)
            return vectors.first { vector in
                vector.kernel == kernel
                    && vector.parameters.values(for: kernel).filter { $0.name != "SUM_GRAIN" }.map(\.value) == key
            }?.checksum
        case .wakeLatency:
            return UInt64(3 * parameters.wakeSamples)
        case .idleBurn:
            return UInt64(3 * 2 * parameters.idleCount)
        case .inject:
            return UInt64(parameters.injectThreads) * UInt64(parameters.injectPerThread)
        case .spawnAsync:
            return UInt64(2 * parameters.asyncTasks)
        case .yield:
            return UInt64(parameters.yieldTasks) * UInt64(parameters.yieldRounds)
        case .actors:
            return UInt64(parameters.actors) * UInt64(parameters.actorMessages)
        case .pingpong:
            // The echo returns each value plus one: 1 + 2 + ... + rounds.
            let rounds = UInt64(parameters.pingpongRounds)
            return rounds &* (rounds &+ 1) / 2
        case .pipeline:
            // Items 1...n, each stage between source and sink adds one.
            let items = UInt64(parameters.pipelineItems)
            return items &* (items &+ 1) / 2 &+ items &* UInt64(parameters.pipelineStages - 2)
        case .parked:
            return UInt64(parameters.parkedTasks)
        case .starve:
            return UInt64(parameters.starveTasklets)
        case .blockstorm:
            return UInt64(parameters.blockstormTasklets)
        case .map:
            return MapKernel.checksum(of: (0..<parameters.mapN).lazy.map(MapKernel.transform))
        case .stolenJoins:
            return StolenJoins.sequential(parameters.stolenJoins, rounds: parameters.stolenSpin)
        }
    }
}
