import Foundation
@testable import Tasklets

#if canImport(Glibc)
import Glibc
#endif

/// Runs an async test's body on a one-worker pool of its own. The
/// synchronous tests that run beside it block Swift's cooperative threads
/// (they wait, with bounds, for pool work) for seconds at a time on two
/// cores, longer under ThreadSanitizer; a body that resumed on those threads
/// would stall behind them. On its own worker it never waits for them.
func onTestDriver<T: Sendable>(_ body: () async throws -> T) async throws -> T {
    let driver = try TaskletPool(workers: 1)
    defer { driver.shutdown() }
    return try await TestDriver.$current.withValue(driver) {
        try await withTaskExecutorPreference(driver, isolation: nil) { try await body() }
    }
}

/// The pool `onTestDriver` runs the test's body on, for `within` to show
/// what its worker does when the body runs out of time.
enum TestDriver {
    @TaskLocal static var current: TaskletPool?
}

/// Polls `condition` from async code on a test driver until it holds or
/// `seconds` pass (`hangLimitScale` times that under a sanitizer); returns
/// whether it held. Yields between polls, so other
/// jobs on the driver run, then pauses 100 µs on the driver's thread (never
/// on a cooperative thread).
func asyncEventually(within seconds: Double = 30, _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .seconds(seconds * hangLimitScale)
    while ContinuousClock.now < deadline {
        if condition() { return true }
        await Task.yield()
        usleep(100)
    }
    return condition()
}

enum TestLocals {
    @TaskLocal static var label = "none"
}

/// An ordered log shared by tasks.
final class LockedLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func append(_ entry: String) { lock.withLock { stored.append(entry) } }
    var entries: [String] { lock.withLock { stored } }
}

/// One task waits, another signals; a signal before the wait is kept.
final class Rendezvous: @unchecked Sendable {
    private let lock = NSLock()
    private var waiter: UnsafeContinuation<Void, Never>?
    private var signalled = false

    var hasWaiter: Bool { lock.withLock { waiter != nil } }

    func wait() async {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            let resumeNow: Bool = lock.withLock {
                if signalled {
                    signalled = false
                    return true
                }
                waiter = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    func signal() {
        let continuation: UnsafeContinuation<Void, Never>? = lock.withLock {
            guard let waiter else {
                signalled = true
                return nil
            }
            self.waiter = nil
            return waiter
        }
        continuation?.resume()
    }
}

/// Runs `body` and stops the whole test process if it takes longer than
/// `seconds` (`hangLimitScale` times that under a sanitizer): an async test
/// that hangs (a task parked forever) must fail the run, never stall CI. A
/// plain thread keeps the time, so a stuck executor cannot stop it. Its
/// message shows what the test driver's worker was doing, which tells a
/// hang (parked, nothing queued) from a starved machine (running).
func within<T: Sendable>(
    _ seconds: Double = 60, _ what: String = "operation", _ body: () async throws -> T
) async throws -> T {
    let limit = seconds * hangLimitScale
    let done = DispatchSemaphore(value: 0)
    let driver = TestDriver.current
    let watchdog = Thread {
        if done.wait(timeout: .now() + limit) == .timedOut {
            let driverState = driver.map { "the test driver:\n\($0.snapshot())" } ?? "no test driver"
            fatalError("\(what) did not finish within \(limit) s: it hangs; \(driverState)")
        }
    }
    watchdog.start()
    defer { done.signal() }
    return try await body()
}

/// A value shared by threads in a test, under a lock; nil until set.
final class LockedBox<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T?

    init(_ value: T? = nil) { stored = value }

    var value: T? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }

    /// Changes the value in place, under the lock (it must be set).
    func mutate(_ body: (inout T) -> Void) {
        lock.withLock { body(&stored!) }
    }
}

/// A task executor of its own: one thread that runs the jobs enqueued on it,
/// in order. For tests that need an executor other than a pool's which no
/// other test can starve: the global executor's threads are the test
/// runner's, and synchronous tests hold them for as long as they run (under
/// ThreadSanitizer on a busy machine, for over 30 s).
final class ThreadExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopped = false

    init() {
        Thread { [self] in run() }.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.withLock {
            jobs.append(job)
            condition.signal()
        }
    }

    /// Lets the thread finish the jobs queued so far, then end.
    func stop() {
        condition.withLock {
            stopped = true
            condition.signal()
        }
    }

    private func run() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopped { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
