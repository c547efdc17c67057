import CTaskletsShims

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Every operating-system call the pool makes, each wrapped once.
///
/// Like swift-system's syscall wrappers, this is the only place that talks to
/// the kernel, so tests can substitute a `SystemCalls` value to simulate an
/// odd machine: a narrow affinity mask, pinning refused by a cgroup, an
/// environment variable. The pool keeps one value for its whole life; the
/// hot paths never call through it.
@usableFromInline
struct SystemCalls: Sendable {
    /// The CPUs of the calling thread's affinity mask, ascending, or an errno.
    var affinityCPUs: @Sendable () -> Result<[Int], SystemError>
    /// Pins the calling thread to a CPU; returns 0 or an errno value.
    var pinCurrentThread: @Sendable (Int) -> Int32
    /// The CPU the calling thread runs on, or -1.
    var currentCPU: @Sendable () -> Int
    /// Sleeps while `*word == expected`, at most `timeout` ns (forever if < 0).
    @usableFromInline var futexWait: @Sendable (UnsafeMutablePointer<UInt32>, UInt32, Int64) -> Int32
    /// Wakes up to `count` sleepers on `word`.
    @usableFromInline var futexWake: @Sendable (UnsafeMutablePointer<UInt32>, Int32) -> Void
    /// Reads an environment variable.
    var environment: @Sendable (String) -> String?

    static let live = SystemCalls(
        affinityCPUs: {
            var capacity = 1024
            while true {
                var cpus = [Int32](repeating: 0, count: capacity)
                let count = Int(ctasklets_affinity_cpus(&cpus, Int32(capacity)))
                if count < 0 { return .failure(SystemError(errno: Int32(-count), call: "sched_getaffinity")) }
                if count <= capacity { return .success(cpus[..<count].map(Int.init)) }
                capacity = count
            }
        },
        pinCurrentThread: { cpu in Int32(ctasklets_pin_current_thread(Int32(cpu))) },
        currentCPU: { Int(ctasklets_current_cpu()) },
        futexWait: { word, expected, timeout in
            Int32(ctasklets_futex_wait(word, expected, timeout))
        },
        futexWake: { word, count in _ = ctasklets_futex_wake(word, count) },
        environment: { name in
            guard let value = getenv(name) else { return nil }
            return String(cString: value)
        }
    )
}

/// A failed system call.
public struct SystemError: Error, Sendable, Hashable, CustomStringConvertible {
    public let errno: Int32
    public let call: String

    public var description: String {
        "\(call) failed: \(String(cString: strerror(errno))) (errno \(errno))"
    }
}
