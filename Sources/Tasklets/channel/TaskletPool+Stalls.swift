extension TaskletPool {
    /// The tasks this pool's workers parked on channels, and whether the pool
    /// is idle (docs/channels.md, "Stalls"). Takes each channel's lock once.
    public func stallReport() -> StallReport {
        registry.stallWatch.report(for: registry)
    }

    /// Opt-in: once the pool has run nothing for `interval` (every worker
    /// asleep, nothing queued) while tasks stay parked on channels its
    /// workers parked them on, `action` runs: a report to a handler, or the
    /// parked tasks resumed with `ChannelError.stalled`. It runs once per
    /// idle stretch. Off by default; calling again replaces the policy.
    /// Throws `ChannelError.invalidStallInterval` for an interval below
    /// 1 ms, and `.shutDown` after shutdown.
    public func watchForStalls(after interval: Duration, action: StallAction) throws {
        guard interval >= .milliseconds(1) else { throw ChannelError.invalidStallInterval(interval) }
        guard !registry.isShutDown.load(ordering: .relaxed) else { throw TaskletPoolError.shutDown }
        try registry.stallWatch.start(interval: interval.nanoseconds, action: action, registry: registry)
    }

    /// Turns the stall watch off (its thread stays, asleep, until shutdown).
    public func stopWatchingForStalls() {
        registry.stallWatch.pause()
    }
}
