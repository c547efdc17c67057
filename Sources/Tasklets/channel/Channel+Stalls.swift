import CTaskletsShims

/// What the stall watch asks of a channel, whatever its element type.
protocol ParkedTaskSource: AnyObject, Sendable {
    /// The waiters parked here by the workers of `pool`.
    func parks(by pool: UnsafeMutableRawPointer) -> [StallWatch.Park]
    /// Resumes them with `error`, their values undelivered.
    func failParks(by pool: UnsafeMutableRawPointer, with error: ChannelError)
}

extension Channel: ParkedTaskSource {
    func parks(by pool: UnsafeMutableRawPointer) -> [StallWatch.Park] {
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

    func failParks(by pool: UnsafeMutableRawPointer, with error: ChannelError) {
        lock.lock()
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
            case .select(let select, _):
                // Its other clauses leave their channels when it resumes.
                if select.cancel() { wakes.append(.failSelect(select, error)) }
            case .idle:
                break
            }
        }
        lock.unlock()
        for wake in wakes { wake.perform() }
    }
}
