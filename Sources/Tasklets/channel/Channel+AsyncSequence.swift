extension Channel: AsyncSequence {
    /// Receives until the channel is closed and drained; throws the close
    /// error, or `CancellationError` if the task is cancelled while waiting.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let channel: Channel

        nonisolated(nonsending)
        public mutating func next() async throws -> Element? {
            try await channel.receive()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(channel: self)
    }
}
