import CTaskletsShims

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Starting the worker threads (each pins itself and builds its own state
/// behind a start barrier), shutting them down, and reporting problems.
extension Registry {
    // MARK: - Threads

    final class ThreadStart {
        let registry: Registry
        let index: Int
        init(registry: Registry, index: Int) {
            self.registry = registry
            self.index = index
        }
    }

    /// Starts the worker threads and waits until each has pinned itself and
    /// built its state; on failure, stops the ones already started.
    func startThreads() throws(TaskletPoolError) {
        var attributes = workerThreadAttributes()
        defer { pthread_attr_destroy(&attributes) }
        let guardError = system.installStackGuard()
        if guardError != 0 {
            report("stack overflow reports unavailable (\(SystemError(errno: guardError, call: "sigaction")))", kind: .stackGuardUnavailable)
        }
        if case .symmetricFallback(let error) = fences {
            report("asymmetric deque fences unavailable (\(error)): every take issues a fence", kind: .asymmetricFencesUnavailable)
        }
        for index in 0..<workerCount {
            let start = Unmanaged.passRetained(ThreadStart(registry: self, index: index))
            var thread = pthread_t()
            let result = pthread_create(&thread, &attributes, { raw in
                let start = Unmanaged<ThreadStart>.fromOpaque(raw!).takeRetainedValue()
                start.registry.workerMain(start.index)
                return nil
            }, start.toOpaque())
            if result != 0 {
                start.release()
                lifecycle.withLock {
                    startFailed = true
                    lifecycleChanged.broadcast()
                }
                shutdown(waitForThreads: true)
                throw .threadCreationFailed(SystemError(errno: result, call: "pthread_create"))
            }
            lifecycle.withLock { threads.append(thread) }
        }
        lifecycle.withLock {
            while startedWorkers < workerCount { lifecycleChanged.wait() }
        }
    }

    /// What every thread that runs jobs gets (workers and spares); the
    /// caller destroys them.
    func workerThreadAttributes() -> pthread_attr_t {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        // Deep recursion (a 1,200-level tree, fib with no cutoff) needs room.
        pthread_attr_setstacksize(&attributes, stackSize)
        // 64 KiB of guard pages: a large frame still lands in them, so an
        // overflow is reported (`enterStackGuard`) instead of corrupting memory.
        pthread_attr_setguardsize(&attributes, 64 << 10)
        return attributes
    }

    /// On a thread that runs jobs: the line its stack overflow prints (and
    /// an alternate signal stack to print it from).
    func enterStackGuard(_ index: Int) {
        let overflowLine = """
            swift-tasklets: worker \(index) has overflowed its stack of \
            \(TaskletPool.describeByteCount(stackSize)); give it more with \
            TaskletPool(stackSize:) or \(TaskletPool.stackSizeVariable)\n
            """
        let guardError = system.enterStackGuard(overflowLine)
        if guardError != 0 {
            report("stack overflow reports unavailable on worker \(index) (\(SystemError(errno: guardError, call: "sigaltstack")))", kind: .stackGuardUnavailable, worker: index)
        }
    }

    /// On the worker's own thread: pins it if its placement says so, builds
    /// its state (so its deque lands on its node), then waits for the others.
    /// Returns false if the pool failed to start.
    func startWorker(_ index: Int) -> Bool {
        let placement = layout.placements[index]
        if let cpu = placement.cpu {
            let error = system.pinCurrentThread(cpu)
            if error != 0 {
                report("could not pin worker \(index) to CPU \(cpu) (\(SystemError(errno: error, call: "pthread_setaffinity_np"))): running unpinned", kind: .pinningRefused, worker: index)
            }
        }
        if let reason = memory.unavailableReason {
            report("node-local memory unavailable: \(reason)", kind: .nodeLocalMemoryUnavailable)
        }
        enterStackGuard(index)
        workers[index].initialize(to: Worker(
            index: index, home: index, injector: layout.injectorOfWorker[index],
            registry: Unmanaged.passUnretained(self), sleepCounts: sleep.counts,
            ringMemory: RingMemory(memory: memory, node: placement.node)))
        return lifecycle.withLock {
            initialized[index] = true
            startedWorkers += 1
            lifecycleChanged.broadcast()
            while startedWorkers < workerCount && !startFailed { lifecycleChanged.wait() }
            return !startFailed
        }
    }

    /// Stops accepting outside work, lets the workers drain every queue and
    /// exit, and (unless called from one of them) waits until they have.
    /// Idempotent, and safe to call from several threads at once: the first
    /// caller takes the threads (joins them, or detaches them when it is a
    /// worker itself); every waiting caller returns only once every worker
    /// has exited.
    func shutdown(waitForThreads: Bool) {
        isShutDown.store(true, ordering: .sequentiallyConsistent)
        stallWatch.stop()
        for injector in injectors { injector.close() }
        sleep.beginShutdown()
        let claimed: [pthread_t] = lifecycle.withLock {
            guard !threadsReleased else { return [] }
            threadsReleased = true
            return threads
        }
        // Outside `lifecycle`: an exiting worker needs it (see workerMain).
        for thread in claimed {
            if waitForThreads {
                pthread_join(thread, nil)
            } else {
                pthread_detach(thread)
            }
        }
        guard waitForThreads else {
            releaseWatchdog(join: false)
            return
        }
        lifecycle.withLock {
            while exitedWorkers < threads.count { lifecycleChanged.wait() }
        }
        // The last worker stopped supervision (or none started: a failed
        // start); spares finish what is visible, then leave.
        stopSupervision()
        supervisor.waitForThreads()
        // Gone from the process, as the workers are once joined. (Spares
        // are detached: they come and go while the pool runs.)
        releaseWatchdog(join: true)
    }

    /// Whether the calling thread may wait for the pool's threads to exit:
    /// not on a worker of any pool (one may be waiting for it), nor on this
    /// pool's watchdog (an `onLongTasklet` handler that shuts the pool
    /// down, or drops its last reference).
    var mayWaitForThreads: Bool {
        Worker.current == nil && !supervisor.isWatchdogThread
    }

    /// Reports a problem once per distinct message, in `reports` and to the
    /// diagnostic handler (standard error without one): pinning refused,
    /// node-local memory unavailable...
    func report(_ message: String, kind: TaskletPool.Diagnostic.Kind, worker: Int? = nil) {
        let isNew = lifecycle.withLock { reported.insert(message).inserted }
        if isNew { deliver(TaskletPool.Diagnostic(kind: kind, message: message, isProblem: true, worker: worker)) }
    }

    /// Every distinct message passed to `report`.
    var reports: [String] {
        lifecycle.withLock { reported.sorted() }
    }
}
