import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Runs `body(index)` on `count` raw pthreads that start together behind a
/// barrier, and joins them. Raw threads and a barrier, rather than Dispatch,
/// so that the threads really overlap (ThreadSanitizer missed a race between
/// two Dispatch blocks that happened to run one after the other).
func runConcurrently(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    final class Start: @unchecked Sendable {
        let body: @Sendable (Int) -> Void
        let index: Int
        let barrier: UnsafeMutablePointer<pthread_barrier_t>
        init(_ body: @escaping @Sendable (Int) -> Void, _ index: Int, _ barrier: UnsafeMutablePointer<pthread_barrier_t>) {
            self.body = body
            self.index = index
            self.barrier = barrier
        }
    }
    let barrier = UnsafeMutablePointer<pthread_barrier_t>.allocate(capacity: 1)
    pthread_barrier_init(barrier, nil, UInt32(count))
    defer {
        pthread_barrier_destroy(barrier)
        barrier.deallocate()
    }
    var threads: [pthread_t] = []
    for index in 0..<count {
        var thread = pthread_t()
        let start = Unmanaged.passRetained(Start(body, index, barrier)).toOpaque()
        let result = pthread_create(&thread, nil, { raw in
            let start = Unmanaged<Start>.fromOpaque(raw!).takeRetainedValue()
            pthread_barrier_wait(start.barrier)
            start.body(start.index)
            return nil
        }, start)
        precondition(result == 0, "pthread_create failed: \(result)")
        threads.append(thread)
    }
    for thread in threads { pthread_join(thread, nil) }
}

/// Runs `body` on its own thread and returns its result, or stops the whole
/// test process if it takes longer than `seconds` (`hangLimitScale` times
/// that under a sanitizer): a hang in the pool must fail the test run, never
/// stall CI.
func bounded<T: Sendable>(
    _ seconds: Double = 60, _ what: String = "operation",
    _ body: @escaping @Sendable () throws -> T
) throws -> T {
    let outcome = BoundedOutcome<T>()
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        outcome.value = Result { try body() }
        done.signal()
    }
    thread.stackSize = 16 << 20
    thread.start()
    let limit = seconds * hangLimitScale
    if done.wait(timeout: .now() + limit) == .timedOut {
        fatalError("\(what) did not finish within \(limit) s: the pool hangs")
    }
    return try outcome.value!.get()
}

final class BoundedOutcome<T>: @unchecked Sendable {
    var value: Result<T, any Error>?
}

/// Polls `condition` until it holds or `seconds` pass (`hangLimitScale`
/// times that under a sanitizer); returns whether it held.
func eventually(within seconds: Double = 30, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds * hangLimitScale)
    while Date() < deadline {
        if condition() { return true }
        usleep(100)
    }
    return condition()
}

/// A fixed-size array of atomic counters, shared by threads.
final class Counters: @unchecked Sendable {
    let storage: UnsafeMutablePointer<Atomic<Int>>
    let count: Int

    init(count: Int) {
        self.count = count
        storage = .allocate(capacity: count)
        for index in 0..<count { (storage + index).initialize(to: Atomic(0)) }
    }

    deinit {
        storage.deinitialize(count: count)
        storage.deallocate()
    }

    func increment(_ index: Int) {
        storage[index].wrappingAdd(1, ordering: .relaxed)
    }

    /// Sets every counter back to 0.
    func reset() {
        for index in 0..<count { storage[index].store(0, ordering: .relaxed) }
    }

    subscript(index: Int) -> Int {
        storage[index].load(ordering: .relaxed)
    }

    /// The indices whose count is not exactly `expected`.
    func mismatches(expected: Int = 1) -> [Int] {
        (0..<count).filter { self[$0] != expected }
    }
}

/// Shares a pointer with other threads in a test.
struct UnsafeShared<Pointee: ~Copyable>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Pointee>
}
