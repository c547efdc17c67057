import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// inject: INJECT_THREADS threads outside the backend each submit
/// INJECT_PER_THREAD tasklets at once; reports ns per submission and checks
/// that every tasklet ran.
enum Inject {
    static func run(_ context: BackendContext, threads: Int, perThread: Int) throws(BenchError) -> KernelOutcome {
        let total = threads * perThread
        let counters = SharedCounters(remaining: total)
        let allRan = DispatchSemaphore(value: 0)
        let failure = ResultSlot<BenchError>()
        let failed = Atomic<Bool>(false)
        let ready = Atomic<Int>(0)
        let go = Atomic<Bool>(false)
        let submitters = SubmitterThreads()
        let tasklet: @Sendable () -> Void = {
            counters.add(1)
            if counters.finishOne() { allRan.signal() }
        }
        for started in 0..<threads {
            let ok = submitters.start {
                ready.add(1, ordering: .acquiringAndReleasing)
                while !go.load(ordering: .acquiring) { sched_yield() }
                do throws(BenchError) {
                    for _ in 0..<perThread { try context.submit(tasklet) }
                } catch {
                    if failed.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged {
                        failure.value = error
                    }
                }
            }
            guard ok else {
                go.store(true, ordering: .releasing)
                submitters.joinAll()
                throw .backendFailed(
                    backend: context.backend.rawValue,
                    reason: "could not start submitter thread \(started + 1) of \(threads)")
            }
        }
        while ready.load(ordering: .acquiring) < threads { sched_yield() }
        let start = BenchClock.nanoseconds()
        go.store(true, ordering: .releasing)
        submitters.joinAll()
        let submitted = Double(BenchClock.nanoseconds() &- start)
        if failed.load(ordering: .acquiring) { throw failure.take() }
        allRan.wait()
        let ran = BenchClock.nanoseconds()
        return KernelOutcome(
            checksum: counters.sum.load(ordering: .acquiring),
            metrics: [
                Metric("ns_per_submission", submitted / Double(total)),
                Metric("ms_until_all_ran", BenchClock.milliseconds(from: start, to: ran)),
            ])
    }

    /// Plain pthreads as the outside submitters (not Dispatch threads, which
    /// would be the dispatch backend's own workers).
    final class SubmitterThreads: @unchecked Sendable {
        private var threads: [pthread_t] = []

        /// Starts a thread running `body`; false if none could be started.
        func start(_ body: @escaping @Sendable () -> Void) -> Bool {
            final class Box { let body: @Sendable () -> Void; init(_ body: @escaping @Sendable () -> Void) { self.body = body } }
            var thread = pthread_t()
            let context = Unmanaged.passRetained(Box(body)).toOpaque()
            let status = pthread_create(&thread, nil, { context in
                guard let context else { return nil }
                Unmanaged<Box>.fromOpaque(context).takeRetainedValue().body()
                return nil
            }, context)
            guard status == 0 else {
                Unmanaged<Box>.fromOpaque(context).release()
                return false
            }
            threads.append(thread)
            return true
        }

        func joinAll() {
            for thread in threads { pthread_join(thread, nil) }
            threads.removeAll()
        }
    }
}
