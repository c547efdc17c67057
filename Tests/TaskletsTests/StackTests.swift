import Foundation
import Testing
@testable import Tasklets

#if canImport(Glibc)
import Glibc
#endif

/// Worker stack sizes: chosen, validated, and reported when exceeded.
@Suite struct StackTests {
    func system(stackSize: String?) -> SystemCalls {
        var system = SystemCalls.live
        system.environment = { name in name == TaskletPool.stackSizeVariable ? stackSize : nil }
        return system
    }

    @Test func theStackSizeComesFromInitThenTheEnvironmentThenTheDefault() throws {
        #expect(try TaskletPool.stackSize(nil, system: system(stackSize: nil)) == 16 << 20)
        #expect(try TaskletPool.stackSize(nil, system: system(stackSize: "64M")) == 64 << 20)
        #expect(try TaskletPool.stackSize(nil, system: system(stackSize: " 512k ")) == 512 << 10)
        #expect(try TaskletPool.stackSize(nil, system: system(stackSize: "1G")) == 1 << 30)
        #expect(try TaskletPool.stackSize(200_000, system: system(stackSize: "64M")) == 256 << 10)
        let plan = try TaskletPool.plan(workers: 1, stackSize: 1 << 20)
        #expect(plan.stackSize == 1 << 20)
    }

    @Test(arguments: [0, -1, 4096, (128 << 10) - 1, (1 << 30) + 1, Int.max])
    func stackSizesOutsideTheRangeAreRefused(size: Int) {
        #expect(throws: TaskletPoolError.invalidStackSize(size)) {
            _ = try TaskletPool(workers: 1, stackSize: size)
        }
        #expect(TaskletPoolError.invalidStackSize(size).description.contains("128 KiB"))
    }

    @Test(arguments: ["", "lots", "16X", "-1M", "64K", "2G", "99999999999999999999", "1.5M"])
    func badEnvironmentValuesAreRefused(value: String) {
        #expect(throws: TaskletPoolError.self) {
            _ = try TaskletPool.stackSize(nil, system: system(stackSize: value))
        }
        do {
            _ = try TaskletPool.stackSize(nil, system: system(stackSize: value))
        } catch {
            #expect("\(error)".contains("TASKLETS_STACK_SIZE"))
        }
    }

    @Test func aPoolWithASmallStackStillRunsShallowWork() throws {
        let pool = try TaskletPool(workers: 2, stackSize: 256 << 10)
        defer { pool.shutdown() }
        #expect(try bounded { try pool.run { fib(20) } } == 6765)
    }

    /// Recursion deeper than the stack: the worker writes one line naming
    /// itself, the size and how to raise it, then the process dies of the
    /// fault (checked in a child process).
    @Test(.enabled(if: !runsUnderASanitizer, "sanitizers handle SIGSEGV themselves"))
    func aWorkerThatOverflowsItsStackSaysSoBeforeDying() async {
        let result = await #expect(processExitsWith: .signal(SIGSEGV), observing: [\.standardErrorContent]) {
            try StackTests.overflowAWorker()
        }
        let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("swift-tasklets: worker 0 has overflowed its stack of 256 KiB"))
        #expect(text.contains("TASKLETS_STACK_SIZE"))
    }

    static func overflowAWorker() throws {
        let pool = try TaskletPool(workers: 1, stackSize: 256 << 10)
        _ = try pool.run { deep(1 << 30) }
    }

    /// Recursion through `join`, so that every level keeps a frame.
    static func deep(_ depth: Int) -> Int {
        if depth == 0 { return 0 }
        let (left, _) = join({ deep(depth - 1) }, { 1 })
        return left + 1
    }
}
