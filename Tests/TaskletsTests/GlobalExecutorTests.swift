import Foundation
import Testing
@testable import Tasklets
import CTaskletsShims

/// `TaskletPool.installAsGlobalExecutor`, each in a child process: it
/// changes the whole process for good.
@Suite struct GlobalExecutorTests {
    @Test func plainTasksAndAsyncLetRunOnThePoolOnceInstalled() async {
        await #expect(processExitsWith: .success) {
            // No reference kept: the installation keeps the pool alive.
            try TaskletPool.installAsGlobalExecutor(try TaskletPool(workers: 2))
            let fromTask = await Task { TaskletPool.currentWorkerIndex }.value
            async let fromAsyncLet = TaskletPool.currentWorkerIndex
            let fromDetached = await Task.detached { TaskletPool.currentWorkerIndex }.value
            let afterSleep = await Task { () -> Int? in
                try? await Task.sleep(for: .milliseconds(5))
                return TaskletPool.currentWorkerIndex
            }.value
            let all = [fromTask, await fromAsyncLet, fromDetached, afterSleep]
            guard all.allSatisfy({ $0 != nil }) else {
                print("not on a pool worker: \(all)")
                exit(1)
            }
            // Once per process.
            do {
                try TaskletPool.installAsGlobalExecutor(try TaskletPool(workers: 1))
                exit(2)
            } catch TaskletPoolError.globalExecutorAlreadyInstalled {
            }
        }
    }

    @Test func anotherLibrarysHookIsNotReplaced() async {
        await #expect(processExitsWith: .success) {
            guard ctasklets_occupy_global_hook_for_testing() == 0 else { exit(3) }
            let pool = try TaskletPool(workers: 1)
            do {
                try TaskletPool.installAsGlobalExecutor(pool)
                exit(1)
            } catch TaskletPoolError.globalExecutorHookTaken {
            }
            // Tasks still run, on the other library's (forwarding) executor.
            let worker = await Task { TaskletPool.currentWorkerIndex }.value
            guard worker == nil else { exit(2) }
        }
    }

    @Test func aRuntimeWithoutTheHooksIsRefusedClearly() throws {
        var system = SystemCalls.live
        system.installGlobalExecutorHooks = { _, _, _ in Int32(CTASKLETS_GLOBAL_HOOKS_MISSING) }
        let pool = try TaskletPool(workers: 1, system: system, errorHandler: { _ in })
        defer { pool.shutdown() }
        #expect(throws: TaskletPoolError.globalExecutorUnavailable) {
            try GlobalExecutorInstallation.install(pool)
        }
        #expect(TaskletPoolError.globalExecutorUnavailable.description.contains("swift_task_enqueueGlobal_hook"))
    }
}
