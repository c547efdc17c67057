/// Runs `body`, which is expected to block its thread (file or socket I/O,
/// a lock held outside the pool, `sleep`), as a *blocking section*: on a
/// pool's worker, the pool hands the work queued on this worker to another
/// thread before `body` runs (waking an idle worker, or starting a spare),
/// so nothing waits behind the blocked thread; afterwards the worker goes
/// on as before. Like Tokio's `block_in_place` and Java's
/// `ForkJoinPool.managedBlock`.
///
/// At most `Supervision.maxBlockingThreads` threads are inside blocking
/// sections at once; one more waits, blocked, until a section ends: never
/// an unbounded number of threads, never a dropped section.
/// Off the pool, `body` just runs; with supervision off, it runs and is
/// counted, with no cap (nothing would be started for it). Nested
/// sections count once. Usable from `async` code running on the pool too;
/// see also `TaskletPool.blocking(_:)`, which suspends the task instead.
public func blocking<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
    guard let worker = Worker.current else { return try body() }
    let registry = worker.pointee.registry.takeUnretainedValue()
    guard registry.enterBlocking(worker) else { return try body() }
    defer { registry.leaveBlocking(worker) }
    return try body()
}

extension TaskletPool {
    /// Runs `body` as a blocking section (``blocking(_:)``) on this pool,
    /// suspending the calling task meanwhile instead of its thread: the
    /// async variant, for code that awaits. The section is queued like a
    /// spawned tasklet and may start on any worker or spare.
    ///
    /// - Throws: what `body` throws, or `TaskletPoolError.shutDown`.
    public func blocking<R: Sendable>(
        _ body: @escaping @Sendable () throws -> R
    ) async throws -> R {
        try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<R, any Error>) in
            do {
                try spawn {
                    continuation.resume(with: Result { try Tasklets.blocking(body) })
                }
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }
}

extension Registry {
    /// Enters a blocking section on `worker`: waits for a slot under the
    /// cap, says so in the worker's phase and has the watchdog look at once.
    /// False for a nested section.
    func enterBlocking(_ worker: UnsafeMutablePointer<Worker>) -> Bool {
        guard worker.pointee.phase.load(ordering: .relaxed) != WorkerPhase.blocking.rawValue else { return false }
        worker.pointee.enter(.blocking)
        let cap = supervisor.isEnabled ? supervisor.settings.maxBlockingThreads : Int.max
        supervisor.lock.withLock {
            if supervisor.blockingNow.load(ordering: .relaxed) >= cap {
                supervisor.statistics.blockingWaits += 1
            }
            while supervisor.blockingNow.load(ordering: .relaxed) >= cap {
                supervisor.changed.wait()
            }
            let now = supervisor.blockingNow.add(1, ordering: .relaxed).newValue
            supervisor.statistics.blockingSections += 1
            supervisor.statistics.peakBlockingSections = max(supervisor.statistics.peakBlockingSections, now)
        }
        if supervisor.isEnabled { supervisor.kickWatchdog(system: system) }
        return true
    }

    func leaveBlocking(_ worker: UnsafeMutablePointer<Worker>) {
        supervisor.lock.withLock {
            supervisor.blockingNow.subtract(1, ordering: .relaxed)
            supervisor.changed.broadcast()
        }
        worker.pointee.enter(.running)
    }
}
