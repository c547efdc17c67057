import CTaskletsShims
import Synchronization

/// A Chase-Lev work-stealing deque of job pointers.
///
/// The owning worker pushes and takes at the *bottom* (LIFO, so a `join`
/// finds its own second half again); any other thread steals at the *top*
/// (FIFO, so thieves take the oldest and usually largest piece of work).
///
/// The memory orderings are those of Lê, Pop, Cohen and Zappa Nardelli,
/// "Correct and Efficient Work-Stealing for Weak Memory Models" (PPoPP 2013),
/// reasoned in the C11 model. Two deliberate changes, both noted where they
/// happen: `bottom` is published with a releasing store instead of a release
/// fence followed by a relaxed store (ThreadSanitizer does not model
/// standalone fences), and the ring grows by doubling while retired rings stay
/// alive until the deque dies, because a thief may still be reading one.
///
/// The store-load race over the last job needs a full barrier on both
/// sides. With `heavyBarrier` nil (symmetric fences) both sides issue a
/// seq_cst fence, as Lê et al. do. With it set (asymmetric fences,
/// `DequeFences`), the owner fences only while thieves come: a thief that
/// finds the owner fence-free calls `heavyBarrier` (membarrier), which runs
/// a full barrier on the owner wherever it is, and asks it to fence from
/// then on; the owner goes back to fence-free takes after a window of
/// fenced takes with no thief (WorkStealingDeque+OwnerFences.swift;
/// docs/join.md, "The fence-free fast path").
///
/// The model-checked C++ mirror of this type is `Tests/ModelCheck/deque.cpp`;
/// keep the two in step (`-DASYMMETRIC` models the asymmetric fences).
///
/// The deque lives at a fixed address (inside a worker's state), so it is
/// `~Copyable` and its atomics are stored inline.
@usableFromInline
struct WorkStealingDeque: ~Copyable {
    /// Index of the oldest element. Only ever incremented, by a CAS.
    @usableFromInline let top: Atomic<Int>
    /// One past the newest element. Written only by the owner.
    @usableFromInline let bottom: Atomic<Int>
    // A take touches `top`, `bottom`, `ownerFences` and, when it fences,
    // `fencedTakesLeft`: the first 32 bytes, declared together so that
    // they are likely to share one cache line.
    /// Whether the owner fences its takes, and which request for that is
    /// current (`OwnerFences`). Thieves read it after their fence.
    @usableFromInline let ownerFences: Atomic<Int>
    /// Fenced takes left before the owner looks whether thieves still come.
    /// Owner only (atomic because the deque's methods are non-mutating).
    @usableFromInline let fencedTakesLeft: Atomic<Int>
    /// The current ring. Written only by the owner (when it grows).
    /// The current ring's address (as bits: decoding needs no nil check).
    @usableFromInline let ring: Atomic<UInt>
    /// Set by a thief that found jobs while the owner fences; the owner
    /// clears it at each look (`lookForThieves`). Only a hint.
    @usableFromInline let thievesCame: Atomic<Bool>
    /// How many fenced takes make one window (`lookForThieves`).
    @usableFromInline let fencedTakesWindow: Int

    /// Where the rings come from (plain memory when nil).
    let memory: RingMemory?
    /// The thieves' side of an asymmetric fence, or nil for symmetric
    /// fences (see the type's comment).
    @usableFromInline let heavyBarrier: HeavyBarrier?

    init(
        capacity: Int = 256, memory: RingMemory? = nil, heavyBarrier: HeavyBarrier? = nil,
        fencedTakesWindow: Int = OwnerFences.defaultWindow
    ) {
        top = Atomic(0)
        bottom = Atomic(0)
        // Symmetric fences: fencing for good (nothing clears it without a
        // heavy barrier). Asymmetric: fence-free until a thief asks.
        ownerFences = Atomic(heavyBarrier == nil ? OwnerFences.fencing : OwnerFences.fenceFree)
        fencedTakesLeft = Atomic(fencedTakesWindow)
        thievesCame = Atomic(false)
        self.fencedTakesWindow = fencedTakesWindow
        self.memory = memory
        self.heavyBarrier = heavyBarrier
        ring = Atomic(UInt(bitPattern: DequeRing.allocate(capacity: capacity, previous: nil, memory: memory).base))
    }

    deinit {
        // Only the owner of the deque can get here, and no thief is left:
        // free the live ring and every retired one.
        var next: DequeRing? = DequeRing(bits: ring.load(ordering: .relaxed))
        while let current = next {
            next = current.previous
            current.deallocate(memory: memory)
        }
    }

