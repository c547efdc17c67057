#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension TaskletPool {
    /// Opt-in: whenever the process receives `signal` (`kill -USR1 <pid>`),
    /// writes the snapshot of every live pool to standard error, like Go's
    /// dump on SIGQUIT. The handler only writes a byte to a pipe; a thread
    /// of its own builds and writes the text. Installing it again, or for
    /// another signal, is fine.
    ///
    /// - Throws: `TaskletPoolError.signalUnavailable` for a signal that
    ///   cannot be caught (`SIGKILL`, `SIGSTOP`, out of range) or a failed
    ///   `pipe2`/`sigaction`/`pthread_create`.
    public static func dumpOnSignal(_ signal: Int32 = SIGUSR1) throws(TaskletPoolError) {
        try SnapshotDump.shared.install(signal, system: .live)
    }
}

/// The pools alive in the process (weakly held), for dumps.
final class LivePools: @unchecked Sendable {
    private struct Entry {
        weak var pool: TaskletPool?
    }
    static let shared = LivePools()
    private let lock = PthreadLock()
    private var entries: [Entry] = []

    func add(_ pool: TaskletPool) {
        lock.withLock {
            entries.removeAll { $0.pool == nil }
            entries.append(Entry(pool: pool))
        }
    }

    var all: [TaskletPool] {
        lock.withLock { entries.compactMap(\.pool) }
    }
}

/// The reader thread of `dumpOnSignal` and where it writes.
final class SnapshotDump: @unchecked Sendable {
    static let shared = SnapshotDump()
    private let lock = PthreadLock()
    private var started = false
    /// Where dumps go: standard error, or a test's collector.
    private var sink: @Sendable (String) -> Void = { writeToStandardError($0) }

    func install(_ signal: Int32, system: SystemCalls) throws(TaskletPoolError) {
        let error = system.installDumpSignal(signal)
        guard error == 0 else {
            throw .signalUnavailable(signal: signal, SystemError(errno: error, call: "sigaction"))
        }
        let mustStart: Bool = lock.withLock {
            defer { started = true }
            return !started
        }
        guard mustStart else { return }
        let context = Unmanaged.passRetained(Box(self, system)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { raw in
            let box = Unmanaged<Box>.fromOpaque(raw.unsafelyUnwrapped).takeRetainedValue()
            box.dump.loop(box.system)
            return nil
        }, context)
        guard result == 0 else {
            Unmanaged<Box>.fromOpaque(context).release()
            lock.withLock { started = false }
            throw .signalUnavailable(signal: signal, SystemError(errno: result, call: "pthread_create"))
        }
        pthread_detach(thread)
    }

    private final class Box: @unchecked Sendable {
        let dump: SnapshotDump
        let system: SystemCalls
        init(_ dump: SnapshotDump, _ system: SystemCalls) {
            self.dump = dump
            self.system = system
        }
    }

    /// Replaces where dumps go (tests); returns the previous sink.
    @discardableResult
    func redirect(to newSink: @escaping @Sendable (String) -> Void) -> @Sendable (String) -> Void {
        lock.withLock {
            defer { sink = newSink }
            return sink
        }
    }

    private func loop(_ system: SystemCalls) {
        while system.waitForDumpSignal() == 0 {
            let pools = LivePools.shared.all
            var text = "swift-tasklets: \(pools.count) pool(s)\n"
            for pool in pools { text += pool.snapshot().description + "\n" }
            let write = lock.withLock { sink }
            write(text)
        }
    }
}
