import CTaskletsShims

/// What the stall watch asks of a channel, whatever its element type.
protocol ParkedTaskSource: AnyObject, Sendable {
    /// The waiters parked here by the workers of `pool`.
    func parks(by pool: UInt64) -> [StallWatch.Park]
    /// Takes them off this channel, their values undelivered, if
    /// `stillStalled` (asked with this channel locked) says so; returns
    /// what resumes them with `error`, for the caller to run once every
    /// channel was seen (a resumed task runs a job, which `stillStalled`
    /// would take for new activity).
    func failParks(
        by pool: UInt64, with error: ChannelError, if stillStalled: () -> Bool
    ) -> () -> Void
}

extension Channel: ParkedTaskSource {
    func parks(by pool: UInt64) -> [StallWatch.Park] {
        lock.withLock {
            (senders.all + receivers.all).compactMap { waiter in
                guard waiter.parkedBy == pool else { return nil }
                let operation: StallReport.Operation
                switch waiter.role {
                case .sender: operation = .send
                case .receiver: operation = .receive
                case .select(let select, _):
                    guard select.isWaiting else { return nil }
                    operation = .select
                case .idle: return nil
                }
                return StallWatch.Park(
                    channel: name, operation: operation, parkedAt: waiter.parkedAt,
                    select: waiter.select.map(ObjectIdentifier.init))
            }
        }
    }

    func failParks(
        by pool: UInt64, with error: ChannelError, if stillStalled: () -> Bool
    ) -> () -> Void {
        lock.lock()
        // Asked under the lock: a task parked here after the watch decided
        // ran a job of the pool first, which `stillStalled` sees.
        guard stillStalled() else {
            lock.unlock()
            return {}
        }
        var wakes: [ChannelWake<Element>] = []
        for waiter in senders.all + receivers.all where waiter.parkedBy == pool {
            switch waiter.role {
            case .sender(let continuation):
                senders.remove(waiter)
                release(waiter)
                wakes.append(.failSender(continuation, error))
            case .receiver(let continuation):
                receivers.remove(waiter)
                release(waiter)
                wakes.append(.failReceiver(continuation, error))
            case .select(let select, let clause):
                // Committed like a clause (the select is registered, so its
                // continuation is stored), not cancelled: only the task's
                // cancellation handler cancels, through `arm`'s handshake.
                // Its other clauses leave their channels when it resumes.
                if select.commit(clause) { wakes.append(.failSelect(select, error)) }
            case .idle:
                break
            }
        }
        lock.unlock()
        return { for wake in wakes { wake.perform() } }
    }
}
