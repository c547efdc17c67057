import Testing
import TaskletsBenchKernels

/// wake-latency, idle-burn and inject run every tasklet they submit, and
/// report their figures, on every backend that has threads.
@Suite(.serialized) struct SchedulerKernelTests {
    static let threaded = BackendName.allCases.filter { $0.supports(.inject) }

    @Test(arguments: threaded)
    func everySubmittedTaskletRuns(_ backend: BackendName) async throws {
        try await onOwnThread {
            let context = try BackendContext(backend: backend, workers: 2)
            defer { context.shutdown() }
            for kernel in [KernelName.wakeLatency, .idleBurn, .inject] {
                let prepared = PreparedKernel(kernel, .quick)
                let measurement = try KernelRunner.measure(prepared, on: context)
                #expect(measurement.outcome.checksum == prepared.expectedChecksum, "\(kernel) on \(backend)")
                #expect(!measurement.outcome.metrics.isEmpty)
            }
        }
    }

    @Test func wakeLatencyReportsPercentilesPerIdleTime() async throws {
        try await onOwnThread {
            let context = try BackendContext(backend: .pool, workers: 1)
            defer { context.shutdown() }
            let measurement = try KernelRunner.measure(PreparedKernel(.wakeLatency, .quick), on: context)
            let names = measurement.outcome.metrics.map(\.name)
            for idle in ["idle0ms", "idle1ms", "idle10ms"] {
                for figure in ["p50_us", "p99_us", "max_us"] { #expect(names.contains("\(idle)_\(figure)")) }
            }
        }
    }

    /// The async kernels run every task, yield and message, on the pool and
    /// on the default global executor, and only there (the parked kernel,
    /// which reads the pool's stall report, on the pool alone).
    @Test(arguments: [BackendName.pool, .taskgroup])
    func asyncKernelsRunEverything(_ backend: BackendName) async throws {
        try await onOwnThread {
            let context = try BackendContext(backend: backend, workers: 2)
            defer { context.shutdown() }
            for kernel in KernelName.asyncKernels {
                let prepared = PreparedKernel(kernel, .quick)
                guard backend.supports(kernel) else {
                    #expect(throws: BenchError.self) { try KernelRunner.measure(prepared, on: context) }
                    continue
                }
                let measurement = try KernelRunner.measure(prepared, on: context)
                #expect(measurement.outcome.checksum == prepared.expectedChecksum, "\(kernel) on \(backend)")
                #expect(!measurement.outcome.metrics.isEmpty)
            }
        }
        for other in [BackendName.sequential, .dispatch, .naive] {
            #expect(!other.supports(.actors))
        }
        #expect(BackendName.pool.supports(.parked) && !BackendName.taskgroup.supports(.parked))
    }

    @Test func sequentialRefusesSchedulerKernels() async throws {
        try await onOwnThread {
            let context = try BackendContext(backend: .sequential, workers: 1)
            #expect(throws: BenchError.self) { try KernelRunner.measure(PreparedKernel(.inject, .quick), on: context) }
        }
    }
}
