extension Channel {
    /// Receives the oldest value: from the buffer, or from the oldest
    /// waiting sender, or parks the task until one comes.
    ///
    /// Returns nil once the channel is closed and drained; throws the error
    /// given to `close(throwing:)` instead, if any. Throws
    /// `CancellationError` if the task is cancelled while it waits, having
    /// consumed nothing. A receive that can complete without waiting
    /// completes, cancelled or not.
    @inlinable nonisolated(nonsending)
    public func receive() async throws -> Element? {
        lock.lock()
        switch attemptReceive() {
        case .value(let value, let wake):
            lock.unlock()
            wake.perform()
            return value
        case .ended(let ending):
            lock.unlock()
            return try endOfValues(ending)
        case .empty:
            break
        }
        let waiter = reserveWaiter()
        let ticket = waiter.ticket
        lock.unlock()
        return try await _unsafeInheritExecutor_withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Element?, any Error>) in
                // Between the two locks a sender may have come, or a close.
                lock.lock()
                switch attemptReceive() {
                case .value(let value, let wake):
                    release(waiter)
                    lock.unlock()
                    wake.perform()
                    continuation.resume(returning: value)
                case .ended(let ending):
                    release(waiter)
                    lock.unlock()
                    continuation.resume(with: Result { try endOfValues(ending) })
                case .empty:
                    // As in `send`: the cancellation check is under the lock.
                    if Task.isCancelled {
                        release(waiter)
                        lock.unlock()
                        continuation.resume(throwing: CancellationError())
                        return
                    }
                    waiter.role = .receiver(continuation)
                    park(waiter, asSender: false)
                    lock.unlock()
                }
            }
        } onCancel: {
            cancelPark(waiter, ticket: ticket)
        }
    }

    /// Receives a value if one is ready: nil if none is. Throws
    /// `ChannelClosedError` (or the close error) once the channel is closed
    /// and drained, so that "nothing yet" and "nothing ever" differ.
    @inlinable
    public func tryReceive() throws -> Element? {
        lock.lock()
        switch attemptReceive() {
        case .value(let value, let wake):
            lock.unlock()
            wake.perform()
            return value
        case .ended(let ending):
            lock.unlock()
            throw error(for: ending)
        case .empty:
            lock.unlock()
            return nil
        }
    }

    /// A receive's result once the channel is closed and drained.
    @inlinable
    func endOfValues(_ ending: Ending) throws -> Element? {
        if case .failed(let error) = ending { throw error }
        return nil
    }
}
