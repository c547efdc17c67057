/// Jobs nobody waits for inside the pool: Swift jobs, actor strands and
/// detached spawns. Where they go and in what order a worker takes them is
/// docs/async.md ("Where a job goes", "The order a worker takes work in");
/// the async layer (`async/`) enters here through `submitTask` and
/// `runSwiftJob`.
extension Registry {
    /// Jobs the next slot may serve in a row before the worker looks at its
    /// queues first.
    static let runNextLimit = 3

    /// How a job nobody waits for is queued on the calling worker.
    enum TaskPlacement {
        /// A task woken by the running one (a continuation resumed, a child
        /// started, a strand's first message): the next slot. If the job
        /// *is* the running one (a yield), as `requeue`.
        case wakeUp
        /// A new job (a detached spawn): the tail of its queue.
        case tail
        /// The running job putting itself back (a strand after its budget, a
        /// task coming back from an actor): behind everything queued there,
        /// the next slot included.
        case requeue
        /// A task giving way (`Task.yield()`): behind everything queued on
        /// this worker, in its node's injector, where any worker may take it
        /// (or, as `submitExternal` does, straight to a sleeping worker
        /// when nobody searches and nothing is queued there: it then runs
        /// at once, beside this worker's queue)
        /// (Go's `Gosched` uses the global run queue the same way), so that
        /// tasks yielding in a loop spread over the workers.
        case yield
    }

    /// Queues a job nobody waits for: on the calling worker if it belongs to
    /// this pool, placed as `placement` says, else as an outside submission
    /// (`submitExternal`: to a sleeper, or the injector of the caller's
    /// node). Returns false, keeping nothing, when it is refused (after
    /// shutdown).
    func submitTask(_ job: JobRef, _ jobClass: JobClass, _ placement: TaskPlacement) -> Bool {
        guard let worker = Worker.current, owns(worker) else {
            return submitExternal(job, jobClass)
        }
        var placement = placement
        if placement == .wakeUp, job.isSwiftJob,
            UInt(bitPattern: job) & ~1 == worker.pointee.runningSwiftJob
        {
            placement = .requeue  // the running task is back from an actor
        }
        switch placement {
        case .yield where workerCount == 1:
            // Nobody else to share with: the injector's lock would buy nothing.
            flushNextSlot(worker)
            worker.pointee.tasks.push(job, jobClass)
        case .yield:
            flushNextSlot(worker)
            return submitExternal(job, jobClass)
        case .requeue:
            flushNextSlot(worker)
            worker.pointee.tasks.push(job, jobClass)
        case .tail:
            worker.pointee.tasks.push(job, jobClass)
        case .wakeUp where worker.pointee.nextStreak >= Registry.runNextLimit && !worker.pointee.tasks.looksEmpty:
            // The cap protects queued jobs; with none queued, the queue's
            // tail is the next slot's place anyway, minus the grace period
            // that keeps thieves from pulling a pair of tasks apart.
            worker.pointee.tasks.push(job, jobClass)
        case .wakeUp:
            // acquiringAndReleasing: releasing publishes the job to a thief
            // that exchanges it out; acquiring, the job we displace.
            let displaced = worker.pointee.next.exchange(UInt(bitPattern: job), ordering: .acquiringAndReleasing)
            // relaxed: a hint for thieves' grace period (`stealNextSlot`);
            // the exchange above is what hands the job over. Owner-only
            // writes, so no read-modify-write is needed.
            let stamp = worker.pointee.nextStamp.load(ordering: .relaxed)
            worker.pointee.nextStamp.store(stamp &+ 1, ordering: .relaxed)
            if displaced != 0 {
                let old = JobRef(bitPattern: displaced).unsafelyUnwrapped
                worker.pointee.tasks.push(old, old.queueClass)
            }
        }
        // Unlike a fork-join push, with a fence: a sleeper is never left
        // behind (docs/async.md).
        announceQueuedJob(publishedSequentiallyConsistent: false)
        return true
    }

    /// Moves the job in `worker`'s next slot, if any, to the tail of its
    /// task queue. Owner only.
    private func flushNextSlot(_ worker: UnsafeMutablePointer<Worker>) {
        // acquiring: pairs with the releasing exchange that put it there.
        let bits = worker.pointee.next.exchange(0, ordering: .acquiring)
        if bits != 0 {
            let job = JobRef(bitPattern: bits).unsafelyUnwrapped
            worker.pointee.tasks.push(job, job.queueClass)
        }
    }

    /// Steps 3-5 of docs/async.md's order: the next slot (unless it served
    /// `runNextLimit` jobs in a row), the task queues with aging, the next
    /// slot again.
    func nextTaskJob(_ worker: UnsafeMutablePointer<Worker>) -> JobRef? {
        if worker.pointee.nextStreak < Registry.runNextLimit, let job = takeNextSlot(of: worker) {
            worker.pointee.nextStreak += 1
            return job
        }
        worker.pointee.nextStreak = 0
        return worker.pointee.tasks.takeOldest(&worker.pointee.aging) ?? takeNextSlot(of: worker)
    }

    /// The job in `worker`'s next slot, taken by its owner or a thief.
    func takeNextSlot(of worker: UnsafeMutablePointer<Worker>) -> JobRef? {
        // relaxed: a hint that skips the exchange on an empty slot.
        guard worker.pointee.next.load(ordering: .relaxed) != 0 else { return nil }
        // acquiring: pairs with the releasing exchange that put the job there.
        let bits = worker.pointee.next.exchange(0, ordering: .acquiring)
        return JobRef(bitPattern: bits)
    }

    /// Runs a Swift job on this worker, as the pool's task executor, at the
    /// top of the cancellation tree, noting which job runs (for yields).
    func runSwiftJob(_ job: UnownedJob, on worker: UnsafeMutablePointer<Worker>) {
        let saved = worker.pointee.runningSwiftJob
        worker.pointee.runningSwiftJob = unsafeBitCast(job, to: UInt.self)
        Ambient.with(nil) { job.runSynchronously(on: taskExecutor.unsafelyUnwrapped) }
        worker.pointee.runningSwiftJob = saved
    }
}

extension JobRef {
    /// The class a job goes back to when it is moved out of the next slot:
    /// its priority's for a Swift job, normal for a record (a strand).
    var queueClass: JobClass {
        if isSwiftJob { return JobClass(swiftJob.priority) }
        return .normal
    }
}
