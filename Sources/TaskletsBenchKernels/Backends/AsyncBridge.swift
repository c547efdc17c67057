import Dispatch

/// Runs async code from a synchronous thread and blocks until it is done.
///
/// The taskgroup backend measures `withTaskGroup` on the default global
/// executor; the harness itself is synchronous, so it enters through a
/// detached task and waits on a semaphore (the calling thread is not one of
/// the executor's threads, so blocking it costs the executor nothing).
enum AsyncBridge {
    static func run<T: Sendable>(_ operation: @escaping @Sendable () async -> T) -> T {
        let slot = ResultSlot<T>()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            slot.value = await operation()
            done.signal()
        }
        done.wait()
        return slot.take()
    }
}
