/// A task parked on a channel: a receiver, a sender with the value it
/// offers, or one clause of a `select`.
///
/// It lives in its channel's FIFO of senders or of receivers, under the
/// channel's lock (that lock guards every field). A plain receiver's or
/// sender's node comes from the channel's free list and goes back there
/// when the park ends, so a park allocates nothing once a channel has warmed
/// up; a select's nodes belong to the select.
final class ChannelWaiter<Element: Sendable>: @unchecked Sendable {
    enum Role {
        case idle
        case receiver(UnsafeContinuation<Element?, any Error>)
        case sender(UnsafeContinuation<Void, any Error>)
        case select(SelectWaiter, clause: Int)
    }

    var role = Role.idle
    /// The value a sender offers, or the one a select's receive clause got.
    var value: Element?
    var isQueued = false
    /// Bumped each time the node is handed out, so that the cancellation
    /// handler of an earlier park, running late, cannot touch this one.
    var ticket: UInt64 = 0
    /// When it parked (coarse clock, for stall reports).
    var parkedAt: UInt64 = 0
    /// The registry of the pool whose worker parked it, an opaque identity
    /// that is only ever compared (stall reports); nil off every pool.
    var parkedBy: UnsafeMutableRawPointer?

    fileprivate var next: ChannelWaiter?
    fileprivate unowned(unsafe) var previous: ChannelWaiter?

    init() {}

    /// The select this node is a clause of, if any.
    var select: SelectWaiter? {
        if case .select(let select, _) = role { return select }
        return nil
    }
}

/// A FIFO of parked waiters with O(1) removal from the middle (a cancelled
/// waiter leaves from wherever it is).
struct WaiterQueue<Element: Sendable> {
    private(set) var first: ChannelWaiter<Element>?
    private unowned(unsafe) var last: ChannelWaiter<Element>?
    private(set) var count = 0

    mutating func append(_ waiter: ChannelWaiter<Element>) {
        waiter.isQueued = true
        waiter.next = nil
        waiter.previous = last
        if let last { last.next = waiter } else { first = waiter }
        last = waiter
        count += 1
    }

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
