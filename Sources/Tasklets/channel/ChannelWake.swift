/// What a channel operation resumes once it has dropped the channel's lock
/// (a continuation is never resumed under a lock: the resumed task may run
/// at once on another worker and come back to the same channel).
@usableFromInline
enum ChannelWake<Element: Sendable> {
    case none
    case receiver(UnsafeContinuation<Element?, any Error>, Element?)
    case sender(UnsafeContinuation<Void, any Error>)
    case select(SelectWaiter, Int)
    case failReceiver(UnsafeContinuation<Element?, any Error>, any Error)
    case failSender(UnsafeContinuation<Void, any Error>, any Error)
    /// A select this side committed to a failing clause, or cancelled
    /// (`SelectWaiter.cancel`, for a stall): resumed with the error. Its
    /// clauses were registered, so it is armed.
    case failSelect(SelectWaiter, any Error)

    @inlinable
    func perform() {
        switch self {
        case .none:
            break
        case .receiver(let continuation, let value):
            continuation.resume(returning: value)
        case .sender(let continuation):
            continuation.resume()
        case .select(let select, let clause):
            select.continuation.unsafelyUnwrapped.resume(returning: clause)
        case .failReceiver(let continuation, let error):
            continuation.resume(throwing: error)
        case .failSender(let continuation, let error):
            continuation.resume(throwing: error)
        case .failSelect(let select, let error):
            select.continuation.unsafelyUnwrapped.resume(throwing: error)
        }
    }
}
