import Foundation
import Testing
@testable import Tasklets

/// Pools created and shut down in a loop leave no threads and no memory
/// behind. Process-wide counts are only meaningful with nothing else running,
/// so these run alone: `TASKLETS_RESOURCE_TESTS=1 swift test --filter ResourceTests`
/// (as `.ci/run` does).
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["TASKLETS_RESOURCE_TESTS"] == "1"))
struct ResourceTests {
    func threadCount() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").count) ?? -1
    }

    func residentKilobytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
        }
        return -1
    }

    @Test func aThousandPoolsLeaveNoThreadsAndNoMemoryBehind() throws {
        // Warm up allocator caches and lazily created runtime state.
        for _ in 0..<20 {
            let pool = try TaskletPool(workers: 4)
            _ = try pool.run { try parallelReduce(0..<1000, grain: 10, identity: 0, combine: +) { $0.count } }
            pool.shutdown()
        }
        let threadsBefore = threadCount()
        let memoryBefore = residentKilobytes()
        for round in 0..<1000 {
            let pool = try TaskletPool(workers: 4)
            let sum = try pool.run {
                try parallelReduce(0..<1000, grain: 10, identity: 0, combine: +) { $0.count }
            }
            #expect(sum == 1000)
            if round % 3 == 0 { try pool.spawn {} }
            pool.shutdown()
        }
        // No growth: a leak would leave up to 4,000 threads. (Runtime threads
        // of Dispatch and Swift Concurrency may come and go meanwhile.)
        #expect(threadCount() <= threadsBefore)
        // 1000 pools of 4 workers with 16 MiB stacks: a leak of even one
        // stack or deque ring per pool would add megabytes.
        #expect(residentKilobytes() - memoryBefore < 8 * 1024)
    }

    @Test func droppedPoolsLeaveNoThreadsBehind() throws {
        let threadsBefore = threadCount()
        for _ in 0..<200 {
            let pool = try TaskletPool(workers: 3)
            _ = try pool.run { 1 }
        }
        #expect(eventually { threadCount() <= threadsBefore })
    }
}
