import CTaskletsShims

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Searching for work: the injectors, then the other workers' deques, tier
/// by tier (the policy is described at the top of Registry.swift).
extension Registry {
    /// Step 4, as a searcher, for a bounded number of rounds.
    func search(_ worker: UnsafeMutablePointer<Worker>) -> JobRef? {
        worker.pointee.enter(.searching)
        if !worker.pointee.isSearching {
            worker.pointee.isSearching = sleep.tryBeginSearching()
        }
        guard worker.pointee.isSearching else { return nil }
        return searchRounds { popAnyInjector(worker) ?? stealOnce(worker) }
        // nil: still searching; `Sleep.sleep` gives the slot back.
    }

    /// Calls `look` until it finds a job, with growing pauses between
    /// tries, for the current `searchBudget` (at least two tries), and
    /// adapts the budget to the outcome. By the clock, not by a count of
    /// pauses: a pause costs from a few ns to over 40 ns depending on the
    /// CPU (43.6 ns on the AMD EPYC of docs/benchmarks.md).
    @inline(__always)
    func searchRounds(_ look: () -> JobRef?) -> JobRef? {
        let start = ctasklets_now_ns()
        // relaxed: a heuristic (see `searchBudget`).
        let budget = searchBudget.pointee.load(ordering: .relaxed)
        var round = 0
        while true {
            if let job = look() {
                if round > 0 {
                    let wanted = min((ctasklets_now_ns() &- start) &* 2, Registry.searchBudgetRange.upperBound)
                    if wanted > budget { searchBudget.pointee.store(wanted, ordering: .relaxed) }
                }
                return job
            }
            let elapsed = ctasklets_now_ns() &- start
            if round >= 1 && elapsed >= budget {
                let lowered = max(budget &- budget / 8, Registry.searchBudgetRange.lowerBound)
                if lowered != budget { searchBudget.pointee.store(lowered, ordering: .relaxed) }
                return nil
            }
            for _ in 0..<(1 << min(round, 6)) { ctasklets_cpu_relax() }
            round += 1
        }
    }

    /// A searcher that found work gives its searching slot back, and wakes
    /// a sleeper if it was the last searcher and more work is visible (see
    /// `Sleep.endSearching`). If that left every worker busy (or the
    /// sleeper it meant to wake was handed a job, and nobody searches), a
    /// job a submitter queued while it searched now waits behind busy
    /// workers: a dozing watchdog must look (`Supervisor.noteEveryWorkerBusy`).
    func stopSearching(_ worker: UnsafeMutablePointer<Worker>) {
        guard worker.pointee.isSearching else { return }
        worker.pointee.isSearching = false
        if sleep.endSearching(hasVisibleWork: hasVisibleWork) {
            supervisor.noteEveryWorkerBusy(system: system, ifWorkIsQueued: hasVisibleWork)
        }
    }

    /// Its node's injector, then the others.
    func popAnyInjector(_ worker: UnsafeMutablePointer<Worker>) -> JobRef? {
        let home = worker.pointee.injector
        if let job = popInjector(home) { return job }
        for index in injectorHandles.indices where index != home {
            if let job = popInjector(index) { return job }
        }
        return nil
    }

    /// One pass over the victims, nearest tier first: `roundsPerTier` rounds
    /// over a tier, each from a random start, before moving out. Queued jobs
    /// first; then, if none, the first next slot seen with a job in it,
    /// after its grace period: one wait per pass, however many victims.
    func stealOnce(
        _ worker: UnsafeMutablePointer<Worker>, batching: Bool = true
    ) -> JobRef? {
        var slotCandidate: (victimIndex: Int, stamp: UInt)?
        for tier in layout.victimOrders[worker.pointee.home].tiers where !tier.isEmpty {
            for _ in 0..<layout.roundsPerTier {
                let start = worker.pointee.nextRandom(below: tier.count)
                for offset in 0..<tier.count {
                    let victimIndex = tier[(start + offset) % tier.count]
                    let victim = workers[victimIndex]
                    guard let (job, fromDeque) = stealQueued(from: victim) else {
                        worker.pointee.counters.failedSteals.bumpOwned()
                        // relaxed: hints; `takeNextSlot`'s exchange is what
                        // takes the job.
                        if slotCandidate == nil, victim.pointee.next.load(ordering: .relaxed) != 0 {
                            slotCandidate = (victimIndex, victim.pointee.nextStamp.load(ordering: .relaxed))
                        }
                        continue
                    }
                    let relation = relation(of: worker, to: victimIndex)
                    worker.pointee.counters.recordSteal(relation)
                    if batching && relation == .otherNode && fromDeque { stealBatch(from: victim, into: worker) }
                    return job
                }
            }
        }
        if let job = stealFromSpares(worker, slotCandidate: &slotCandidate) { return job }
        guard let (victimIndex, stamp) = slotCandidate,
            let job = stealNextSlot(of: workers[victimIndex], seenWith: stamp)
        else { return nil }
        worker.pointee.counters.recordSteal(relation(of: worker, to: victimIndex))
        return job
    }

