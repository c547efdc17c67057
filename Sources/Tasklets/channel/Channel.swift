/// A channel between tasks, in the style of Stackless Python's and Go's: a
/// send waits until a receiver takes the value (or, buffered, until there is
/// room), a receive waits until a value comes, and waiting parks the task,
/// never the thread.
///
/// ```swift
/// let numbers = try Channel<Int>(capacity: 0, name: "numbers")
/// Task(executorPreference: pool) {
///     for n in 1...3 { try await numbers.send(n) }
///     numbers.close()
/// }
/// for try await n in numbers { print(n) }   // 1, 2, 3
/// ```
///
/// Many senders and many receivers may share a channel; each waits in FIFO
/// order among its kind. A value is delivered exactly once, or, when its
/// send fails (closed channel, cancelled task), not at all. A receiver woken
/// by a send on a pool worker runs next on that worker. Channels work from
/// any executor. The exact rules are in docs/channels.md.
public final class Channel<Element: Sendable>: @unchecked Sendable {
    /// How many values the channel holds without a receiver: 0 is a
    /// rendezvous (a send completes when a receiver takes the value).
    public let capacity: Int
    /// The name shown in errors and stall reports.
    public let name: String?

    /// Guards everything below.
    @usableFromInline let lock = PthreadLock()
    @usableFromInline let buffer: ChannelBuffer<Element>
    @usableFromInline @exclusivity(unchecked) var senders = WaiterQueue<Element>()
    @usableFromInline @exclusivity(unchecked) var receivers = WaiterQueue<Element>()
    /// Set once by `close`.
    @usableFromInline @exclusivity(unchecked) var ending: Ending?
    /// The last pools whose workers parked tasks here (`Registry.identity`),
    /// at most `maximumWatchingPools`: each watches this channel for its
    /// stall reports. Bounded, so that the check on every park stays short
    /// while pools come and go; a pool that fell off registers again (the
    /// watch keeps a channel once).
    @usableFromInline @exclusivity(unchecked) var watchingPools: [UInt64] = []
    @inlinable static var maximumWatchingPools: Int { 8 }
    /// Waiter nodes of finished parks, for the next ones.
    @usableFromInline @exclusivity(unchecked) var spares: [ChannelWaiter<Element>] = []
    @inlinable static var maximumSpares: Int { 16 }

    @usableFromInline
    enum Ending {
        case closed
        case failed(any Error)
    }

    /// A channel holding up to `capacity` values (0: a rendezvous).
    /// Throws `ChannelError.invalidCapacity` below 0. Storage grows with
    /// use, so a large capacity costs nothing until values wait.
    public init(capacity: Int = 0, name: String? = nil) throws(ChannelError) {
        guard capacity >= 0 else { throw .invalidCapacity(capacity) }
        self.capacity = capacity
        self.name = name
        buffer = ChannelBuffer(limit: capacity)
    }

    /// Senders waiting minus receivers waiting (Stackless's `balance`): above
    /// 0, a receive would not wait; below 0, a send would not. A snapshot;
    /// a `select` waiting on this channel counts until it completes.
    public var balance: Int {
        lock.withLock { senders.count - receivers.count }
    }

    /// Whether `close` has been called (values may still be buffered).
    public var isClosed: Bool {
        lock.withLock { ending != nil }
    }

    /// Values buffered now.
    public var count: Int {
        lock.withLock { buffer.count }
    }

    /// Closes the channel: receivers get the buffered values, then `nil`;
    /// waiting and later senders get `ChannelClosedError`. Returns false if
    /// it was already closed (the first close wins).
    @discardableResult
    public func close() -> Bool {
        end(.closed)
    }

    /// Closes the channel with an error (Stackless's `send_exception`):
    /// receivers get the buffered values, then `error` is thrown to them;
    /// waiting and later senders get `error` too. Returns false if it was
    /// already closed.
    @discardableResult
    public func close(throwing error: any Error) -> Bool {
        end(.failed(error))
    }

    /// What a send, or a receive after the buffered values, gets once closed.
    @inlinable
    func error(for ending: Ending) -> any Error {
        switch ending {
        case .closed: return ChannelClosedError(channel: name)
        case .failed(let error): return error
        }
    }

    // MARK: Waiter nodes (under the lock)

    /// A node for a park, with a fresh ticket.
    @inlinable
    func reserveWaiter() -> ChannelWaiter<Element> {
        let waiter = spares.popLast() ?? ChannelWaiter()
        waiter.ticket &+= 1
        return waiter
    }

    /// Returns a plain park's node to the free list (not a select's).
    @inlinable
    func release(_ waiter: ChannelWaiter<Element>) {
        waiter.role = .idle
        waiter.value = nil
        waiter.parkedBy = 0
        if spares.count < Self.maximumSpares { spares.append(waiter) }
    }
}
