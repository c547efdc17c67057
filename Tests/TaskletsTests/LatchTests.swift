import Synchronization
import Testing
@testable import Tasklets

#if canImport(Glibc)
import Glibc
#endif

/// Who a latch wakes: the thief that starts a job wakes only a waiter that
/// can help it (a `join`); a thread that can only wait for the end sleeps
/// through the start, and `set` wakes every kind of waiter.
@Suite struct LatchTests {
    /// Counts the futex calls a latch makes; the wait returns at once, as
    /// if the word had changed, so the calling thread never blocks.
    final class FutexCounts: Sendable {
        let waits = Atomic<Int>(0)
        let wakes = Atomic<Int>(0)

        var system: SystemCalls {
            var system = SystemCalls.live
            system.futexWait = { [self] _, _, _ in
                waits.add(1, ordering: .relaxed)
                return EAGAIN
            }
            system.futexWake = { [self] _, _ in wakes.add(1, ordering: .relaxed) }
            return system
        }
    }

    @Test(arguments: [false, true])
    func aStartWakesOnlyAWaiterThatCanHelp(wakeOnStart: Bool) {
        let counts = FutexCounts()
        let latch = Latch()
        let setBeforeStart = latch.sleep(system: counts.system, timeoutNanoseconds: -1, wakeOnStart: wakeOnStart)
        #expect(!setBeforeStart)
        #expect(counts.waits.load(ordering: .relaxed) == 1)

        latch.markRunning(by: 0, system: counts.system)
        #expect(counts.wakes.load(ordering: .relaxed) == (wakeOnStart ? 1 : 0))

        latch.set(system: counts.system)
        #expect(counts.wakes.load(ordering: .relaxed) == (wakeOnStart ? 2 : 1))
        // Set: sleeping again returns at once, without a syscall.
        let setAfterEnd = latch.sleep(system: counts.system, timeoutNanoseconds: -1, wakeOnStart: wakeOnStart)
        #expect(setAfterEnd)
        #expect(counts.waits.load(ordering: .relaxed) == 1)
    }

    @Test func aLatchNobodySleepsOnIsSetWithoutASyscall() {
        let counts = FutexCounts()
        let latch = Latch()
        latch.markRunning(by: 1, system: counts.system)
        latch.set(system: counts.system)
        let isSet = latch.isSet
        #expect(isSet)
        #expect(counts.wakes.load(ordering: .relaxed) == 0)
    }

    /// A thread blocked in `run` sleeps until the end once, however long the
    /// job runs: the worker that starts the job no longer wakes it (before,
    /// every `run` whose caller was already asleep cost it a second sleep,
    /// and the worker a second wake syscall). Before that it watches the job
    /// for `Registry.helperDelayNanoseconds` with a timed sleep
    /// (LateHelperTests); only the untimed sleeps are counted here.
    @Test func aThreadBlockedInRunIsWokenOnlyWhenTheJobEnds() throws {
        let callerThread = Atomic<UInt>(0)
        let callerWaits = Atomic<Int>(0)
        var system = SystemCalls.live
        system.futexWait = { word, expected, timeout in
            if UInt(pthread_self()) == callerThread.load(ordering: .relaxed) {
                callerWaits.add(timeout < 0 ? 1 : 1 << 32, ordering: .relaxed)
            }
            return SystemCalls.live.futexWait(word, expected, timeout)
        }
        let pool = try TaskletPool(workers: 1, system: system, errorHandler: { _ in })
        defer { pool.shutdown() }
        let rounds = 8
        try bounded(60, "runs behind a busy worker") {
            callerThread.store(UInt(pthread_self()), ordering: .relaxed)
            for _ in 0..<rounds {
                // The only worker is busy for 20 ms, so the caller is asleep
                // on its latch long before the worker starts its job.
                try pool.spawn { usleep(20_000) }
                _ = try pool.run { usleep(2_000) }
            }
        }
        // At most one sleep per round (none if the caller was descheduled
        // for the whole 20 ms); a start that woke the caller made it two.
        // One spare for a signal that interrupts a sleep.
        let waits = callerWaits.load(ordering: .relaxed) & 0xFFFF_FFFF
        let watches = callerWaits.load(ordering: .relaxed) >> 32
        #expect(waits > 0 && waits <= rounds + 1)
        #expect(watches > 0)
    }
}
