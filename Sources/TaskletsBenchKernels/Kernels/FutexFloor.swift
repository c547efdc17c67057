import CTaskletsShims
import Dispatch
import Synchronization

/// The floor under every backend's wake-up: one plain thread parked on a
/// futex, woken by `futex_wake` from the submitting thread, the time from
/// just before the wake to the parked thread running again. `wake-latency`
/// measures it beside each backend, so that a backend's wake-up reads
/// against what the kernel and this machine's idle states cost then.
final class FutexFloor {
    /// What the parked thread uses; it holds this, not the `FutexFloor`, so
    /// that dropping the `FutexFloor` stops and joins the thread.
    private let parked = Parked()
    private let thread = Inject.SubmitterThreads()

    init() throws(BenchError) {
        guard thread.start({ [parked] in parked.loop() }) else {
            throw .backendFailed(backend: "futex floor", reason: "could not start its thread")
        }
    }

    deinit {
        parked.stop()
        thread.joinAll()
    }

    /// Wakes the parked thread and returns the nanoseconds until it ran.
    func sample() -> UInt64 {
        parked.sample()
    }

    final class Parked: @unchecked Sendable {
        /// 0: parked (or about to be), 1: woken, 2: stop.
        private let word = UnsafeMutablePointer<Atomic<UInt32>>.allocate(capacity: 1)
        private let ran = DispatchSemaphore(value: 0)
        /// Written by the parked thread before `ran.signal()`, read after
        /// the wait.
        private var wokeAt: UInt64 = 0

        init() { word.initialize(to: Atomic(0)) }
        deinit { word.deallocate() }

        private var address: UnsafeMutablePointer<UInt32> {
            UnsafeMutableRawPointer(word).assumingMemoryBound(to: UInt32.self)
        }

        func sample() -> UInt64 {
            let wokenAt = BenchClock.nanoseconds()
            // releasing: pairs with the parked thread's acquiring load.
            word.pointee.store(1, ordering: .releasing)
            _ = ctasklets_futex_wake(address, 1)
            ran.wait()
            return wokeAt &- wokenAt
        }

        /// Makes `loop` return (harmless if it never ran).
        func stop() {
            word.pointee.store(2, ordering: .releasing)
            _ = ctasklets_futex_wake(address, 1)
        }

        func loop() {
            while true {
                // acquiring: pairs with the releasing stores of `sample` and `stop`.
                var value = word.pointee.load(ordering: .acquiring)
                while value == 0 {
                    _ = ctasklets_futex_wait(address, 0, -1)
                    value = word.pointee.load(ordering: .acquiring)
                }
                if value == 2 { return }
                wokeAt = BenchClock.nanoseconds()
                // Only this thread resets it, and `sample` stores 1 again only
                // after `ran.wait()`; `stop` may have stored 2 since: keep it.
                _ = word.pointee.compareExchange(expected: 1, desired: 0, ordering: .relaxed)
                ran.signal()
            }
        }
    }
}
