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
