import Synchronization
import Testing
@testable import Tasklets

#if canImport(Glibc)
import Glibc
#endif

@Suite struct JoinTests {
    @Test func secondHalfIsStolenWhileFirstHalfIsBusy() throws {
        let pool = try TaskletPool(workers: 2)
        defer { pool.shutdown() }
        let (first, second) = try pool.run {
            join({ () -> Int? in
                usleep(50_000)
                return TaskletPool.currentWorkerIndex
            }, { TaskletPool.currentWorkerIndex })
        }
        #expect(first != second)
        #expect(pool.statistics().total.steals >= 1)
    }
}
