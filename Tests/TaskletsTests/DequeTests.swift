import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import Tasklets

/// A fake job pointer that encodes `id`; the deque never dereferences it.
func token(_ id: Int) -> JobRef { JobRef(bitPattern: (id + 1) << 3)! }
func id(of job: JobRef) -> Int { Int(bitPattern: job) >> 3 - 1 }

func makeDeque(capacity: Int, heavyBarrier: HeavyBarrier? = nil) -> UnsafeShared<WorkStealingDeque> {
    let pointer = UnsafeMutablePointer<WorkStealingDeque>.allocate(capacity: 1)
    pointer.initialize(to: WorkStealingDeque(capacity: capacity, heavyBarrier: heavyBarrier))
    return UnsafeShared(pointer: pointer)
}

func destroy(_ deque: UnsafeShared<WorkStealingDeque>) {
    deque.pointer.deinitialize(count: 1)
    deque.pointer.deallocate()
}

/// Whether this kernel lets the process use membarrier (registering it):
/// the asymmetric-fence tests run only where it does, as the pool itself
/// uses them only there.
let membarrierAvailable = SystemCalls.live.registerMembarrier() == 0

/// How often `countingHeavyBarrier` ran; only
/// `aThiefCallsTheHeavyBarrierOnlyForANonEmptyDeque` uses it.
let heavyBarrierCalls = Atomic<Int>(0)

/// A stand-in for membarrier that only counts (the test that uses it has no
/// second thread, so it needs no real barrier).
let countingHeavyBarrier: HeavyBarrier = {
    heavyBarrierCalls.add(1, ordering: .relaxed)
}

extension StealResult {
    var job: JobRef? {
        if case .success(let job) = self { return job }
        return nil
    }
    var isEmpty: Bool {
        if case .empty = self { return true }
        return false
    }
}

@Suite struct DequeTests {
    @Test func ownerTakesNewestFirst() {
        let deque = makeDeque(capacity: 8)
        defer { destroy(deque) }
        for index in 0..<5 { deque.pointer.pointee.push(token(index)) }
        let taken = (0..<5).compactMap { _ in deque.pointer.pointee.take().map(id(of:)) }
        #expect(taken == [4, 3, 2, 1, 0])
    }

    @Test func thievesStealOldestFirst() {
        let deque = makeDeque(capacity: 8)
        defer { destroy(deque) }
        for index in 0..<5 { deque.pointer.pointee.push(token(index)) }
        let stolen = (0..<5).compactMap { _ in deque.pointer.pointee.steal().job.map(id(of:)) }
        #expect(stolen == [0, 1, 2, 3, 4])
    }

    @Test func emptyDequeGivesNothingToOwnerAndThief() {
        let deque = makeDeque(capacity: 2)
        defer { destroy(deque) }
        #expect(deque.pointer.pointee.take() == nil)
        #expect(deque.pointer.pointee.steal().isEmpty)
        deque.pointer.pointee.push(token(7))
        #expect(deque.pointer.pointee.take().map(id(of:)) == 7)
        #expect(deque.pointer.pointee.take() == nil)
        #expect(deque.pointer.pointee.steal().isEmpty)
        #expect(deque.pointer.pointee.count == 0)
    }

    @Test func mixedEndsMeetInTheMiddle() {
        let deque = makeDeque(capacity: 4)
        defer { destroy(deque) }
        for index in 0..<4 { deque.pointer.pointee.push(token(index)) }
        #expect(deque.pointer.pointee.steal().job.map(id(of:)) == 0)
        #expect(deque.pointer.pointee.take().map(id(of:)) == 3)
        #expect(deque.pointer.pointee.steal().job.map(id(of:)) == 1)
        #expect(deque.pointer.pointee.take().map(id(of:)) == 2)
        #expect(deque.pointer.pointee.take() == nil)
    }

    @Test func growsFromTwoPastOneHundredThousandKeepingBothOrders() {
        let total = 100_003
        let deque = makeDeque(capacity: 2)
        defer { destroy(deque) }
        for index in 0..<total { deque.pointer.pointee.push(token(index)) }
        #expect(deque.pointer.pointee.count == total)
        // Thieves see FIFO from the front, the owner LIFO from the back.
        for expected in 0..<1000 {
            #expect(deque.pointer.pointee.steal().job.map(id(of:)) == expected)
        }
        var next = total - 1
        while let job = deque.pointer.pointee.take() {
            if id(of: job) != next { break }
            next -= 1
        }
        #expect(next == 999)
    }

    @Test func floorsHideOlderJobs() {
        let deque = makeDeque(capacity: 8)
        defer { destroy(deque) }
        for index in 0..<4 { deque.pointer.pointee.push(token(index)) }
        #expect(deque.pointer.pointee.steal(atOrAbove: 1).isEmpty)
        #expect(deque.pointer.pointee.steal(atOrAbove: 0).job.map(id(of:)) == 0)
        #expect(deque.pointer.pointee.steal(atOrAbove: 1).job.map(id(of:)) == 1)
        #expect(deque.pointer.pointee.take(atOrAbove: 3).map(id(of:)) == 3)
        #expect(deque.pointer.pointee.take(atOrAbove: 3) == nil)
        #expect(deque.pointer.pointee.take(atOrAbove: 2).map(id(of:)) == 2)
    }

