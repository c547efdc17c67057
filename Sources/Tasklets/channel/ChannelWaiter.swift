/// A task parked on a channel: a receiver, a sender with the value it
/// offers, or one clause of a `select`.
///
/// It lives in its channel's FIFO of senders or of receivers, under the
/// channel's lock (that lock guards every field). A plain receiver's or
/// sender's node comes from the channel's free list and goes back there
/// when the park ends, so a park allocates nothing once a channel has warmed
/// up; a select's nodes belong to the select.
@usableFromInline
final class ChannelWaiter<Element: Sendable>: @unchecked Sendable {
    @usableFromInline
    enum Role {
        case idle
        case receiver(UnsafeContinuation<Element?, any Error>)
        case sender(UnsafeContinuation<Void, any Error>)
        case select(SelectWaiter, clause: Int)
    }

    @usableFromInline @exclusivity(unchecked) var role = Role.idle
    /// The value a sender offers, or the one a select's receive clause got.
    @usableFromInline @exclusivity(unchecked) var value: Element?
    @usableFromInline @exclusivity(unchecked) var isQueued = false
    /// Bumped each time the node is handed out, so that the cancellation
    /// handler of an earlier park, running late, cannot touch this one.
    @usableFromInline @exclusivity(unchecked) var ticket: UInt64 = 0
    /// When it parked (coarse clock, for stall reports).
    @usableFromInline @exclusivity(unchecked) var parkedAt: UInt64 = 0
    /// The registry of the pool whose worker parked it, an opaque identity
    /// that is only ever compared (stall reports); nil off every pool.
    @usableFromInline @exclusivity(unchecked) var parkedBy: UInt64 = 0

    @usableFromInline @exclusivity(unchecked) var next: ChannelWaiter?
    @usableFromInline @exclusivity(unchecked) unowned(unsafe) var previous: ChannelWaiter?

    @usableFromInline
    init() {}

    /// The select this node is a clause of, if any.
    @inlinable
    var select: SelectWaiter? {
        if case .select(let select, _) = role { return select }
        return nil
    }
}

/// A FIFO of parked waiters with O(1) removal from the middle (a cancelled
/// waiter leaves from wherever it is).
@usableFromInline
struct WaiterQueue<Element: Sendable> {
    @usableFromInline var first: ChannelWaiter<Element>?
    @usableFromInline unowned(unsafe) var last: ChannelWaiter<Element>?
    @usableFromInline var count = 0

    @usableFromInline
    init() {}

    @inlinable
    mutating func append(_ waiter: ChannelWaiter<Element>) {
        waiter.isQueued = true
        waiter.next = nil
        waiter.previous = last
        if let last { last.next = waiter } else { first = waiter }
        last = waiter
        count += 1
    }

    @inlinable
    mutating func remove(_ waiter: ChannelWaiter<Element>) {
        waiter.isQueued = false
        let next = waiter.next
        if let previous = waiter.previous { previous.next = next } else { first = next }
        if let next { next.previous = waiter.previous } else { last = waiter.previous }
        waiter.next = nil
        waiter.previous = nil
        count -= 1
    }

    /// The first waiter after `waiter` (nil: from the head).
    @inlinable
    func after(_ waiter: ChannelWaiter<Element>?) -> ChannelWaiter<Element>? {
        waiter == nil ? first : waiter.unsafelyUnwrapped.next
    }

    /// Every waiter, oldest first (for reports and close).
    var all: [ChannelWaiter<Element>] {
        var result: [ChannelWaiter<Element>] = []
        var cursor = first
        while let waiter = cursor {
            result.append(waiter)
            cursor = waiter.next
        }
        return result
    }
}
