#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The two clocks of a measurement: monotonic wall time and process CPU time.
/// (Not named `Clock`: that would shadow the standard library's protocol in
/// every file that imports this module.)
public enum BenchClock {
    /// Monotonic time in nanoseconds (CLOCK_MONOTONIC).
    @inline(__always)
    public static func nanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }

    /// User plus system CPU time of the whole process, in nanoseconds
    /// (getrusage(RUSAGE_SELF): every thread, including idle spinners).
    public static func processCPUNanoseconds() -> UInt64 {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        func nanos(_ time: timeval) -> UInt64 {
            UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_usec) &* 1000
        }
        return nanos(usage.ru_utime) &+ nanos(usage.ru_stime)
    }

    /// Milliseconds between two `nanoseconds()` readings.
    public static func milliseconds(from start: UInt64, to end: UInt64) -> Double {
        Double(end &- start) / 1e6
    }

    /// Sleeps for `nanoseconds` (nanosleep, resumed after a signal).
    public static func sleep(nanoseconds: UInt64) {
        var request = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }
}