    /// Every pushed job is taken or stolen exactly once, while the owner
    /// mixes pushes and takes and `thieves` threads steal (8 thieves on two
    /// cores oversubscribe them, which exercises preemption mid-operation),
    /// with either kind of fences: symmetric, and asymmetric (fence-free
    /// takes, thieves calling membarrier) where the kernel has membarrier.
    @Test(arguments: [1, 2, 8], [false, true])
    func everyJobExactlyOnce(thieves: Int, asymmetric: Bool) {
        if asymmetric && !membarrierAvailable { return }
        let barrier: HeavyBarrier? = asymmetric ? SystemCalls.live.membarrier : nil
        // Fewer jobs with asymmetric fences: every steal of a non-empty deque
        // is a system call that interrupts every running thread of the test
        // process, and 8 thieves spinning on it under ThreadSanitizer on a
        // busy machine slowed the tests running beside it for minutes (still
        // 147 s with 5,000 jobs: hence also the yields below).
        let total = asymmetric ? 2_000 : 200_000
        let deque = makeDeque(capacity: 2, heavyBarrier: barrier)
        defer { destroy(deque) }
        let seen = Counters(count: total)
        let done = UnsafeShared(pointer: UnsafeMutablePointer<Atomic<Bool>>.allocate(capacity: 1))
        done.pointer.initialize(to: Atomic(false))
        defer { done.pointer.deallocate() }
        runConcurrently(thieves + 1) { index in
            if index == 0 {
                var random = SplitMix(seed: 7)
                var next = 0
                while next < total {
                    let burst = Int(random.next() % 8)
                    for _ in 0...burst where next < total {
                        deque.pointer.pointee.push(token(next))
                        next += 1
                    }
                    for _ in 0..<Int(random.next() % 6) {
                        if let job = deque.pointer.pointee.take() { seen.increment(id(of: job)) }
                    }
                }
                while let job = deque.pointer.pointee.take() { seen.increment(id(of: job)) }
                done.pointer.pointee.store(true, ordering: .releasing)
            } else {
                while true {
                    switch deque.pointer.pointee.steal() {
                    case .success(let job): seen.increment(id(of: job))
                    case .retry: if asymmetric { sched_yield() }
                    case .empty:
                        if done.pointer.pointee.load(ordering: .acquiring) { return }
                        // Asymmetric: spinning thieves would call membarrier
                        // back to back, interrupting every test beside this one.
                        if asymmetric { sched_yield() }
                    }
                }
            }
        }
        #expect(seen.mismatches() == [])
    }

    /// Under asymmetric fences a thief calls the heavy barrier exactly when
    /// the deque does not look empty (and never for a job below its floor),
    /// and the owner never calls it.
    @Test func aThiefCallsTheHeavyBarrierOnlyForANonEmptyDeque() {
        let deque = makeDeque(capacity: 4, heavyBarrier: countingHeavyBarrier)
        defer { destroy(deque) }
        let before = heavyBarrierCalls.load(ordering: .relaxed)
        func calls() -> Int { heavyBarrierCalls.load(ordering: .relaxed) - before }
        #expect(deque.pointer.pointee.steal().isEmpty)
        #expect(calls() == 0)
        deque.pointer.pointee.push(token(1))
        deque.pointer.pointee.push(token(2))
        #expect(deque.pointer.pointee.steal(atOrAbove: 1).isEmpty)  // job 1 sits below the floor
        #expect(calls() == 0)
        #expect(deque.pointer.pointee.steal().job.map(id(of:)) == 1)
        #expect(calls() == 1)
        #expect(deque.pointer.pointee.take().map(id(of:)) == 2)
        #expect(deque.pointer.pointee.take() == nil)
        #expect(calls() == 1)
    }

    /// What the owner writes into a job before pushing it is intact when a
    /// thief takes it: the push's releasing store publishes it. Under
    /// ThreadSanitizer this also checks that the publication is race-free.
    @Test func plainDataWrittenBeforePushIsVisibleToThief() {
        struct Payload { var words: (Int, Int, Int, Int) }
        let total = 20_000
        let payloads = UnsafeShared(pointer: UnsafeMutablePointer<Payload>.allocate(capacity: total))
        defer { payloads.pointer.deallocate() }
        let deque = makeDeque(capacity: 2)
        defer { destroy(deque) }
        let results = Counters(count: 2)  // 0: stolen, 1: corrupted
        runConcurrently(2) { index in
            if index == 0 {
                for item in 0..<total {
                    (payloads.pointer + item).initialize(to: Payload(words: (item, item * 3, item * 5, ~item)))
                    deque.pointer.pointee.push(JobRef(payloads.pointer + item))
                }
            } else {
                var received = 0
                while received < total {
                    guard let job = deque.pointer.pointee.steal().job else { continue }
                    let words = job.assumingMemoryBound(to: Payload.self).pointee.words
                    let item = words.0
                    if words != (item, item * 3, item * 5, ~item) { results.increment(1) }
                    results.increment(0)
                    received += 1
                }
            }
        }
        #expect(results[0] == total)
        #expect(results[1] == 0)
    }
}
