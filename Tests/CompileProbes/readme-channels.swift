// expect-ok
// The README's channel example compiles in Swift 6 mode with no `unsafe`;
// ChannelTests.readmeProducerConsumer runs the same code.
import Tasklets

func squaresOverChannels(on pool: TaskletPool) async throws -> Int {
    let jobs = try Channel<Int>(capacity: 0, name: "jobs")        // a rendezvous, like Stackless
    let results = try Channel<Int>(capacity: 16, name: "results")

    let consumers = Task(executorPreference: pool) {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask(executorPreference: pool) {
                    // A receive parks this task, never its thread.
                    while let n = try await jobs.receive() { try await results.send(n * n) }
                }
            }
            try await group.waitForAll()
        }
        results.close()                                       // the summing loop below ends
    }
    let summer = Task(executorPreference: pool) {
        var total = 0
        for try await square in results { total += square }
        return total
    }
    for n in 1...100 { try await jobs.send(n) }               // each send waits for a receiver
    jobs.close()
    try await consumers.value
    return try await summer.value                             // 338,350
}