    // MARK: - Owner operations

    /// Pushes a job at the bottom. Owner only. Returns the job's index.
    /// Model-checked mirror: `WorkStealingDeque::push` in Tests/ModelCheck/deque.cpp.
    @inlinable @inline(__always) @discardableResult
    func push(_ job: JobRef) -> Int {
        // relaxed: only the owner writes `bottom`, so it reads its own last write.
        let b = bottom.load(ordering: .relaxed)
        // acquiring: synchronizes with the thief's CAS on `top` that released
        // the slot at t - 1. The thief read that slot before its CAS, so the
        // read happens-before any overwrite of it below after wrap-around.
        let t = top.load(ordering: .acquiring)
        // relaxed: only the owner writes `ring`.
        var r = DequeRing(bits: ring.load(ordering: .relaxed))
        if b &- t > r.mask {
            r = grow(r, bottom: b, top: t)
        }
        // relaxed: the releasing store of `bottom` below publishes it.
        r.store(UInt(bitPattern: job), at: b)
        // releasing: publishes the slot and everything the owner wrote into
        // the job record before the push to a thief that acquires `bottom`.
        // (Lê et al. use a release fence and a relaxed store; the releasing
        // store is equivalent in C11 and visible to ThreadSanitizer.)
        bottom.store(b &+ 1, ordering: .releasing)
        return b
    }

    /// Takes the newest job from the bottom, or nil when the deque is empty
    /// or a thief won the race for the last job. Owner only.
    /// Model-checked mirror: `WorkStealingDeque::take` in Tests/ModelCheck/deque.cpp.
    @inlinable @inline(__always)
    func take() -> JobRef? {
        // relaxed: owner-only variable.
        let b = bottom.load(ordering: .relaxed) &- 1
        let r = DequeRing(bits: ring.load(ordering: .relaxed))
        // Store, then a full barrier before reading `top`
        // (`fenceBeforeReadingTop`), so that an owner and a thief cannot both
        // miss each other's claim on the last element (a store-load pattern
        // that no acquire/release pairing can order).
        // releasing (Lê et al. have relaxed): a thief may acquire-load this
        // value of `bottom`; C++20 dropped same-thread stores from release
        // sequences, so a relaxed store here would not carry the pushes'
        // publication to it. Free on x86, an `stlr` on Arm.
        bottom.store(b, ordering: .releasing)
        fenceBeforeReadingTop()
        let t = top.load(ordering: .relaxed)
        if t <= b {
            // Non-empty. The slot was written by this thread, so it holds a job.
            let job = JobRef(bitPattern: r.load(at: b)).unsafelyUnwrapped
            if t == b {
                return claimLast(at: t) ? job : nil
            }
            return job
        }
        // Empty: restore `bottom`. releasing, like the store above: a thief
        // may acquire this value, and C++20 release sequences no longer carry
        // the earlier pushes' publication through a relaxed store of the same
        // thread. Free on x86.
        bottom.store(b &+ 1, ordering: .releasing)
        return nil
    }

    /// Takes back the job pushed at `index`, when it is the newest: returns
    /// `.taken` without reading its slot (the caller knows what it pushed),
    /// `.stolen` if a thief got it, or `.buried` if newer jobs lie above it
    /// (the caller takes those first). Owner only. The same steps and
    /// orderings as `take`, minus the slot read.
    @inlinable @inline(__always)
    func takeBack(index: Int) -> TakeBackResult {
        // relaxed: owner-only variable.
        let b = bottom.load(ordering: .relaxed) &- 1
        guard b == index else { return .buried }
        // As in `take`: releasing store, full barrier, then read `top`.
        bottom.store(b, ordering: .releasing)
        fenceBeforeReadingTop()
        let t = top.load(ordering: .relaxed)
        // The slot at `index` still holds `job`: nothing below a pending
        // join's job is taken by its owner while the join waits (waiting
        // helpers only take jobs pushed after they began), so a job at this
        // index is the one the join pushed.
        if t < b { return .taken }
        if t == b {
            return claimLast(at: t) ? .taken : .stolen
        }
        // Restore `bottom`; releasing, as in `take`.
        bottom.store(b &+ 1, ordering: .releasing)
        return .stolen
    }

