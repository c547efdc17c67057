/// What a worker thread is doing, as it publishes it in `Worker.phase`.
enum WorkerPhase: UInt8, Sendable {
    /// Looking for work (or between jobs).
    case searching
    /// Running a job taken from a queue.
    case running
    /// Asleep: a worker in the sleep protocol, or an idle spare.
    case parked
    /// Inside `blocking { }`.
    case blocking
    /// A spare slot whose thread has exited.
    case retired
}
