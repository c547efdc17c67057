#if ServiceLifecycle
import Foundation
import Logging
import ServiceLifecycle
import Tasklets
import Testing

@testable import TaskletsServiceLifecycle

/// The services run in tasks on a pool of their own (`executor`), so that
/// as little as possible waits for Swift's cooperative pool, which the
/// suite's synchronous tests hold for seconds at a time (see
/// `serviceStopped`).
@Suite struct TaskletPoolServiceTests {
    let executor: TaskletPool

    init() throws {
        executor = try TaskletPool(workers: 2, supervision: .disabled)
    }

    /// Whether the service's task finished within the bound. ServiceGroup
    /// and `gracefulShutdown()` use actors of their own, which run on
    /// Swift's cooperative pool whatever the task's executor: beside the
    /// suite's synchronous tests, which hold both its threads of a 2-core
    /// machine for most of the run (18 s of a 22 s run, measured), the task
    /// may wait until they are done: the bound is the length of a whole
    /// suite under ThreadSanitizer, so that only a service that never stops
    /// fails it.
    func serviceStopped(_ finished: Locked<Bool>) async -> Bool {
        let start = Date()
        let stopped = await eventually(seconds: 600) { finished.current }
        let waited = Date().timeIntervalSince(start)
        #expect(stopped, "the service did not stop within \(waited) s")
        if waited > 5 { print("TaskletPoolServiceTests: the service took \(waited) s to stop") }
        return stopped
    }

    /// Queues `count` tasklets on a one-worker pool behind one that takes
    /// `holdMilliseconds`, so they are still queued when shutdown begins.
    func queueWork(on pool: TaskletPool, count: Int, holdMilliseconds: UInt32) throws -> Locked<Int> {
        let ran = Locked(0)
        let started = Locked(false)
        try pool.spawn {
            started.withLock { $0 = true }
            usleep(holdMilliseconds * 1_000)
            ran.withLock { $0 += 1 }
        }
        #expect(waitUntil { started.current })
        for _ in 0..<count { try pool.spawn { ran.withLock { $0 += 1 } } }
        return ran
    }

    @Test func gracefulShutdownOfTheGroupLetsQueuedWorkFinish() async throws {
        let pool = try TaskletPool(workers: 1, supervision: .disabled)
        let group = ServiceGroup(
            services: [TaskletPoolService(pool: pool)], gracefulShutdownSignals: [],
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let finished = Locked(false)
        let running = Task(executorPreference: executor) {
            try await group.run()
            finished.withLock { $0 = true }
        }
        let ran = try queueWork(on: pool, count: 50, holdMilliseconds: 100)
        #expect(!pool.isShutDown)
        await group.triggerGracefulShutdown()
        guard await serviceStopped(finished) else { return }
        try await running.value
        #expect(ran.current == 51)  // everything queued ran
        #expect(pool.isShutDown)
        #expect(throws: TaskletPoolError.shutDown) { try pool.spawn {} }
    }

    @Test func cancellationShutsThePoolDownGracefully() async throws {
        let pool = try TaskletPool(workers: 1, supervision: .disabled)
        let service = TaskletPoolService(pool: pool)
        let finished = Locked(false)
        let running = Task(executorPreference: executor) {
            try await service.run()
            finished.withLock { $0 = true }
        }
        let ran = try queueWork(on: pool, count: 50, holdMilliseconds: 100)
        // Still running until cancelled.
        try await Task.sleep(for: .milliseconds(20))
        #expect(!finished.current)
        #expect(!pool.isShutDown)
        running.cancel()
        guard await serviceStopped(finished) else { return }
        try await running.value
        #expect(ran.current == 51)
        #expect(pool.isShutDown)
    }

    @Test func aServiceOnAPoolAlreadyShutDownStopsAtOnceWhenCancelled() async throws {
        let pool = try TaskletPool(workers: 1, supervision: .disabled)
        pool.shutdown()
        let finished = Locked(false)
        let running = Task(executorPreference: executor) {
            try await TaskletPoolService(pool: pool).run()
            finished.withLock { $0 = true }
        }
        running.cancel()
        guard await serviceStopped(finished) else { return }
        try await running.value
        #expect(TaskletPoolService(pool: pool).description.contains("1 workers"))
    }
}
#endif
