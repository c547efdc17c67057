#if ServiceLifecycle
import ServiceLifecycle
import Tasklets

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A `TaskletPool` as a swift-service-lifecycle `Service`: it runs until a
/// graceful shutdown is triggered (SIGTERM, `ServiceGroup.triggerGracefulShutdown()`)
/// or its task is cancelled, then shuts the pool down gracefully: every
/// tasklet and Swift job already queued runs, new `spawn`s and `run`s throw
/// `TaskletPoolError.shutDown`, and the worker threads are joined.
///
/// ```swift
/// let pool = try TaskletPool()
/// let group = ServiceGroup(
///     services: [TaskletPoolService(pool: pool), httpServer],  // the pool first: it stops last
///     gracefulShutdownSignals: [.sigterm], logger: logger)
/// try await group.run()
/// ```
///
/// A `ServiceGroup` shuts its services down in reverse order, so list the
/// pool before the services that submit work to it: they stop first, and
/// their last work still finds the pool running.
///
/// The pool's `shutdown()` waits for the queues to drain, so it is called on
/// a thread of its own, never on a thread of Swift's cooperative pool;
/// `run()` suspends until it returns.
public struct TaskletPoolService: Service, CustomStringConvertible {
    /// The pool this service shuts down.
    public let pool: TaskletPool

    /// A service for `pool`, which keeps running until the service stops.
    public init(pool: TaskletPool) {
        self.pool = pool
    }

    /// Waits for a graceful shutdown or the task's cancellation, then shuts
    /// the pool down, letting queued work finish. Returns normally in both
    /// cases, once the pool's threads have exited.
    public func run() async throws {
        do {
            try await gracefulShutdown()
        } catch is CancellationError {
            // Cancelled: shut down gracefully all the same.
        }
        await Self.shutDownOffTheCooperativePool(pool)
    }

    public var description: String { "TaskletPoolService(\(pool.workerCount) workers)" }

    /// Calls `pool.shutdown()` on a new thread and suspends until it returns.
    static func shutDownOffTheCooperativePool(_ pool: TaskletPool) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let work = ShutdownThread(pool: pool, continuation: continuation)
            let retained = Unmanaged.passRetained(work)
            var handle = pthread_t()
            var attributes = pthread_attr_t()
            pthread_attr_init(&attributes)
            pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
            let result = pthread_create(&handle, &attributes, { raw in
                Unmanaged<ShutdownThread>.fromOpaque(raw!).takeRetainedValue().main()
                return nil
            }, retained.toOpaque())
            pthread_attr_destroy(&attributes)
            if result != 0 {
                // No thread to spare: wait here, as the pool's own deinit would.
                retained.release()
                pool.shutdown()
                continuation.resume()
            }
        }
    }
}

/// The thread that shuts the pool down for `TaskletPoolService.run()`.
private final class ShutdownThread: Sendable {
    let pool: TaskletPool
    let continuation: CheckedContinuation<Void, Never>

    init(pool: TaskletPool, continuation: CheckedContinuation<Void, Never>) {
        self.pool = pool
        self.continuation = continuation
    }

    func main() {
        pool.shutdown()
        continuation.resume()
    }
}
#else
#error("""
    TaskletsServiceLifecycle needs the package trait "ServiceLifecycle" of swift-tasklets (on by default): \
    .package(url: ..., from: ..., traits: ["ServiceLifecycle"])
    """)
#endif
