import Foundation
import Tasklets

/// Runs `probe` on every worker of `pool` and returns the results by worker
/// index. Each worker holds until all have run it, so that no worker runs
/// two of them and every worker runs one. Give it a pool with supervision
/// off: workers held while a probe waits in a queue are exactly what the
/// watchdog hands to a spare.
func onEveryWorker<T: Sendable>(
    _ pool: TaskletPool, _ probe: @escaping @Sendable () -> T
) throws -> [Int: T] {
    let results = WorkerResults<T>()
    let arrived = Counters(count: 1)
    try pool.run {
        scope { scope in
            for _ in 0..<pool.workerCount {
                scope.spawn {
                    let value = probe()
                    if let index = TaskletPool.currentWorkerIndex {
                        results.lock.withLock { results.values[index] = value }
                    }
                    arrived.increment(0)
                    _ = eventually(within: 5) { arrived[0] >= pool.workerCount }
                }
            }
        }
    }
    return results.lock.withLock { results.values }
}

/// Results collected from several workers, under a lock.
final class WorkerResults<T>: @unchecked Sendable {
    let lock = NSLock()
    var values: [Int: T] = [:]
}
