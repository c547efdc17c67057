import CTaskletsShims
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import Tasklets

/// A fake job pointer that encodes `id`; the deque never dereferences it.
func token(_ id: Int) -> JobRef { JobRef(bitPattern: (id + 1) << 3)! }
func id(of job: JobRef) -> Int { Int(bitPattern: job) >> 3 - 1 }

func makeDeque(
    capacity: Int, heavyBarrier: HeavyBarrier? = nil, fencedTakesWindow: Int = OwnerFences.defaultWindow
) -> UnsafeShared<WorkStealingDeque> {
    let pointer = UnsafeMutablePointer<WorkStealingDeque>.allocate(capacity: 1)
    pointer.initialize(
        to: WorkStealingDeque(capacity: capacity, heavyBarrier: heavyBarrier, fencedTakesWindow: fencedTakesWindow))
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
/// `aThiefCallsTheHeavyBarrierOnlyWhileTheOwnerIsFenceFree` uses it.
let heavyBarrierCalls = Atomic<Int>(0)

/// A stand-in for membarrier that only counts (the test that uses it has no
/// second thread, so it needs no real barrier).
let countingHeavyBarrier: HeavyBarrier = {
    heavyBarrierCalls.add(1, ordering: .relaxed)
}

/// Whether the deque's owner takes without a fence now (a function, since
/// `#expect` cannot read a property of a noncopyable value).
func fenceFree(_ deque: UnsafeMutablePointer<WorkStealingDeque>) -> Bool {
    deque.pointee.ownerTakesFenceFree
}

/// What `hookedHeavyBarrier` runs inside its one call; only
/// `aConfirmationFromBeforeAClearConfirmsNoLaterRequest` sets it.
nonisolated(unsafe) var heavyBarrierHook: (() -> Void)?

/// A stand-in for membarrier that runs the hook once: what other threads
/// do while a thief's call is in flight.
let hookedHeavyBarrier: HeavyBarrier = {
    let hook = heavyBarrierHook
    heavyBarrierHook = nil
    hook?()
}

/// How often `countingMembarrier` ran: the concurrent asymmetric tests.
let membarrierCalls = Atomic<Int>(0)

/// The real membarrier, counted.
let countingMembarrier: HeavyBarrier = {
    membarrierCalls.add(1, ordering: .relaxed)
    ctasklets_membarrier()
}

/// The deque fences `everyJobExactlyOnce` runs with.
enum TestFences: CaseIterable, CustomTestStringConvertible {
    /// A seq_cst fence on every take and steal.
    case symmetric
    /// Asymmetric, as a pool has them: a window of 2^14 fenced takes.
    case asymmetric
    /// Asymmetric with a window of one fenced take: the owner goes back to
    /// fence-free takes whenever no thief found jobs since its last fenced
    /// take, so requests, confirmations and clears race all the time.
    case asymmetricEager

    var testDescription: String { "\(self)" }
    var heavyBarrier: HeavyBarrier? { self == .symmetric ? nil : countingMembarrier }
    var window: Int { self == .asymmetricEager ? 1 : OwnerFences.defaultWindow }
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
    /// with each kind of fences (`TestFences`) where the kernel has
    /// membarrier.
    @Test(.serialized, arguments: [1, 2, 8], TestFences.allCases)
    func everyJobExactlyOnce(thieves: Int, fences: TestFences) {
        if fences != .symmetric && !membarrierAvailable { return }
        // Fewer jobs when eager: a steal may then call membarrier, which
        // interrupts every running thread of the test process (8 thieves
        // calling it back to back under ThreadSanitizer once slowed the
        // tests beside them for minutes: hence also the yields below).
        let total = fences == .asymmetricEager ? 20_000 : 200_000
        let deque = makeDeque(capacity: 2, heavyBarrier: fences.heavyBarrier, fencedTakesWindow: fences.window)
        defer { destroy(deque) }
        let callsBefore = membarrierCalls.load(ordering: .relaxed)
        let seen = Counters(count: total)
        let stolen = Counters(count: 1)
        let done = UnsafeShared(pointer: UnsafeMutablePointer<Atomic<Bool>>.allocate(capacity: 1))
        done.pointer.initialize(to: Atomic(false))
        defer { done.pointer.deallocate() }
        let eager = fences == .asymmetricEager
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
                    case .success(let job):
                        seen.increment(id(of: job))
                        stolen.increment(0)
                    case .retry: if eager { sched_yield() }
                    case .empty:
                        if done.pointer.pointee.load(ordering: .acquiring) { return }
                        if eager { sched_yield() }
                    }
                }
            }
        }
        #expect(seen.mismatches() == [])
        if fences != .symmetric && stolen[0] > 0 {
            // The owner was fence-free when the thieves started, so the
            // first steal called membarrier.
            #expect(membarrierCalls.load(ordering: .relaxed) > callsBefore)
        }
    }

    /// Under asymmetric fences a thief calls the heavy barrier only when the
    /// deque does not look empty (and never for a job below its floor), and
    /// only while the owner takes fence-free: the first such steal asks the
    /// owner to fence and confirms it, later thieves trust their own fence,
    /// and after a window of fenced takes with no thief the owner goes back
    /// to fence-free takes, so that the next thief calls it again. The owner
    /// never calls it.
    @Test func aThiefCallsTheHeavyBarrierOnlyWhileTheOwnerIsFenceFree() {
        let deque = makeDeque(capacity: 8, heavyBarrier: countingHeavyBarrier, fencedTakesWindow: 2)
        defer { destroy(deque) }
        let d = deque.pointer
        let before = heavyBarrierCalls.load(ordering: .relaxed)
        func calls() -> Int { heavyBarrierCalls.load(ordering: .relaxed) - before }
        #expect(fenceFree(d))
        #expect(d.pointee.steal().isEmpty)
        #expect(calls() == 0)
        d.pointee.push(token(1))
        d.pointee.push(token(2))
        #expect(d.pointee.steal(atOrAbove: 1).isEmpty)  // job 1 sits below the floor
        #expect(calls() == 0)
        #expect(d.pointee.steal().job.map(id(of:)) == 1)
        #expect(calls() == 1)
        #expect(!fenceFree(d))  // asked and confirmed
        d.pointee.push(token(3))
        #expect(d.pointee.steal().job.map(id(of:)) == 2)
        #expect(calls() == 1)  // trusted the owner's fence
        // A window with a thief in it: the owner keeps fencing.
        #expect(d.pointee.take().map(id(of:)) == 3)
        d.pointee.push(token(4))
        #expect(d.pointee.take().map(id(of:)) == 4)
        #expect(!fenceFree(d))
        // A window with no thief: back to fence-free takes.
        d.pointee.push(token(5))
        #expect(d.pointee.take().map(id(of:)) == 5)
        d.pointee.push(token(6))
        #expect(d.pointee.take().map(id(of:)) == 6)
        #expect(fenceFree(d))
        #expect(d.pointee.take() == nil)
        #expect(calls() == 1)
        d.pointee.push(token(7))
        #expect(d.pointee.steal().job.map(id(of:)) == 7)
        #expect(calls() == 2)
        #expect(!fenceFree(d))
    }

    /// The generation at work: while a thief's membarrier is in flight, the
    /// owner takes (fencing, since the word says `requested`), ends a window
    /// with no thief in it and clears, and a second thief asks again. The
    /// first thief's confirmation, for the old generation, must fail: the
    /// owner has not been fenced since the second request.
    @Test func aConfirmationFromBeforeAClearConfirmsNoLaterRequest() {
        let deque = makeDeque(capacity: 8, heavyBarrier: hookedHeavyBarrier, fencedTakesWindow: 1)
        defer { destroy(deque) }
        let d = deque.pointer
        for index in 1...3 { d.pointee.push(token(index)) }
        heavyBarrierHook = {
            #expect(!fenceFree(d))  // requested: the owner fences
            #expect(d.pointee.take().map(id(of:)) == 3)
            #expect(fenceFree(d))  // a window without thieves: cleared
            // The second thief's request (its membarrier not yet returned).
            let word = d.pointee.ownerFences.load(ordering: .relaxed)
            d.pointee.ownerFences.store(word | OwnerFences.requested, ordering: .relaxed)
        }
        #expect(d.pointee.steal().job.map(id(of:)) == 1)
        #expect(heavyBarrierHook == nil)  // the hook ran
        let word = d.pointee.ownerFences.load(ordering: .relaxed)
        #expect(word & OwnerFences.phaseMask == OwnerFences.requested)
        #expect(word / OwnerFences.generation == 1)
    }

    /// Under symmetric fences the owner fences every take for good: no
    /// window of takes without thieves makes it stop.
    @Test func symmetricOwnersNeverStopFencing() {
        let deque = makeDeque(capacity: 8, fencedTakesWindow: 2)
        defer { destroy(deque) }
        for index in 0..<10 {
            deque.pointer.pointee.push(token(index))
            #expect(deque.pointer.pointee.take().map(id(of:)) == index)
            #expect(!fenceFree(deque.pointer))
        }
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
