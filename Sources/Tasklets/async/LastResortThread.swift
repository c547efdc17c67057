#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One thread per process for Swift jobs that reach a pool after its
/// shutdown (a task's continuation resumed by a timer, a socket, another
/// pool): they are never dropped (docs/async.md, "Shutdown"). Started on
/// first need; runs what it is given one item at a time, in order.
final class LastResortThread: @unchecked Sendable {
    static let shared = LastResortThread()

    private let lock = PthreadLock()
    private let wakeUp: PthreadCondition
    private var pending: [@Sendable () -> Void] = []
    private var started = false

    private init() {
        wakeUp = PthreadCondition(lock: lock)
    }

    /// Runs `work` on the last-resort thread, after what it was given before.
    func run(_ work: @escaping @Sendable () -> Void) {
        let start: Bool = lock.withLock {
            pending.append(work)
            wakeUp.signal()
            defer { started = true }
            return !started
        }
        if start { startThread() }
    }

    private func startThread() {
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { _ in
            LastResortThread.shared.loop()
        }, nil)
        precondition(result == 0, "swift-tasklets: could not start the last-resort thread (pthread_create: \(result))")
        pthread_detach(thread)
    }

    private func loop() -> Never {
        while true {
            let batch: [@Sendable () -> Void] = lock.withLock {
                while pending.isEmpty { wakeUp.wait() }
                defer { pending.removeAll() }
                return pending
            }
            for work in batch { work() }
        }
    }
}
