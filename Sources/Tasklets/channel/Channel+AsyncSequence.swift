extension Channel: AsyncSequence {
    /// Receives until the channel is closed and drained; throws the close
    /// error, or `CancellationError` if the task is cancelled while waiting.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let channel: Channel

        /// The next value (what `receive()` returns), or nil once the
        /// channel is closed without an error and drained.
        ///
        /// - Throws: the error the channel was closed with
        ///   (`close(throwing:)`), or `CancellationError` if the task is
        ///   cancelled while it waits.
        nonisolated(nonsending)
        public mutating func next() async throws -> Element? {
            try await channel.receive()
        }
    }

    /// An iterator that receives from the channel, so that
    /// `for try await value in channel` receives until the channel is
    /// closed and drained. Several loops over one channel share its values:
    /// each value goes to one of them.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(channel: self)
    }
}
