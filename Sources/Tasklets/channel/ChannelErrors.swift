/// Thrown by a send on a closed channel (closed without an error), and by
/// `tryReceive` and a `select` on a closed, drained channel.
public struct ChannelClosedError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The channel's name, if it was given one.
    public let channel: String?

    /// The error for the channel named `channel` (nil for an unnamed one).
    public init(channel: String?) {
        self.channel = channel
    }

    /// "the channel "NAME" is closed", or "the channel is closed" for an
    /// unnamed one.
    public var description: String {
        channel.map { "the channel \"\($0)\" is closed" } ?? "the channel is closed"
    }
}

/// Errors of channel construction and of the pool's stall watch.
public enum ChannelError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A capacity below 0.
    case invalidCapacity(Int)
    /// A `select` with no clauses, two defaults, or a default and a timeout.
    case invalidSelect(String)
    /// `watchForStalls` with an interval below 1 ms.
    case invalidStallInterval(Duration)
    /// The pool's stall watch resumed a parked task (`StallAction.fail`):
    /// the pool had nothing to run for `idleMilliseconds` while tasks stayed
    /// parked on these channels (their names, "unnamed" for the others).
    case stalled(channels: [String], idleMilliseconds: Int)

    /// A one-line message that names the bad value and what was expected,
    /// or the channels a stalled task waited on.
    public var description: String {
        switch self {
        case .invalidCapacity(let capacity):
            return "invalid channel capacity \(capacity): expected 0 (a rendezvous) or more"
        case .invalidSelect(let reason):
            return "invalid select: \(reason)"
        case .invalidStallInterval(let interval):
            return "invalid stall interval \(interval): expected 1 ms or more"
        case .stalled(let channels, let idle):
            return "stalled: the pool ran nothing for \(idle) ms while tasks waited on "
                + channels.map { "\"\($0)\"" }.joined(separator: ", ")
        }
    }
}