    /// The owner's claim on the last element, at index `t` (== the
    /// decremented bottom): races the thieves for it with a CAS on `top`,
    /// then restores `bottom` to "empty" (t + 1). Returns whether it won.
    @inlinable @inline(__always)
    func claimLast(at t: Int) -> Bool {
        // sequentiallyConsistent, as in Lê et al.: the claim must be ordered
        // against the thieves' fenced reads.
        let won = top.compareExchange(
            expected: t, desired: t &+ 1,
            successOrdering: .sequentiallyConsistent,
            failureOrdering: .relaxed
        ).exchanged
        // Restore `bottom`; releasing, as in `take`.
        bottom.store(t &+ 1, ordering: .releasing)
        return won
    }

    /// Like `take`, but leaves the jobs at indices below `floor` alone. A
    /// waiting scope uses it to run only the jobs pushed after it started.
    @inlinable
    func take(atOrAbove floor: Int) -> JobRef? {
        // relaxed: owner-only variable.
        guard bottom.load(ordering: .relaxed) > floor else { return nil }
        return take()
    }

    // MARK: - Thief operations

    /// Steals the oldest job. Any thread.
    @inlinable
    func steal() -> StealResult {
        steal(atOrAbove: .min)
    }

    /// Steals the oldest job if its index is at least `floor`. A worker that
    /// waits for a stolen `join` half uses it on its thief's deque: the jobs
    /// at or above the index where the thief's deque stood when it started
    /// our job were pushed while it ran it (`StackJob.beginHelping` makes
    /// sure the thief is still running it), and older ones are unrelated work
    /// that could bury the waiting `join` (rayon-rs/rayon#957).
    /// Model-checked mirror: `WorkStealingDeque::steal` in Tests/ModelCheck/deque.cpp.
    @inlinable
    func steal(atOrAbove floor: Int) -> StealResult {
        steal(atOrAbove: floor, fenced: true)
    }

    /// Steals the oldest job of a deque whose owner only pushes (never takes
    /// from the bottom): a worker's task queues. Any thread, the owner too.
    /// The same as `steal`, without its seq_cst fence: that fence pairs with
    /// the one in `take`, so that an owner taking the last job from the
    /// bottom and a thief taking it from the top cannot both miss each
    /// other. With no take, `bottom` only grows: a stale `bottom` can only
    /// make the deque look emptier than it is (the caller tries again, and
    /// the sleep protocol's re-check reads `count` with seq_cst loads), and
    /// the CAS on `top` still gives each job to one taker. Model-checked
    /// mirror: `WorkStealingDeque::steal` with `fenced` false, in the *task
    /// queue* test of Tests/ModelCheck/deque.cpp.
    @inlinable
    func stealFromQueue() -> StealResult {
        steal(atOrAbove: .min, fenced: false)
    }

    /// The steal both of the above are; `fenced` is a constant at each call.
    @inlinable @inline(__always)
    func steal(atOrAbove floor: Int, fenced: Bool) -> StealResult {
        // acquiring: synchronizes with the CAS of a previous thief, so the
        // slot we read below is not older than that thief's view.
        let t = top.load(ordering: .acquiring)
        // A full barrier between the load of `top` and the load of `bottom`,
        // pairing with the owner's in `take` (`fenceBeforeReadingTop`); not
        // needed where nobody takes (see `stealFromQueue`).
        if fenced {
            // The seq_cst fence orders the load of `top` before the load of
            // `bottom` in S, against the owner's fence.
            atomicMemoryFence(ordering: .sequentiallyConsistent)
            // acquiring, and after the fence: see `OwnerFences` for why both.
            let fences = ownerFences.load(ordering: .acquiring)
            if !OwnerFences.isConfirmed(fences) {
                // The owner may be taking without a fence. relaxed: only a
                // hint that spares the system call when the deque looks
                // empty; the acquiring load below decides. A stale value can
                // only hide a job pushed just now, which a plain steal can
                // miss too (the sleep protocol covers it).
                guard t < bottom.load(ordering: .relaxed), t >= floor else { return .empty }
                requestOwnerFences(seen: fences)
            }
        }
        // acquiring: synchronizes with the owner's store of the value read
        // (every store of `bottom` releases: `push`, and the stores in `take`,
        // `takeBack` and `claimLast`), so the slot and the job record it
        // points to are visible; the owner pushed them before that store.
        let b = bottom.load(ordering: .acquiring)
        guard t < b else { return .empty }
        guard t >= floor else { return .empty }
        if fenced { noteThief() }
        // acquiring: pairs with the releasing store in `grow`, so the copied
        // slots of a new ring are visible. (Lê et al. use consume.)
        let r = DequeRing(bits: ring.load(ordering: .acquiring))
        // Read the slot *before* the CAS: once `top` moves past t the owner
        // may overwrite the slot. The read is atomic because it can race with
        // that overwrite when the CAS is going to fail.
        let bits = r.load(at: t)
        // sequentiallyConsistent, as in Lê et al.: the claim must be ordered
        // against the owner's fenced read of `top` in `take` (under C11;
        // docs/verification.md says why it is kept under C++20 too).
        let won = top.compareExchange(
            expected: t, desired: t &+ 1,
            successOrdering: .sequentiallyConsistent,
            failureOrdering: .relaxed
        ).exchanged
        // After a successful claim the slot held job t: it was pushed before
        // the `bottom` we acquired, into that ring or an older one that `grow`
        // copied it from (t was still at or above `top` then).
        return won ? .success(JobRef(bitPattern: bits).unsafelyUnwrapped) : .retry
    }