    /// Where worker `victim` runs as `thief` sees it, by their home
    /// workers. The victim's home comes from the supervisor's table, not its
    /// state: another thread reads nothing of a worker's but its atomics.
    func relation(of thief: UnsafeMutablePointer<Worker>, to victim: Int) -> PoolLayout.Relation {
        layout.relation[thief.pointee.home][supervisor.home(of: victim)]
    }

    /// The queued jobs of the spares (supervision/), after every regular
    /// worker's: a spare runs what it queued itself unless it gets stuck.
    /// A spare's next slot, like a worker's, becomes the pass's slot
    /// candidate if it has none yet.
    func stealFromSpares(
        _ worker: UnsafeMutablePointer<Worker>, slotCandidate: inout (victimIndex: Int, stamp: UInt)?
    ) -> JobRef? {
        // acquiring: pairs with the releasing store that published the
        // slots, so their initialized states are visible.
        let slots = supervisor.spareSlots.load(ordering: .acquiring)
        for index in workerCount..<workerCount + slots where index != worker.pointee.index {
            let spare = workers[index]
            if let (job, _) = stealQueued(from: spare) {
                worker.pointee.counters.recordSteal(relation(of: worker, to: index))
                return job
            }
            // relaxed: hints, as in `stealOnce`.
            if slotCandidate == nil, spare.pointee.next.load(ordering: .relaxed) != 0 {
                slotCandidate = (index, spare.pointee.nextStamp.load(ordering: .relaxed))
            }
        }
        return nil
    }

    /// The oldest job of a victim's `deque`, else of its task queues, with a
    /// few retries on lost races. `fromDeque` says whether it came from the
    /// `deque`.
    func stealQueued(
        from victim: UnsafeMutablePointer<Worker>
    ) -> (job: JobRef, fromDeque: Bool)? {
        if let job = victim.pointee.deque.stealRetrying() { return (job, true) }
        if let job = victim.pointee.tasks.steal() { return (job, false) }
        return nil
    }

    /// A victim's next slot, taken only if the job seen there with `stamp`
    /// is still there after `nextSlotGraceNanoseconds`: the owner gets that
    /// long to run the task it just woke (Go's `runqgrab` sleeps 3 µs the
    /// same way), so two tasks waking each other keep running on one worker
    /// instead of being pulled apart at every hand-off, and a job behind a
    /// long-running one is still taken soon. The thief has found nothing
    /// else to do, so it sleeps rather than spins: a pair handing values back
    /// and forth then costs the other core little (Linux's timer slack, 50 µs
    /// by default, usually stretches the nap), and it stays a searcher
    /// meanwhile, so hand-offs do not wake it again.
    func stealNextSlot(of victim: UnsafeMutablePointer<Worker>, seenWith stamp: UInt) -> JobRef? {
        var nap: UInt32 = 0  // nobody wakes it: a timed sleep
        _ = withUnsafeMutablePointer(to: &nap) { system.futexWait($0, 0, Int64(Registry.nextSlotGraceNanoseconds)) }
        // relaxed: a hint, as above.
        guard victim.pointee.nextStamp.load(ordering: .relaxed) == stamp else { return nil }
        return takeNextSlot(of: victim)
    }

    /// After stealing one job from another node, takes up to half of what
    /// is left there in the same trip, so that the next jobs come from the
    /// local deque instead of crossing the interconnect again.
    func stealBatch(from victim: UnsafeMutablePointer<Worker>, into worker: UnsafeMutablePointer<Worker>) {
        var remaining = victim.pointee.deque.count / 2
        while remaining > 0, case .success(let job) = victim.pointee.deque.steal() {
            worker.pointee.deque.push(job)
            // One trip to the other node, already counted as one steal.
            worker.pointee.counters.batchedJobs.bumpOwned()
            remaining -= 1
        }
    }
}
