// expect-ok
// What `run` is for keeps compiling in Swift 6 mode, with no `unsafe`.
import Tasklets

final class Accumulator {  // not Sendable
    var total = 0
}

func fib(_ n: Int) -> Int {
    if n < 2 { return n }
    let (a, b) = join({ fib(n - 1) }, { fib(n - 2) })
    return a + b
}

struct Failure: Error {}

func uses(_ pool: TaskletPool) throws {
    let values = Array(0..<1_000)
    let sum = try pool.run { values.reduce(0, +) }
    var local = 0
    try pool.run { local += fib(20) }
    let accumulator = Accumulator()  // not Sendable: sent to the worker, not used after
    try pool.run { accumulator.total += sum }
    let made = try pool.run { Accumulator() }
    let typed: Int = try pool.run { () throws(Failure) -> Int in
        if local < 0 { throw Failure() }
        return local
    }
    print(sum, local, made.total, typed)
}

@MainActor func fromTheMainActor(_ pool: TaskletPool) throws -> Int {
    let input = [3, 1, 2]
    return try pool.run { input.sorted().first ?? 0 }
}

@MainActor func fromTheMainActorAsync(_ pool: TaskletPool) async throws -> Int {
    let input = [3, 1, 2]
    let smallest = try await pool.run { input.sorted().first ?? 0 }
    let made = try await pool.run { Accumulator() }  // a non-Sendable result
    return smallest + made.total
}

actor Inbox {
    let strand: TaskletStrand
    nonisolated var unownedExecutor: UnownedSerialExecutor { strand.asUnownedSerialExecutor() }
    var received: [String] = []
    init(pool: TaskletPool) { strand = pool.makeSerialExecutor() }
    func receive(_ message: String) { received.append(message) }
}

func tasksOnThePool(_ pool: TaskletPool) async throws {
    let inbox = Inbox(pool: pool)
    await Task(executorPreference: pool) { await inbox.receive("hello") }.value
    let total = await withTaskExecutorPreference(pool) { fib(20) + fib(21) }
    print(total, await inbox.received)
}
