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
        if !worker.pointee.isSearching {
            worker.pointee.isSearching = sleep.tryBeginSearching()
        }
        guard worker.pointee.isSearching else { return nil }
        for round in 0..<Registry.searchRounds {
            // Next slots only from the second round on: a woken task gets a
            // moment to run next on its waker's worker (docs/async.md).
            if let job = popAnyInjector(worker) ?? stealOnce(worker, includingNextSlots: round > 0) {
                return job
            }
            for _ in 0..<(1 << min(round, 6)) { ctasklets_cpu_relax() }
        }
        return nil  // still searching: `Sleep.sleep` gives the slot back
    }

    /// A searcher that found work gives its searching slot back, and wakes
    /// a sleeper if it was the last searcher (see `Sleep.endSearching`).
    func stopSearching(_ worker: UnsafeMutablePointer<Worker>) {
        guard worker.pointee.isSearching else { return }
        worker.pointee.isSearching = false
        sleep.endSearching()
    }

    /// Its node's injector, then the others.
    func popAnyInjector(_ worker: UnsafeMutablePointer<Worker>) -> JobRef? {
        let home = worker.pointee.injector
        if let job = injectors[home].pop() { return job }
        for index in injectors.indices where index != home {
            if let job = injectors[index].pop() { return job }
        }
        return nil
    }

    /// One pass over the victims, nearest tier first: `roundsPerTier` rounds
    /// over a tier, each from a random start, before moving out.
    func stealOnce(
        _ worker: UnsafeMutablePointer<Worker>, includingNextSlots: Bool = true, batching: Bool = true
    ) -> JobRef? {
        let thief = worker.pointee.index
        for tier in layout.victimOrders[thief].tiers where !tier.isEmpty {
            for _ in 0..<layout.roundsPerTier {
                let start = worker.pointee.nextRandom(below: tier.count)
                for offset in 0..<tier.count {
                    let victimIndex = tier[(start + offset) % tier.count]
                    let victim = workers[victimIndex]
                    guard let (job, fromDeque) = stealOne(from: victim, includingNextSlot: includingNextSlots) else {
                        worker.pointee.counters.failedSteals.bumpOwned()
                        continue
                    }
                    let relation = layout.relation[thief][victimIndex]
                    worker.pointee.counters.recordSteal(relation)
                    if batching && relation == .otherNode && fromDeque { stealBatch(from: victim, into: worker) }
                    return job
                }
            }
        }
        return nil
    }

    /// The oldest job of a victim's `deque`, else of its task queues, else
    /// its next slot, with a few retries on lost races. `fromDeque` says
    /// whether it came from the `deque`.
    func stealOne(
        from victim: UnsafeMutablePointer<Worker>, includingNextSlot: Bool
    ) -> (job: JobRef, fromDeque: Bool)? {
        if let job = victim.pointee.deque.stealRetrying() { return (job, true) }
        if let job = victim.pointee.tasks.steal() { return (job, false) }
        if includingNextSlot, let job = takeNextSlot(of: victim) { return (job, false) }
        return nil
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
