import CTaskletsShims

/// A spare worker's life: serve the queues it was sent for, steal like its
/// home worker, wait a while for more, leave (see the policy in
/// `Registry+Watchdog.swift`).
extension Registry {
    func spareMain(_ index: Int) {
        let spare = workers[index]
        // On its home worker's CPU if that one is pinned; else on the CPUs
        // its creator (the watchdog) inherited from whoever made the pool,
        // as unpinned workers are.
        if let cpu = layout.placements[spare.pointee.home].cpu { _ = system.pinCurrentThread(cpu) }
        enterStackGuard(index)
        defer { system.leaveStackGuard() }
        ctasklets_set_current_worker(UnsafeMutableRawPointer(spare))
        while true {
            // Sent somewhere (or draining at shutdown): it searches. Else it
            // runs only what it queued itself, then parks until sent.
            let searches = spare.pointee.compensating.load(ordering: .relaxed) >= 0
                || isShutDown.load(ordering: .relaxed)
            if let job = searches ? nextLocalJob(spare) ?? spareSearch(spare) : ownQueuedJob(spare) {
                spare.pointee.enter(.running)
                run(job, on: spare)
                continue
            }
            spare.pointee.enter(.searching)
            if !waitAsIdleSpare(spare) { break }
        }
        ctasklets_set_current_worker(nil)
        let lastWhileDraining: Bool = supervisor.lock.withLock {
            spare.pointee.phase.store(WorkerPhase.retired.rawValue, ordering: .relaxed)
            spare.pointee.compensating.store(-1, ordering: .relaxed)
            supervisor.freeSlots.append(index)
            let alive = supervisor.liveSpares.subtract(1, ordering: .relaxed).newValue
            supervisor.liveThreads -= 1
            supervisor.statistics.sparesRetired += 1
            supervisor.changed.broadcast()
            return supervisor.draining && alive == 0
        }
        // At shutdown the watchdog leaves after the last spare.
        if lastWhileDraining { supervisor.kickWatchdog(system: system) }
    }

    /// A job from the spare's own queues only (what the jobs it ran left).
    private func ownQueuedJob(_ spare: UnsafeMutablePointer<Worker>) -> JobRef? {
        (spare.pointee.deque.looksEmpty ? nil : spare.pointee.deque.take()) ?? nextTaskJob(spare)
    }

    /// The queues of the thread it was sent for and of its home worker (the
    /// next slot at once: they are held up, or were), then the injectors and
    /// the others, nearest first.
    private func spareSearch(_ spare: UnsafeMutablePointer<Worker>) -> JobRef? {
        let target = spare.pointee.compensating.load(ordering: .relaxed)
        if let job = stealAll(from: target, by: spare) ?? stealAll(from: spare.pointee.home, by: spare) {
            return job
        }
        return searchRounds { popAnyInjector(spare) ?? stealOnce(spare) }
    }

    /// Any queued job of thread `victimIndex` (-1: none), its next slot
    /// included without a grace period.
    private func stealAll(from victimIndex: Int, by spare: UnsafeMutablePointer<Worker>) -> JobRef? {
        guard victimIndex >= 0, victimIndex != spare.pointee.index else { return nil }
        let victim = workers[victimIndex]
        guard let job = stealQueued(from: victim)?.job ?? takeNextSlot(of: victim) else { return nil }
        spare.pointee.counters.recordSteal(relation(of: spare, to: victimIndex))
        return job
    }

    /// Parks an idle spare until the watchdog sends it somewhere; false when
    /// it should exit instead: after `spareIdleTimeout`, or at shutdown once
    /// no work is left anywhere.
    private func waitAsIdleSpare(_ spare: UnsafeMutablePointer<Worker>) -> Bool {
        let index = spare.pointee.index
        let parked: Bool = supervisor.lock.withLock {
            if isShutDown.load(ordering: .relaxed) {
                return false
            }
            spare.pointee.parkWord.store(0, ordering: .relaxed)
            spare.pointee.compensating.store(-1, ordering: .relaxed)
            spare.pointee.phase.store(WorkerPhase.parked.rawValue, ordering: .relaxed)
            supervisor.idleSpares.append(index)
            return true
        }
        if !parked {
            // Shutting down: stay while any work is visible.
            return hasVisibleWork()
        }
        let deadline = ctasklets_now_ns() &+ supervisor.settings.spareIdleNanoseconds
        while true {
            let now = ctasklets_now_ns()
            // acquiring: pairs with `unparkSpare`'s releasing store.
            if spare.pointee.parkWord.load(ordering: .acquiring) == 0 && now < deadline {
                _ = system.futexWait(futexAddress(of: spare.pointee.parkWord), 0, Int64(deadline &- now))
                continue
            }
            // Still listed: nobody sent it, and it leaves. Not listed: the
            // watchdog (or shutdown) took it off the list to send it.
            let sent: Bool = supervisor.lock.withLock {
                guard let position = supervisor.idleSpares.firstIndex(of: index) else { return true }
                supervisor.idleSpares.remove(at: position)
                return false
            }
            spare.pointee.enter(.searching)
            // Sent somewhere, or at shutdown (woken to drain what is left).
            return sent && !(isShutDown.load(ordering: .relaxed) && !hasVisibleWork())
        }
    }
}
