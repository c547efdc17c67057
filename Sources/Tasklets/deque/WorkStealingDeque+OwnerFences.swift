import CTaskletsShims
import Synchronization

/// Whether a deque's owner fences its takes: the word `ownerFences` of
/// `WorkStealingDeque`, under asymmetric fences.
///
/// A take is a store of `bottom`, then a load of `top`; a steal is a load
/// of `top`, then a load of `bottom`. Owner and thief must not both miss the
/// other's access, so each needs a full barrier between its two (Lê et
/// al.). Under asymmetric fences the owner takes fence-free while no thief
/// comes, and a thief pays instead with `membarrier`, a full barrier run on
/// the owner wherever it is. A system call per steal would interrupt every
/// running thread of the process each time, so the first thief also asks
/// the owner to fence: later thieves then need only their own fence, as
/// under symmetric fences. When a window of `fencedTakesWindow` fenced
/// takes passes with no thief finding jobs, the owner goes back to
/// fence-free takes. So an owner is asked to fence at most once per window
/// of its fenced takes (thieves that race the first request each make
/// their own call), and a `join` with no thief near pays no fence.
///
/// The word holds a *generation* (the number of times the owner went back
/// to fence-free) and a *phase*:
/// - `fenceFree`: the owner may take without a fence. A thief loads
///   `bottom` only after its own membarrier.
/// - `requested`: a thief asked (CAS from `fenceFree`, same generation) and
///   is in its membarrier; not yet trusted.
/// - `fencing`: the membarrier of a thief that saw this generation's
///   request returned, and it confirmed (CAS from `requested`, same
///   generation). The owner fences every take; thieves trust their fence.
///
/// Why a thief may trust `fencing` (C++20 model; membarrier counts as a
/// seq_cst fence F1 in the caller, then one (F2) in the owner at whatever
/// point it is, then F3 in the caller). Thief D loads `top`, fences (Fd),
/// then acquires `fencing` of generation g, written by thief B's confirming
/// CAS (releasing, after B's F3), then loads `bottom`. Take any take T of
/// the owner:
/// 1. T's store of `bottom` before B's F2: F2 precedes F3 in S and F3
///    happens before D's load of `bottom` (release/acquire through the
///    word), so D's load sees T's store or a later one.
/// 2. T after F2 and before the owner's next clear: B saw g's request
///    before F1, so every load of the word by the owner after F2 reads that
///    request or later, up to the clear: T fences, and the symmetric
///    argument of Lê et al. holds.
/// 3. T after the owner's next clear C (a store of generation g + 1, then a
///    seq_cst fence Fc): D's load read a value older than C, so Fd precedes
///    Fc in S, and T's load of `top`, after Fc, reads a `top` no older than
///    the one D read before Fd.
/// The generation is what makes 2 hold: without it a thief whose
/// membarrier ran before a clear could confirm the request of a thief that
/// came after it, whose membarrier had not run yet. A thief that calls
/// membarrier itself is safe whatever the word says: F2 falls somewhere in
/// the owner's take, and each place orders it against the steal (docs/join.md,
/// "The fence-free fast path"). Under symmetric fences the word says
/// `fencing` from the start and the owner never clears it.
///
/// "The owner" is whichever thread runs the worker that owns the deque: a
/// spare worker's slot passes to a new thread under the registry's lock,
/// which orders everything the old thread did before everything the new
/// one does, and membarrier fences every running thread of the process.
///
/// Model-checked mirror: Tests/ModelCheck/deque.cpp with -DASYMMETRIC.
@usableFromInline
enum OwnerFences {
    @usableFromInline static let fenceFree = 0
    @usableFromInline static let requested = 1
    @usableFromInline static let fencing = 2
    @usableFromInline static let phaseMask = 3
    /// One generation, in the word's units.
    @usableFromInline static let generation = 4

    /// Fenced takes between two looks for thieves: 2^14, about 0.2 ms of
    /// fences where one costs 10 ns. A thief makes at most one system call
    /// per window, so this bounds what membarrier costs against the fences
    /// it saves (docs/join.md, "What a thief pays").
    @usableFromInline static let defaultWindow = 1 << 14

    @inlinable
    static func isConfirmed(_ word: Int) -> Bool { word & phaseMask == fencing }
}

