import Testing
import TaskletsBenchKernels

/// Every compute kernel on every backend gives the spec's checksum on the
/// quick vectors of `docs/kernels.md`.
@Suite(.serialized) struct KernelChecksumTests {
    static let quickChecksums: [(KernelName, UInt64)] = [
        (.fib, 6765), (.nqueens, 92), (.uts, 14_617_547_565_985_884_770),
        (.skew, 9_693_440_131_641_792_119), (.sum, 21_474_820_488_724_160),
    ]

    @Test(arguments: BackendName.allCases.filter { $0.supports(.fib) })
    func quickVectorsMatchTheSpec(_ backend: BackendName) async throws {
        try await onOwnThread {
            let context = try BackendContext(backend: backend, workers: 2)
            defer { context.shutdown() }
            for (kernel, checksum) in Self.quickChecksums {
                let prepared = PreparedKernel(kernel, .quick)
                #expect(prepared.expectedChecksum == checksum, "table entry for \(kernel)")
                let measurement = try KernelRunner.measure(prepared, on: context)
                #expect(measurement.outcome.checksum == checksum, "\(kernel) on \(backend)")
            }
        }
    }

    /// map's checksum is the wrapping sum of splitmix64's finalizer over
    /// 0..<MAP_N, recomputed here from the formula.
    @Test(arguments: BackendName.allCases.filter { $0.supports(.map) })
    func mapMatchesTheFormula(_ backend: BackendName) async throws {
        var expected: UInt64 = 0
        for value in 0..<UInt64(KernelParameters.quick.mapN) {
            var z = value
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            expected &+= z ^ (z >> 31)
        }
        let checksum = expected
        #expect(PreparedKernel(.map, .quick).expectedChecksum == checksum)
        #expect([BackendName.sequential, .pool, .dispatch].allSatisfy { $0.supports(.map) })
        try await onOwnThread {
            let context = try BackendContext(backend: backend, workers: 2)
            defer { context.shutdown() }
            let measurement = try KernelRunner.measure(PreparedKernel(.map, .quick), on: context)
            #expect(measurement.outcome.checksum == checksum, "map on \(backend)")
            #expect(measurement.outcome.metrics.contains { $0.name == "map_ms" })
        }
    }

    /// stolen-joins' checksum is the wrapping sum over its joins of both
    /// halves, each `STOLEN_SPIN` rounds of splitmix64 from its own seed
    /// (2i and 2i+1), recomputed here: a half run with the wrong index, or
    /// a result handed to the wrong join, changes it. On the pool it also
    /// reports its steals, within what can be stolen. How many are stolen
    /// is not asserted: on an unpinned pool the OS may queue the woken
    /// worker behind the owner's thread for the whole of a 1 ms run, with
    /// the other CPU idle (docs/join.md, "Measured where the fence is
    /// cheap"), so a quick run may see none.
    @Test(arguments: BackendName.allCases.filter { $0.supports(.stolenJoins) })
    func stolenJoinsMatchTheFormula(_ backend: BackendName) async throws {
        let parameters = KernelParameters.quick
        var expected: UInt64 = 0
        for seed in 0..<UInt64(2 * parameters.stolenJoins) {
            var h = seed
            for _ in 0..<parameters.stolenSpin { h = KernelHash.mix64(h &+ KernelHash.golden) }
            expected &+= h
        }
        let checksum = expected
        #expect(PreparedKernel(.stolenJoins, parameters).expectedChecksum == checksum)
        try await onOwnThread {
            let context = try BackendContext(backend: backend, workers: 2)
            defer { context.shutdown() }
            let measurement = try KernelRunner.measure(PreparedKernel(.stolenJoins, parameters), on: context)
            #expect(measurement.outcome.checksum == checksum, "stolen-joins on \(backend)")
            guard backend == .pool else { return }
            let figure = { (name: String) in measurement.outcome.metrics.first { $0.name == name }?.value }
            let steals = try #require(figure("steals"))
            let share = try #require(figure("stolen_share"))
            // Each join's b is stolen at most once, and the job of `run`
            // itself may be taken from the worker it was handed to.
            #expect(steals <= Double(parameters.stolenJoins + 1), "steals: \(steals)")
            #expect((0...1).contains(share), "stolen_share: \(share)")
        }
    }

    @Test func poolWithOneWorkerMatchesToo() async throws {
        try await onOwnThread {
            let context = try BackendContext(backend: .pool, workers: 1)
            defer { context.shutdown() }
            for (kernel, checksum) in Self.quickChecksums {
                let measurement = try KernelRunner.measure(PreparedKernel(kernel, .quick), on: context)
                #expect(measurement.outcome.checksum == checksum, "\(kernel) on a 1-worker pool")
            }
        }
    }

    @Test func sequentialUTSCountsTheNodes() async throws {
        try await onOwnThread {
            let context = try BackendContext(backend: .sequential, workers: 1)
            let measurement = try KernelRunner.measure(PreparedKernel(.uts, .quick), on: context)
            #expect(measurement.outcome.metrics.first { $0.name == "nodes" }?.value == 148_809)
        }
    }

    @Test func skewReportsShortMilliseconds() async throws {
        try await onOwnThread {
            let context = try BackendContext(backend: .pool, workers: 2)
            defer { context.shutdown() }
            let measurement = try KernelRunner.measure(PreparedKernel(.skew, .quick), on: context)
            let shortMs = try #require(measurement.outcome.shortMs)
            #expect(shortMs > 0 && shortMs <= measurement.ms)
        }
    }
}
