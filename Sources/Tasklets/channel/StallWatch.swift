import CTaskletsShims

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A pool's view of the channels its workers parked tasks on, and its
/// opt-in watch thread (docs/channels.md, "Stalls").
///
/// A channel registers here the first time one of the pool's workers parks
/// a task on it (`Channel.park`), and is held weakly. The watch thread runs
/// only once `TaskletPool.watchForStalls` was called: every quarter of the
/// interval (at most 100 ms) it reads, without locks, whether every worker
/// sleeps with nothing queued and whether any job ran since its last look.
/// Once the pool has stayed idle for the whole interval, it looks at the
/// channels (the only time it locks them) and acts if tasks are parked;
/// then not again until the pool has run something.
final class StallWatch: @unchecked Sendable {
    /// One parked waiter, as a channel reports it.
    struct Park {
        var channel: String?
        var operation: StallReport.Operation
        var parkedAt: UInt64
        /// The select it is a clause of: its clauses make one parked task.
        var select: ObjectIdentifier?
    }

    private struct Entry {
        weak var source: (any ParkedTaskSource)?
    }

    private let lock = PthreadLock()
    private let changed: PthreadCondition
    private var entries: [Entry] = []
    private var pruneAt = 64
    private var policy: (interval: UInt64, action: StallAction)?
    private var threadStarted = false
    private var stopped = false

    init() {
        changed = PthreadCondition(lock: lock)
    }

    /// Adds a channel, once (called under the channel's lock; this lock is
    /// never held while a channel's is taken). A channel remembers only its
    /// last few pools, so it may come again.
    func watch(_ source: any ParkedTaskSource) {
        lock.withLock {
            guard !entries.contains(where: { $0.source === source }) else { return }
            if entries.count >= pruneAt {
                entries.removeAll { $0.source == nil }
                pruneAt = max(64, entries.count * 2)
            }
            entries.append(Entry(source: source))
        }
    }

    private var sources: [any ParkedTaskSource] {
        lock.withLock { entries.compactMap(\.source) }
    }

    /// The tasks parked by `registry`'s workers, longest first.
    func report(for registry: Registry) -> StallReport {
        let pool = registry.identity
        let idle = registry.isIdle
        var tasks: [StallReport.ParkedTask] = []
        var selectIndex: [ObjectIdentifier: Int] = [:]
        var parkedAt: [UInt64] = []
        for park in sources.flatMap({ $0.parks(by: pool) }) {
            if let select = park.select, let index = selectIndex[select] {
                tasks[index].channels.append(park.channel)
                parkedAt[index] = min(parkedAt[index], park.parkedAt)
                continue
            }
            if let select = park.select { selectIndex[select] = tasks.count }
            tasks.append(StallReport.ParkedTask(operation: park.operation, channels: [park.channel], parkedFor: .zero))
            parkedAt.append(park.parkedAt)
        }
        let now = ctasklets_coarse_now_ns()
        for index in tasks.indices {
            tasks[index].parkedFor = .nanoseconds(Int64(now &- min(now, parkedAt[index])))
        }
        tasks.sort { $0.parkedFor > $1.parkedFor }
        return StallReport(parkedTasks: tasks, poolIsIdle: idle, workerCount: registry.workerCount)
    }

    /// Resumes every task `registry`'s workers parked, with `error`, on
    /// each channel where the pool has run nothing since `activity` was
    /// read (so a task parked after the watch decided is left alone).
    func failParks(of registry: Registry, with error: ChannelError, ifActivityIs activity: UInt64) {
        let pool = registry.identity
        let resumes = sources.map { source in
            source.failParks(by: pool, with: error) { registry.activity == activity }
        }
        for resume in resumes { resume() }
    }

    // MARK: - The watch thread

    /// Sets the policy, starting the thread on first use.
    func start(interval: UInt64, action: StallAction, registry: Registry) throws(TaskletPoolError) {
        let mustStart: Bool = lock.withLock {
            policy = (interval, action)
            changed.signal()
            defer { threadStarted = true }
            return !threadStarted && !stopped
        }
        guard mustStart else { return }
        let context = Unmanaged.passRetained(registry).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { context in
            let registry = Unmanaged<Registry>.fromOpaque(context.unsafelyUnwrapped).takeRetainedValue()
            registry.stallWatch.loop(registry)
            return nil
        }, context)
        guard result == 0 else {
            Unmanaged<Registry>.fromOpaque(context).release()
            lock.withLock { threadStarted = false }
            throw .threadCreationFailed(SystemError(errno: result, call: "pthread_create (stall watch)"))
        }
        pthread_detach(thread)
    }

    /// Turns the policy off; the thread idles without waking.
    func pause() {
        lock.withLock {
            policy = nil
            changed.signal()
        }
    }

    /// Ends the thread (pool shutdown).
    func stop() {
        lock.withLock {
            stopped = true
            policy = nil
            changed.signal()
        }
    }

    private func loop(_ registry: Registry) {
        var lastActivity = registry.activity
        var idleSince: UInt64?
        var handled = false
        lock.lock()
        while !stopped {
            guard let (interval, action) = policy else {
                changed.wait()
                idleSince = nil
                continue
            }
            changed.wait(timeoutNanoseconds: min(max(interval / 4, 1_000_000), 100_000_000))
            guard !stopped, policy != nil else { continue }
            lock.unlock()
            let now = ctasklets_coarse_now_ns()
            let activity = registry.activity
            if !registry.isIdle || activity != lastActivity {
                lastActivity = activity
                idleSince = nil
                handled = false
            } else if idleSince == nil {
                idleSince = now
            } else if !handled, now &- idleSince.unsafelyUnwrapped >= interval {
                handled = true
                act(action, registry: registry, idleNanoseconds: now &- idleSince.unsafelyUnwrapped,
                    activity: activity)
            }
            lock.lock()
        }
        lock.unlock()
    }

    private func act(_ action: StallAction, registry: Registry, idleNanoseconds: UInt64, activity: UInt64) {
        let report = report(for: registry)
        guard !report.parkedTasks.isEmpty else { return }
        switch action {
        case .report(let handler):
            handler(report)
        case .fail:
            var names: [String] = []
            for task in report.parkedTasks {
                for name in task.channels.map({ $0 ?? "unnamed" }) where !names.contains(name) { names.append(name) }
            }
            failParks(
                of: registry, with: .stalled(channels: names, idleMilliseconds: Int(idleNanoseconds / 1_000_000)),
                ifActivityIs: activity)
        }
    }
}

extension Registry {
    /// Every worker asleep, no spare alive, nobody blocking and nothing
    /// queued: a snapshot, read without locks.
    var isIdle: Bool {
        sleep.sleepingCount == workerCount && supervisor.liveSpares.load(ordering: .relaxed) == 0
            && supervisor.blockingNow.load(ordering: .relaxed) == 0 && !hasVisibleWork()
    }

    /// Jobs run so far, over every worker: unchanged between two looks
    /// means nothing ran in between.
    var activity: UInt64 {
        let threads = workerCount + supervisor.spareSlots.load(ordering: .acquiring)
        return (0..<threads).reduce(0) { $0 &+ workers[$1].pointee.counters.tasklets.load(ordering: .relaxed) }
    }
}
