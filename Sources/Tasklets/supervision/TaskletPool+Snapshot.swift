import CTaskletsShims

extension TaskletPool {
    /// What every thread of a pool does at one moment, like Go's SIGQUIT
    /// dump: `snapshot()`, and `dumpOnSignal(_:)` to write it on demand.
    /// Read without stopping the pool, so its parts are not one atomic
    /// picture.
    public struct Snapshot: Sendable, CustomStringConvertible {
        /// What a thread does.
        public enum State: String, Sendable {
            case running, searching, parked, blocking
        }

        /// One worker or live spare.
        public struct Thread: Sendable {
            /// Its index (`TaskletPool.currentWorkerIndex`); spares come
            /// after the regular workers.
            public var index: Int
            /// Whether it is a spare, started by the watchdog for a long or
            /// blocked tasklet, rather than one of the pool's workers.
            public var isSpare: Bool
            /// What it was doing when the snapshot was taken.
            public var state: State
            /// Jobs in its queues (its deque, task queues and next slot).
            public var queuedJobs: Int
            /// How long its current tasklet has run, as the watchdog last
            /// saw it (to within a watchdog period); nil when it runs
            /// none, or with supervision off.
            public var runningFor: Duration?
            /// The running tasklet's name (`spawn(name:)`), if any.
            public var taskletName: String?
        }

        /// Every worker, then every live spare, by index.
        public var threads: [Thread]
        /// Jobs waiting in the injectors (submitted from outside the pool).
        public var injectedJobs: Int
        /// Tasks parked on channels by this pool's workers.
        public var parkedTasks: StallReport
        /// The pool's supervision counters at that moment.
        public var supervision: SupervisionStatistics

        /// The snapshot as text, one line per thread, then the supervision
        /// counters and the parked tasks: what `dumpOnSignal(_:)` writes.
        public var description: String {
            var lines = ["tasklet pool: \(threads.filter { !$0.isSpare }.count) workers, "
                + "\(threads.filter(\.isSpare).count) spares, \(injectedJobs) injected job(s) waiting"]
            for thread in threads {
                var line = "  \(thread.isSpare ? "spare" : "worker") \(thread.index): \(thread.state.rawValue)"
                if let runningFor = thread.runningFor {
                    line += " for \(runningFor.nanoseconds / 1_000_000) ms"
                }
                if let name = thread.taskletName { line += " (tasklet \"\(name)\")" }
                line += ", \(thread.queuedJobs) queued"
                lines.append(line)
            }
            lines.append("  \(supervision)")
            lines.append(parkedTasks.description)
            return lines.joined(separator: "\n")
        }
    }

    /// What every thread of the pool does now (see `Snapshot`).
    public func snapshot() -> Snapshot {
        let registry = self.registry
        let supervisor = registry.supervisor
        let now = ctasklets_now_ns()
        let slots = supervisor.spareSlots.load(ordering: .acquiring)
        var threads: [Snapshot.Thread] = []
        let statistics: SupervisionStatistics = supervisor.lock.withLock {
            for index in 0..<registry.workerCount + slots {
                let worker = registry.workers[index]
                let phase = WorkerPhase(rawValue: worker.pointee.phase.load(ordering: .relaxed)) ?? .running
                let state: Snapshot.State
                switch phase {
                case .retired: continue
                case .running: state = .running
                case .searching: state = .searching
                case .parked: state = .parked
                case .blocking: state = .blocking
                }
                let watch = supervisor.watches[index]
                let sameJob = watch.jobs == worker.pointee.counters.tasklets.load(ordering: .relaxed)
                let busy = state == .running || state == .blocking
                threads.append(Snapshot.Thread(
                    index: index, isSpare: index >= registry.workerCount, state: state,
                    queuedJobs: worker.pointee.deque.count + worker.pointee.tasks.count
                        + (worker.pointee.next.load(ordering: .relaxed) != 0 ? 1 : 0),
                    runningFor: supervisor.isEnabled && busy && sameJob && watch.jobSince != 0
                        ? .nanoseconds(Int64(now &- min(now, watch.jobSince))) : nil,
                    taskletName: busy ? Worker.runningTaskletName(of: worker) : nil))
            }
            return supervisor.currentStatistics
        }
        return Snapshot(
            threads: threads,
            injectedJobs: registry.injectors.reduce(0) { $0 + $1.count.load(ordering: .relaxed) },
            parkedTasks: stallReport(), supervision: statistics)
    }
}