    /// Steals the oldest job, retrying up to 4 lost races; nil when the
    /// deque is empty or the races keep failing. Any thread. `fromQueue`:
    /// the deque's owner only pushes (`stealFromQueue`).
    @inlinable
    func stealRetrying(fromQueue: Bool = false) -> JobRef? {
        for _ in 0..<4 {
            switch fromQueue ? stealFromQueue() : steal() {
            case .success(let job): return job
            case .empty: return nil
            case .retry: continue
            }
        }
        return nil
    }

    /// Whether the deque looks empty to its owner (relaxed loads: `bottom`
    /// is the owner's own; `top` may be stale, so "not empty" may be wrong,
    /// and the take that follows decides). Owner only.
    @inlinable
    var looksEmpty: Bool {
        bottom.load(ordering: .relaxed) <= top.load(ordering: .relaxed)
    }

    /// Takes the oldest job, as a thief does: how the owner of a first-in,
    /// first-out queue (a worker's task queues, which it never takes from
    /// the bottom: `stealFromQueue`) takes its own work.
    /// Retries lost races; nil only when the queue is empty. Owner only (the
    /// emptiness hint trusts `bottom` as only the owner sees it).
    @inlinable
    func takeOldest() -> JobRef? {
        // A hint that skips the loads and the CAS on an empty queue.
        guard !looksEmpty else { return nil }
        while true {
            switch stealFromQueue() {
            case .success(let job): return job
            case .empty: return nil
            case .retry: continue
            }
        }
    }

    // MARK: - Inspection

    /// A snapshot of the number of jobs; exact only for the owner.
    @inlinable
    var count: Int {
        // sequentiallyConsistent: the sleep protocol's re-check relies on
        // these loads being ordered after a sleeper's announcement
        // (docs/sleep-protocol.md).
        let b = bottom.load(ordering: .sequentiallyConsistent)
        let t = top.load(ordering: .sequentiallyConsistent)
        return Swift.max(0, b &- t)
    }

    /// The index the next push will use. Owner only (the watchdog reads it
    /// too, as a hint of progress).
    @inlinable
    var bottomIndex: Int {
        bottom.load(ordering: .relaxed)
    }

    /// The index of the oldest job: a progress hint for the watchdog (it
    /// moves when a thief steals or the owner takes its last job).
    var topIndex: Int {
        top.load(ordering: .relaxed)
    }

    // MARK: - Growth

    /// Model-checked mirror: `WorkStealingDeque::grow` in Tests/ModelCheck/deque.cpp.
    @usableFromInline
    func grow(_ old: DequeRing, bottom b: Int, top t: Int) -> DequeRing {
        let new = DequeRing.allocate(capacity: (old.mask + 1) * 2, previous: old, memory: memory)
        var index = t
        while index < b {
            new.store(old.load(at: index), at: index)
            index &+= 1
        }
        // releasing: a thief that acquires the new ring sees the copied slots.
        // The old ring stays allocated (linked through `previous`) until the
        // deque dies, because a thief may have loaded it already.
        ring.store(UInt(bitPattern: new.base), ordering: .releasing)
        return new
    }
}

/// What `takeBack(index:)` found.
@usableFromInline
enum TakeBackResult {
    case taken, stolen, buried
}

/// What a steal attempt found.
@usableFromInline
enum StealResult {
    case success(JobRef)
    /// The deque was empty (or held nothing at or above the floor).
    case empty
    /// Lost a race with another thief or the owner; trying again may succeed.
    case retry
}
