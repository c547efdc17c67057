import CTaskletsShims

/// The channel's rules, applied under its lock. Each function either
/// completes an operation, returning what to resume once the lock is
/// dropped (`ChannelWake`), or says that the caller must park.
extension Channel {
    @usableFromInline
    enum SendAttempt {
        case done(ChannelWake<Element>)
        case closed(any Error)
        case full
    }

    @usableFromInline
    enum ReceiveAttempt {
        case value(Element, ChannelWake<Element>)
        case ended(Ending)
        case empty
    }

    /// A send: to the oldest waiting receiver, else into the buffer.
    @inlinable
    func attemptSend(_ value: Element) -> SendAttempt {
        if let ending { return .closed(error(for: ending)) }
        if let wake = handToReceiver(value) { return .done(wake) }
        if !buffer.isFull {
            buffer.append(value)
            return .done(.none)
        }
        return .full
    }

    /// A receive: the oldest buffered value (refilling the buffer from the
    /// oldest waiting sender), else straight from a waiting sender, else the
    /// end if closed.
    @inlinable
    func attemptReceive() -> ReceiveAttempt {
        if !buffer.isEmpty {
            let value = buffer.removeFirst()
            // Senders wait only while the buffer is full: the oldest one's
            // value takes the freed slot, keeping FIFO order.
            if let (offered, wake) = takeFromSender() {
                buffer.append(offered)
                return .value(value, wake)
            }
            return .value(value, .none)
        }
        if let (offered, wake) = takeFromSender() { return .value(offered, wake) }
        if let ending { return .ended(ending) }
        return .empty
    }

    /// Gives `value` to the oldest receiver that can take it. A select's
    /// clause takes it only if it commits; a clause whose select already
    /// committed elsewhere (or was cancelled) is dropped on the way.
    @inlinable
    func handToReceiver(_ value: Element) -> ChannelWake<Element>? {
        var cursor = receivers.first
        while let waiter = cursor {
            cursor = receivers.after(waiter)
            switch waiter.role {
            case .receiver(let continuation):
                receivers.remove(waiter)
                release(waiter)
                return .receiver(continuation, value)
            case .select(let select, let clause):
                receivers.remove(waiter)
                if select.commit(clause) {
                    waiter.value = value
                    return .select(select, clause)
                }
            case .idle, .sender:
                preconditionFailure("a sender or an idle node among a channel's receivers")
            }
        }
        return nil
    }

    /// Takes the value of the oldest sender that can give it, as above.
    @inlinable
    func takeFromSender() -> (Element, ChannelWake<Element>)? {
        var cursor = senders.first
        while let waiter = cursor {
            cursor = senders.after(waiter)
            switch waiter.role {
            case .sender(let continuation):
                senders.remove(waiter)
                let value = waiter.value.unsafelyUnwrapped
                release(waiter)
                return (value, .sender(continuation))
            case .select(let select, let clause):
                senders.remove(waiter)
                if select.commit(clause) {
                    let value = waiter.value.unsafelyUnwrapped
                    waiter.value = nil
                    return (value, .select(select, clause))
                }
            case .idle, .receiver:
                preconditionFailure("a receiver or an idle node among a channel's senders")
            }
        }
        return nil
    }

    /// Closes the channel: every waiting receiver gets the end (receivers
    /// wait only while the buffer is empty), every waiting sender the error.
    func end(_ ending: Ending) -> Bool {
        lock.lock()
        guard self.ending == nil else {
            lock.unlock()
            return false
        }
        self.ending = ending
        var wakes: [ChannelWake<Element>] = []
        let failure = error(for: ending)
        while let waiter = receivers.first {
            receivers.remove(waiter)
            switch (waiter.role, ending) {
            case (.receiver(let continuation), .closed):
                release(waiter)
                wakes.append(.receiver(continuation, nil))
            case (.receiver(let continuation), .failed(let error)):
                release(waiter)
                wakes.append(.failReceiver(continuation, error))
            case (.select(let select, let clause), .closed):
                if select.commit(clause) { wakes.append(.select(select, clause)) }
            case (.select(let select, let clause), .failed(let error)):
                if select.commit(clause) { wakes.append(.failSelect(select, error)) }
            default:
                preconditionFailure("a sender or an idle node among a channel's receivers")
            }
        }
        while let waiter = senders.first {
            senders.remove(waiter)
            switch waiter.role {
            case .sender(let continuation):
                release(waiter)
                wakes.append(.failSender(continuation, failure))
            case .select(let select, let clause):
                waiter.value = nil
                if select.commit(clause) { wakes.append(.failSelect(select, failure)) }
            default:
                preconditionFailure("a receiver or an idle node among a channel's senders")
            }
        }
        lock.unlock()
        for wake in wakes { wake.perform() }
        return true
    }

    /// Queues `waiter` (whose role is set) among the senders or receivers,
    /// stamped for stall reports; registers the channel with the parking
    /// pool's stall watch the first time that pool parks a task here.
    @inlinable
    func park(_ waiter: ChannelWaiter<Element>, asSender: Bool) {
        waiter.parkedAt = ctasklets_coarse_now_ns()
        if let worker = Worker.current {
            let pool = worker.pointee.poolIdentity
            waiter.parkedBy = pool
            if !watchingPools.contains(pool) { watchFrom(worker.pointee.registry) }
        }
        if asSender { senders.append(waiter) } else { receivers.append(waiter) }
    }

    /// The first park by `pool`'s workers: the pool's stall watch learns of
    /// this channel.
    @usableFromInline
    func watchFrom(_ pool: Unmanaged<Registry>) {
        if watchingPools.count == Self.maximumWatchingPools { watchingPools.removeFirst() }
        watchingPools.append(pool.takeUnretainedValue().identity)
        pool.takeUnretainedValue().stallWatch.watch(self)
    }

    /// Cancels the park `ticket` of `waiter` if it still waits: it leaves
    /// its queue and its task gets `CancellationError`; a sender's value is
    /// not delivered.
    @usableFromInline
    func cancelPark(_ waiter: ChannelWaiter<Element>, ticket: UInt64) {
        lock.lock()
        guard waiter.ticket == ticket, waiter.isQueued else {
            lock.unlock()
            return
        }
        let wake: ChannelWake<Element>
        switch waiter.role {
        case .receiver(let continuation):
            receivers.remove(waiter)
            wake = .failReceiver(continuation, CancellationError())
        case .sender(let continuation):
            senders.remove(waiter)
            wake = .failSender(continuation, CancellationError())
        case .select, .idle:
            lock.unlock()
            return
        }
        release(waiter)
        lock.unlock()
        wake.perform()
    }
}
