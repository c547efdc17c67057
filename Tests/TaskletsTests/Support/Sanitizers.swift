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