extension WorkStealingDeque {
    /// The owner's half of the barrier between its store of `bottom` and its
    /// load of `top` in `take` and `takeBack`: a seq_cst fence while the
    /// word says the owner fences, else only a compiler barrier, which keeps
    /// the store and the load in program order in the instructions (a
    /// thief's membarrier stands in for the fence; `OwnerFences`).
    @inlinable @inline(__always)
    func fenceBeforeReadingTop() {
        // Keeps the store of `bottom` before the load of the word in the
        // instructions: a thief's membarrier fences this thread at an
        // instruction boundary, and the proof (`OwnerFences`, cases 1 and
        // 2) needs each take's store before its load of the word. A relaxed
        // load could otherwise be hoisted above the releasing store.
        ctasklets_compiler_barrier()
        // relaxed: the thieves' membarrier and fences order this load
        // (`OwnerFences`, case 2); it only picks the branch.
        if ownerFences.load(ordering: .relaxed) & OwnerFences.phaseMask == OwnerFences.fenceFree {
            ctasklets_compiler_barrier()
        } else {
            atomicMemoryFence(ordering: .sequentiallyConsistent)
            // relaxed: owner-only counter.
            let left = fencedTakesLeft.load(ordering: .relaxed) &- 1
            fencedTakesLeft.store(left, ordering: .relaxed)
            if left <= 0 { lookForThieves() }
        }
    }

    /// The end of a window of fenced takes: goes back to fence-free takes
    /// if no thief found jobs in it. Owner only; never under symmetric
    /// fences, whose thieves have no membarrier to fall back on.
    @usableFromInline @inline(never)
    func lookForThieves() {
        fencedTakesLeft.store(fencedTakesWindow, ordering: .relaxed)
        guard heavyBarrier != nil else { return }
        // relaxed: a hint; a thief that comes later asks again.
        if thievesCame.load(ordering: .relaxed) {
            thievesCame.store(false, ordering: .relaxed)
            return
        }
        // relaxed load: only thieves write the word otherwise, and never
        // to change the generation.
        let word = ownerFences.load(ordering: .relaxed)
        guard word & OwnerFences.phaseMask != OwnerFences.fenceFree else { return }
        // The clear C of `OwnerFences`, case 3: a new generation, so that no
        // confirmation of an older request lands after it.
        // relaxed: the seq_cst fence after it orders it.
        ownerFences.store(
            (word & ~OwnerFences.phaseMask) &+ OwnerFences.generation | OwnerFences.fenceFree,
            ordering: .relaxed)
        // Fc: the owner's next fence-free take comes after every thief that
        // read the old word (their fence precedes this one in S).
        atomicMemoryFence(ordering: .sequentiallyConsistent)
    }

    /// A thief that found the owner fence-free (or a request not yet
    /// confirmed): asks it to fence, runs the membarrier that covers this
    /// steal, and confirms the request it saw. Any thread.
    @usableFromInline @inline(never)
    func requestOwnerFences(seen: Int) {
        var expected = seen
        if seen & OwnerFences.phaseMask == OwnerFences.fenceFree {
            // relaxed: membarrier's first fence comes after it.
            let (exchanged, current) = ownerFences.compareExchange(
                expected: seen, desired: seen | OwnerFences.requested, ordering: .relaxed)
            expected = exchanged ? seen | OwnerFences.requested : current
        }
        // membarrier: a seq_cst fence here and on every CPU running one of
        // our threads, the deque's owner included. It covers this steal
        // whatever the word says.
        heavyBarrier.unsafelyUnwrapped()
        // Confirm only a request this thread saw before its membarrier, of
        // the same generation. releasing: a thief that acquires `fencing`
        // sees everything before this thread's membarrier returned
        // (`OwnerFences`, case 1). A failure means the owner cleared the word
        // or another thief confirmed: nothing to do.
        if expected & OwnerFences.phaseMask == OwnerFences.requested {
            _ = ownerFences.compareExchange(
                expected: expected, desired: expected & ~OwnerFences.phaseMask | OwnerFences.fencing,
                successOrdering: .releasing, failureOrdering: .relaxed)
        }
    }

    /// A thief found jobs: keeps a fencing owner fencing for another
    /// window. relaxed, and stored only when it changes, so that thieves do
    /// not bounce the line: only a hint for `lookForThieves`.
    @inlinable @inline(__always)
    func noteThief() {
        if !thievesCame.load(ordering: .relaxed) {
            thievesCame.store(true, ordering: .relaxed)
        }
    }

    /// Whether the owner takes without a fence now (tests and statistics).
    var ownerTakesFenceFree: Bool {
        ownerFences.load(ordering: .relaxed) & OwnerFences.phaseMask == OwnerFences.fenceFree
    }
}
