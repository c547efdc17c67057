import CTaskletsShims
import Dispatch
import Synchronization

/// The floor under every backend's wake-up: one plain thread parked on a
/// futex, woken by `futex_wake` from the submitting thread, the time from
/// just before the wake to the parked thread running again. `wake-latency`
/// measures it beside each backend, sample for sample, so that a backend's
/// wake-up reads against what the kernel and this machine's idle states
/// cost at that moment.
final class FutexFloor: @unchecked Sendable {
    /// 0: parked (or about to be), 1: woken, 2: stop.
    private let word = UnsafeMutablePointer<Atomic<UInt32>>.allocate(capacity: 1)
    private let ran = DispatchSemaphore(value: 0)
    /// Written by the parked thread before `ran.signal()`, read after the wait.
    private var wokeAt: UInt64 = 0
    private let thread = Inject.SubmitterThreads()

    init() throws(BenchError) {
        word.initialize(to: Atomic(0))
        guard thread.start({ [self] in parkLoop() }) else {
            word.deallocate()
            throw .backendFailed(backend: "futex floor", reason: "could not start its thread")
        }
    }

    deinit {
        // releasing: nothing to publish but the value itself.
        word.pointee.store(2, ordering: .releasing)
        _ = ctasklets_futex_wake(address, 1)
        thread.joinAll()
        word.deallocate()
    }

    private var address: UnsafeMutablePointer<UInt32> {
        UnsafeMutableRawPointer(word).assumingMemoryBound(to: UInt32.self)
    }

    /// Wakes the parked thread and returns the nanoseconds until it ran.
    func sample() -> UInt64 {
        let wokenAt = BenchClock.nanoseconds()
        // releasing: pairs with the parked thread's acquiring load.
        word.pointee.store(1, ordering: .releasing)
        _ = ctasklets_futex_wake(address, 1)
        ran.wait()
        return wokeAt &- wokenAt
    }

    private func parkLoop() {
        while true {
            // acquiring: pairs with the releasing store of `sample` or deinit.
            var value = word.pointee.load(ordering: .acquiring)
            while value == 0 {
                _ = ctasklets_futex_wait(address, 0, -1)
                value = word.pointee.load(ordering: .acquiring)
            }
            if value == 2 { return }
            wokeAt = BenchClock.nanoseconds()
            word.pointee.store(0, ordering: .relaxed)
            ran.signal()
        }
    }
}
