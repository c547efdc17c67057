import CTaskletsBenchShims
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Pinning the whole process to a set of CPUs, for Dispatch and TaskGroup
/// runs with fewer workers than the affinity mask allows.
///
/// Those runtimes cannot be told a thread count; they size themselves from
/// the affinity mask when they first start. So the harness runs such a
/// configuration in a child process (itself, re-executed) whose
/// environment names the CPUs, and the child restricts itself first thing.
enum Pinning {
    /// The environment variable through which a parent asks for pinning.
    static let variable = "TASKLETS_BENCH_PIN_CPUS"

    /// The CPUs this process pinned itself to at start, or nil.
    nonisolated(unsafe) private(set) static var pinnedCPUs: [Int]?

    /// Reads `TASKLETS_BENCH_PIN_CPUS` ("0,1") and restricts the process to
    /// those CPUs. Called once, first thing in main, before any thread exists.
    static func applyFromEnvironment() {
        guard let raw = getenv(variable) else { return }
        let text = String(cString: raw)
        let cpus = text.split(separator: ",").compactMap { Int32($0) }
        guard !cpus.isEmpty, cpus.count == text.split(separator: ",").count else {
            fail("invalid \(variable)=\"\(text)\": expected a comma-separated list of CPU numbers")
        }
        let status = cpus.withUnsafeBufferPointer { ctb_restrict_to_cpus($0.baseAddress, Int32($0.count)) }
        guard status == 0 else {
            fail("could not pin the process to CPUs \(text): \(String(cString: strerror(status)))")
        }
        pinnedCPUs = cpus.map(Int.init)
    }

    private static func fail(_ message: String) -> Never {
        let line = "tasklets-bench: \(message)\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
        exit(1)
    }
}
