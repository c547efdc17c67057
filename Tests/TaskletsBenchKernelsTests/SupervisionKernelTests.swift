import Testing
import TaskletsBenchKernels

/// starve and blockstorm run every numbered tasklet exactly once and report
/// their figures on every backend with threads, the pool with supervision
/// off included; the sequential backend refuses them, and the unsupervised
/// pool refuses everything else.
@Suite(.serialized) struct SupervisionKernelTests {
    static let threaded = BackendName.allCases.filter { $0 != .sequential }

    /// The quick vectors: 2 spinners of 20 ms and 100 tiny tasklets; 100
    /// tasklets blocking 1 ms each (50 ms on 2 threads).
    @Test(arguments: threaded)
    func everyTaskletRunsExactlyOnce(_ backend: BackendName) async throws {
        try await onOwnThread {
            let context = try BackendContext(backend: backend, workers: 2)
            defer { context.shutdown() }
            for kernel in KernelName.supervisionKernels {
                #expect(backend.supports(kernel))
                let prepared = PreparedKernel(kernel, .quick)
                #expect(prepared.expectedChecksum == 100)
                let measurement = try KernelRunner.measure(prepared, on: context)
                #expect(measurement.outcome.checksum == 100, "\(kernel) on \(backend)")
                let names = Set(measurement.outcome.metrics.map(\.name))
                let expected: Set<String> = kernel == .starve
                    ? ["spinners", "p50_us", "p99_us", "max_us", "ms_until_all_ran"] : ["peak_blocked", "mean_blocked"]
                #expect(expected.isSubset(of: names), "\(kernel) on \(backend): \(names)")
                #expect(names.contains("peak_spares") == backend.isTaskletPool, "\(kernel) on \(backend)")
            }
        }
    }

    /// One spinner per worker by default; each tiny tasklet waits for the
    /// spinners only as long as they spin (plus a slow machine's margin).
    @Test func starveSpinsOnEveryWorkerAndMeasuresLatency() async throws {
        try await onOwnThread {
            let context = try BackendContext(backend: .poolUnsupervised, workers: 2)
            defer { context.shutdown() }
            let measurement = try KernelRunner.measure(PreparedKernel(.starve, .quick), on: context)
            let metrics = Dictionary(uniqueKeysWithValues: measurement.outcome.metrics.map { ($0.name, $0.value) })
            #expect(metrics["spinners"] == 2)
            let p50 = try #require(metrics["p50_us"])
            let max = try #require(metrics["max_us"])
            #expect(p50 > 0 && p50 <= max)
            #expect(measurement.ms >= 20)
        }
    }

    /// With supervision on, blocking sections get spares and more than the
    /// workers block at once; with it off, never more than the workers.
    @Test func supervisionLetsMoreThreadsBlock() async throws {
        var parameters = KernelParameters.quick
        parameters.blockstormTasklets = 40
        parameters.blockstormMs = 5
        let prepared = PreparedKernel(.blockstorm, parameters)
        func peakBlocked(_ backend: BackendName) async throws -> Double {
            try await onOwnThread {
                let context = try BackendContext(backend: backend, workers: 2)
                defer { context.shutdown() }
                let measurement = try KernelRunner.measure(prepared, on: context)
                #expect(measurement.outcome.checksum == 40)
                return measurement.outcome.metrics.first { $0.name == "peak_blocked" }?.value ?? 0
            }
        }
        #expect(try await peakBlocked(.pool) > 2)
        #expect(try await peakBlocked(.poolUnsupervised) <= 2)
    }

    @Test func sequentialRefusesThem() async throws {
        try await onOwnThread {
            let context = try BackendContext(backend: .sequential, workers: 1)
            for kernel in KernelName.supervisionKernels {
                #expect(!BackendName.sequential.supports(kernel))
                #expect(throws: BenchError.self) { try KernelRunner.measure(PreparedKernel(kernel, .quick), on: context) }
            }
        }
    }

    /// Them and the compute kernels (what supervision costs those).
    @Test func theUnsupervisedPoolRunsThemAndTheComputeKernels() async throws {
        for kernel in KernelName.allCases {
            #expect(BackendName.poolUnsupervised.supports(kernel)
                == (KernelName.supervisionKernels.contains(kernel) || KernelName.computeKernels.contains(kernel)))
        }
        try await onOwnThread {
            let context = try BackendContext(backend: .poolUnsupervised, workers: 1)
            defer { context.shutdown() }
            #expect(throws: BenchError.self) { try KernelRunner.measure(PreparedKernel(.parked, .quick), on: context) }
            #expect(throws: Never.self) { try KernelRunner.measure(PreparedKernel(.fib, .quick), on: context) }
        }
    }

    @Test func parametersHaveOptionsAndRanges() throws {
        let parameters = try KernelParameters.resolve(
            options: [.starveSpinMs: "5", .blockstormTasklets: "7"],
            environment: ["STARVE_SPINNERS": "3", "BLOCKSTORM_MS": "0"])
        #expect(parameters.starveSpinMs == 5 && parameters.starveSpinners == 3)
        #expect(parameters.blockstormTasklets == 7 && parameters.blockstormMs == 0)
        #expect(KernelParameter.blockstormMs.optionName == "blockstorm-ms")
        #expect(KernelParameter.starveTasklets.kernel == .starve)
        #expect(throws: BenchError.self) { try KernelParameters.resolve(options: [.starveSpinMs: "0"], environment: [:]) }
        #expect(throws: BenchError.self) { try KernelParameters.resolve(options: [.blockstormTasklets: "0"], environment: [:]) }
    }
}
