import Testing
@testable import Tasklets

/// What carrying Swift jobs in the queues relies on (job/SwiftJob.swift).
@Suite struct SwiftJobTests {
    /// An `UnownedJob` is one pointer, 16-byte aligned: its low bit is free
    /// for the tag, and the tagged reference gives the same job back.
    @Test func aSwiftJobIsOneAlignedPointer() async throws {
        #expect(MemoryLayout<UnownedJob>.size == MemoryLayout<UInt>.size)
        try await onTestDriver {
            let recorder = RecordingExecutor()
            await Task(executorPreference: recorder) {}.value
            #expect(recorder.jobs.allSatisfy { $0 & 0xF == 0 && $0 != 0 })
            #expect(!recorder.jobs.isEmpty)
            for bits in recorder.jobs {
                let job = unsafeBitCast(bits, to: UnownedJob.self)
                let reference = JobRef(swiftJob: job)
                #expect(reference.isSwiftJob)
                #expect(unsafeBitCast(reference.swiftJob, to: UInt.self) == bits)
            }
        }
    }

    /// `Task.yield()` enqueues a job of the kind `UnownedJob.yieldKind`; a
    /// task's own job is another kind.
    @Test func aYieldHasTheKindTheQueuesLookFor() async throws {
        try await onTestDriver {
            let recorder = RecordingExecutor()
            await Task(executorPreference: recorder) { await Task.yield() }.value
            #expect(recorder.yields == 1, "jobs: \(recorder.jobs.count), yields: \(recorder.yields)")
        }
    }
}

/// Runs each job at once on a plain thread, recording what it saw.
final class RecordingExecutor: TaskExecutor, @unchecked Sendable {
    private let lock = PthreadLock()
    private var seen: [UInt] = []
    private var yieldCount = 0
    var jobs: [UInt] { lock.withLock { seen } }
    var yields: Int { lock.withLock { yieldCount } }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        lock.withLock {
            seen.append(unsafeBitCast(job, to: UInt.self))
            if job.isYield { yieldCount += 1 }
        }
        let executor = asUnownedTaskExecutor()
        LastResortThread.shared.run { job.runSynchronously(on: executor) }
    }
}
