#if canImport(Glibc)
import Glibc
#endif

/// Whether this test process runs under ThreadSanitizer or AddressSanitizer
/// (their runtimes define these symbols). They take over fatal signals such
/// as SIGSEGV with their own reports, so tests of the pool's own fault
/// handling are skipped under them.
let runsUnderASanitizer: Bool = {
    let everything = UnsafeMutableRawPointer(bitPattern: 0)  // RTLD_DEFAULT
    return dlsym(everything, "__tsan_init") != nil || dlsym(everything, "__asan_init") != nil
}()

/// How much longer every bounded wait of these tests (`within`, `bounded`,
/// `eventually`, `asyncEventually`) lasts under a sanitizer before it calls
/// something hung. A passing test waits no longer for it; only a hang takes
/// longer to report. ThreadSanitizer slows a test 5-15 times alone, and
/// beside the whole suite on two busy cores far more: a 2 s select test
/// once ran past a 60 s limit in CI (7 s with a release build beside it
/// here).
let hangLimitScale: Double = runsUnderASanitizer ? 4 : 1
