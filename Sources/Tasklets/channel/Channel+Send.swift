extension Channel {
    /// Sends `value`: hands it to the oldest waiting receiver, or buffers
    /// it, or parks the task until a receiver takes it or there is room.
    ///
    /// Throws `ChannelClosedError` (or the error given to
    /// `close(throwing:)`) if the channel is closed, now or while the task
    /// waits; `CancellationError` if the task is cancelled while it waits.
    /// In both cases the value is not delivered. A send that can complete
    /// without waiting completes, cancelled or not.
    @inlinable nonisolated(nonsending)
    public func send(_ value: Element) async throws {
        lock.lock()
        switch attemptSend(value) {
        case .done(let wake):
            lock.unlock()
            wake.perform()
            return
        case .closed(let error):
            lock.unlock()
            throw error
        case .full:
            break
        }
        let waiter = reserveWaiter()
        let ticket = waiter.ticket
        lock.unlock()
        try await _unsafeInheritExecutor_withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
                // Between the two locks a receiver may have come, or a close.
                lock.lock()
                switch attemptSend(value) {
                case .done(let wake):
                    release(waiter)
                    lock.unlock()
                    wake.perform()
                    continuation.resume()
                case .closed(let error):
                    release(waiter)
                    lock.unlock()
                    continuation.resume(throwing: error)
                case .full:
                    // Checked under the lock: a cancellation handler that
                    // ran before now found nothing queued; one that runs
                    // after takes the lock and finds this park.
                    if Task.isCancelled {
                        release(waiter)
                        lock.unlock()
                        continuation.resume(throwing: CancellationError())
                        return
                    }
                    waiter.role = .sender(continuation)
                    waiter.value = value
                    park(waiter, asSender: true)
                    lock.unlock()
                }
            }
        } onCancel: {
            cancelPark(waiter, ticket: ticket)
        }
    }

    /// Sends `value` if that needs no waiting: true if a receiver took it or
    /// the buffer did, false if neither could (nothing is kept). Throws as
    /// `send` does on a closed channel.
    @inlinable
    public func trySend(_ value: Element) throws -> Bool {
        lock.lock()
        switch attemptSend(value) {
        case .done(let wake):
            lock.unlock()
            wake.perform()
            return true
        case .closed(let error):
            lock.unlock()
            throw error
        case .full:
            lock.unlock()
            return false
        }
    }
}
