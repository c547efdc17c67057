#if ServiceLifecycle
import Foundation
import Logging
import ServiceLifecycle
import Tasklets
import Testing

@testable import TaskletsServiceLifecycle

@Suite struct TaskletPoolServiceTests {
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
        let running = Task {
            try await group.run()
            finished.withLock { $0 = true }
        }
        let ran = try queueWork(on: pool, count: 50, holdMilliseconds: 100)
        #expect(!pool.isShutDown)
        await group.triggerGracefulShutdown()
        #expect(await eventually { finished.current })
        try await running.value
        #expect(ran.current == 51)  // everything queued ran
        #expect(pool.isShutDown)
        #expect(throws: TaskletPoolError.shutDown) { try pool.spawn {} }
    }

    @Test func cancellationShutsThePoolDownGracefully() async throws {
        let pool = try TaskletPool(workers: 1, supervision: .disabled)
        let service = TaskletPoolService(pool: pool)
        let finished = Locked(false)
        let running = Task {
            try await service.run()
            finished.withLock { $0 = true }
        }
        let ran = try queueWork(on: pool, count: 50, holdMilliseconds: 100)
        // Still running until cancelled.
        try await Task.sleep(for: .milliseconds(20))
        #expect(!finished.current)
        #expect(!pool.isShutDown)
        running.cancel()
        #expect(await eventually { finished.current })
        try await running.value
        #expect(ran.current == 51)
        #expect(pool.isShutDown)
    }

    @Test func aServiceOnAPoolAlreadyShutDownStopsAtOnceWhenCancelled() async throws {
        let pool = try TaskletPool(workers: 1, supervision: .disabled)
        pool.shutdown()
        let finished = Locked(false)
        let running = Task {
            try await TaskletPoolService(pool: pool).run()
            finished.withLock { $0 = true }
        }
        running.cancel()
        #expect(await eventually { finished.current })
        try await running.value
        #expect(TaskletPoolService(pool: pool).description.contains("1 workers"))
    }
}
#endif
