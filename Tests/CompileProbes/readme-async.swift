// expect-ok
// The README's async example compiles in Swift 6 mode with no `unsafe`. What
// it takes from the example before it, and the work it starts, come first.
func fib(_ n: Int) -> Int { n < 2 ? n : fib(n - 1) + fib(n - 2) }
func work() async {}

import Tasklets

func compute(on pool: TaskletPool) async throws -> Int {
    let sum = try await pool.run { fib(30) }      // suspends; never blocks a cooperative thread
    let child = Task(executorPreference: pool) { await work() }   // work(): an async function of yours
    await child.value
    return sum
}

actor Inbox {                                     // an actor whose messages run on the pool
    let strand: TaskletStrand
    nonisolated var unownedExecutor: UnownedSerialExecutor { strand.asUnownedSerialExecutor() }
    init(pool: TaskletPool) { strand = pool.makeSerialExecutor() }
}
