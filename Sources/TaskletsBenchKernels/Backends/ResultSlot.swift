/// A place where a task on another thread leaves its result. The reader
/// reads only after a synchronizing wait (a lock, a group, a semaphore).
final class ResultSlot<Value>: @unchecked Sendable {
    var value: Value?

    /// The result; a missing one is a bug in the backend, not bad input.
    func take() -> Value {
        guard let value else { preconditionFailure("a task finished without leaving its result") }
        return value
    }
}
