/// The tasks a pool's workers parked on channels, and whether the pool has
/// anything else to do (`TaskletPool.stallReport()`).
///
/// It states what the pool can see, and no more: a task parked on a channel
/// may be waiting for a socket, a timer or another executor, which the pool
/// cannot see. So an idle pool with parked tasks is a *stall*, worth a look,
/// not a proven deadlock.
public struct StallReport: Sendable, Hashable, CustomStringConvertible {
    /// What a parked task waits to do.
    public enum Operation: Sendable, Hashable {
        case send, receive, select
    }

    /// One parked task.
    public struct ParkedTask: Sendable, Hashable {
        /// Whether it waits in a `send`, a `receive` or a `select`.
        public var operation: Operation
        /// The channels it waits on, by name (nil for an unnamed one): one,
        /// or each channel of a `select`.
        public var channels: [String?]
        /// How long it has waited (to the kernel tick, a few milliseconds).
        public var parkedFor: Duration
    }

    /// Longest parked first.
    public var parkedTasks: [ParkedTask]
    /// True when every worker was asleep and no job was queued: nothing in
    /// the pool can wake the parked tasks.
    public var poolIsIdle: Bool
    /// The pool's worker count, spares not included.
    public var workerCount: Int

    /// The report as text: a summary line, then one line per parked task
    /// with its operation, channels and time parked.
    public var description: String {
        var lines = ["\(parkedTasks.count) task(s) parked on channels; the pool is "
            + (poolIsIdle ? "idle (nothing queued, every worker asleep)" : "busy")]
        for task in parkedTasks {
            let names = task.channels.map { $0.map { "\"\($0)\"" } ?? "(unnamed)" }.joined(separator: ", ")
            let milliseconds = task.parkedFor.components.seconds * 1000
                + task.parkedFor.components.attoseconds / 1_000_000_000_000_000
            lines.append("  \(task.operation) on \(names) for \(milliseconds) ms")
        }
        return lines.joined(separator: "\n")
    }
}

/// What to do when the pool has been idle for a while with tasks parked on
/// its channels (`TaskletPool.watchForStalls`).
public enum StallAction: Sendable {
    /// Call the handler with the report (on the pool's watch thread).
    case report(@Sendable (StallReport) -> Void)
    /// Resume every parked task with `ChannelError.stalled`, naming the
    /// channels; their values are not delivered.
    case fail
}
