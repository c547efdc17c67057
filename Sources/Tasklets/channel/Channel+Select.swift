/// A channel clause of `select`, whatever its channel's element type, with
/// its state for one call: made afresh by each `select` call
/// (`SelectClause.Kind.channel`) and used from that call's task only.
protocol SelectCase<Result>: AnyObject {
    associatedtype Result
    /// The channel's lock.
    var lock: PthreadLock { get }
    /// With the lock held: does the operation if it can complete now, and
    /// keeps its outcome for `completion` and the counterpart to resume for
    /// `wakeCounterpart`.
    func completeNow() -> Bool
    /// After the locks are dropped: resumes the counterpart of `completeNow`.
    func wakeCounterpart()
    /// With the lock held: queues a waiter for `select`'s clause `clause`.
    func register(_ select: SelectWaiter, clause: Int)
    /// Takes the waiter off the channel if it is still queued (locks).
    func unregister()
    /// Runs the handler of the clause that completed or committed.
    nonisolated(nonsending)
    func finish() async throws -> Result
}

/// `.receive(from:)`.
final class ReceiveCase<Element: Sendable, Result>: SelectCase {
    let channel: Channel<Element>
    let handler: (Element?) async throws -> Result
    private var outcome: Swift.Result<Element?, any Error> = .success(nil)
    private var counterpart = ChannelWake<Element>.none
    private var waiter: ChannelWaiter<Element>?

    init(_ channel: Channel<Element>, _ handler: @escaping (Element?) async throws -> Result) {
        self.channel = channel
        self.handler = handler
    }

    var lock: PthreadLock { channel.lock }

    func completeNow() -> Bool {
        switch channel.attemptReceive() {
        case .value(let value, let wake):
            outcome = .success(value)
            counterpart = wake
            return true
        case .ended(let ending):
            outcome = Swift.Result { try channel.endOfValues(ending) }
            return true
        case .empty:
            return false
        }
    }

    func wakeCounterpart() { counterpart.perform() }

    func register(_ select: SelectWaiter, clause: Int) {
        let waiter = ChannelWaiter<Element>()
        waiter.role = .select(select, clause: clause)
        channel.park(waiter, asSender: false)
        self.waiter = waiter
    }

    func unregister() {
        guard let waiter else { return }
        channel.lock.withLock {
            if waiter.isQueued { channel.receivers.remove(waiter) }
            // A sender that committed this clause left its value here;
            // closing left nil.
            outcome = .success(waiter.value)
        }
    }

    nonisolated(nonsending)
    func finish() async throws -> Result {
        try await handler(outcome.get())
    }
}

/// `.send(_:to:)`.
final class SendCase<Element: Sendable, Result>: SelectCase {
    let value: Element
    let channel: Channel<Element>
    let handler: () async throws -> Result
    private var outcome: Swift.Result<Void, any Error> = .success(())
    private var counterpart = ChannelWake<Element>.none
    private var waiter: ChannelWaiter<Element>?

    init(_ value: Element, _ channel: Channel<Element>, _ handler: @escaping () async throws -> Result) {
        self.value = value
        self.channel = channel
        self.handler = handler
    }

    var lock: PthreadLock { channel.lock }

    func completeNow() -> Bool {
        switch channel.attemptSend(value) {
        case .done(let wake):
            counterpart = wake
            return true
        case .closed(let error):
            outcome = .failure(error)
            return true
        case .full:
            return false
        }
    }

    func wakeCounterpart() { counterpart.perform() }

    func register(_ select: SelectWaiter, clause: Int) {
        let waiter = ChannelWaiter<Element>()
        waiter.role = .select(select, clause: clause)
        waiter.value = value
        channel.park(waiter, asSender: true)
        self.waiter = waiter
    }

    func unregister() {
        guard let waiter else { return }
        channel.lock.withLock {
            if waiter.isQueued { channel.senders.remove(waiter) }
        }
    }

    nonisolated(nonsending)
    func finish() async throws -> Result {
        try outcome.get()
        return try await handler()
    }
}
