// Relacy model of the Chase-Lev deque in
//   Sources/Tasklets/deque/WorkStealingDeque.swift
//   Sources/Tasklets/deque/DequeRing.swift
// mirrored line for line: the same fields, the same memory orderings, the same
// order of operations. Keep the two in step: any change to an ordering in the
// Swift deque must be made here too, and `scripts/modelcheck.sh` rerun.
//
// Relacy (Debian `relacy-dev`, header-only) runs the threads of a test under
// its own scheduler and a C++11 memory-model simulator: relaxed loads may
// return stale values, fences and release/acquire pairs are modelled, and a
// plain `rl::var` accessed by two threads without happens-before is reported
// as a data race.
//
// Build and run (scripts/modelcheck.sh does this):
//   g++ -std=c++11 -O2 -w -o deque Tests/ModelCheck/deque.cpp && ./deque
//   g++ ... -DMUTANT=take_fence ...   # a deliberately broken variant
//   ./deque --iterations N --bounded  # see main()
//
// It also mirrors what `join` and the waits run on top of the deque
// (Join.swift, Registry+Waiting.swift, Registry+Stealing.swift, StackJob.swift,
// Latch.swift): takeBack(index:) and the buried case, take(atOrAbove:),
// steal(atOrAbove:), the batch steal, count, and the handshake through which
// a waiting owner steals its thief's subtasks (beginHelping/endHelping and
// the thief's finishing compare-exchange).
//
// Mutants (each must be reported as a failure; see docs/verification.md):
//   take_fence        the seq_cst fence in take() removed
//   steal_fence       the seq_cst fence in steal() removed
//   push_relaxed      the releasing store of bottom in push() made relaxed
//   slot_after_cas    steal() reads the slot after its CAS instead of before
//   ring_relaxed      steal() loads the ring pointer relaxed instead of acquiring
//   takeback_fence    the seq_cst fence in takeBack(index:) removed
//   floor_after_cas   steal(atOrAbove:) checks its floor after the CAS
//   floor_off_by_one  take(atOrAbove:) also takes the job at floor - 1
//   help_no_claim     the helping owner steals without setting `helping`
//   finish_no_wait    the thief sets the latch without waiting out `helping`
//   queue_take        the owner of a task queue (fenceless steals) takes from
//                     its bottom, which `stealFromQueue` relies on it never doing
//   gate_ignored      the helping owner steals without entering the thief's
//                     help gate (Registry.enterAsHelper)
// With -DASYMMETRIC (the asymmetric fences of DequeFences.swift: owners take
// behind a compiler barrier, thieves call membarrier), these must fail too:
//   asym_no_barrier   a thief skips membarrier after its emptiness check
//   asym_barrier_late a thief calls membarrier after loading bottom, not before
//   asym_owner_reordered the owner loads top before it stores bottom in take()
//                     and takeBack(index:) (what the compiler barrier forbids)
//   asym_point_no_fence  the model's membarrier without the owner's fence (a
//                     check of the model itself: the hand-shake alone must
//                     not order anything)
//   asym_barrier_early a thief calls membarrier before loading top
//   asym_trust_request a thief trusts a request not yet confirmed (skips
//                     membarrier when another thief asked the owner to fence)
//   asym_no_generation the owner's clear keeps the generation, so a thief
//                     can confirm a request made after it
//   asym_word_before_fence a thief loads the owner's word before its fence
//   asym_clear_no_fence the owner clears the word without the fence after it
//   asym_confirm_relaxed a thief confirms with a relaxed CAS
//   asym_owner_ignores_word the owner never fences, though thieves trust a
//                     confirmed word (the fence-free owner of before)
//   asym_word_before_store the owner loads its word before it stores bottom
//                     in take() and takeBack(index:) (what the compiler
//                     barrier before that load forbids)
// Orderings kept without a failing mutant here (docs/verification.md says why
// Relacy cannot tell them apart): cas_acq_rel, take_store_relaxed,
// push_top_relaxed, help_release_relaxed. They build too (-DMUTANT=...).

#include <relacy/relacy.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#define MUTANT_none 0
#define MUTANT_take_fence 1
#define MUTANT_steal_fence 2
#define MUTANT_push_relaxed 3
#define MUTANT_slot_after_cas 4
#define MUTANT_ring_relaxed 5
#define MUTANT_takeback_fence 6
#define MUTANT_floor_after_cas 7
#define MUTANT_floor_off_by_one 8
#define MUTANT_help_no_claim 9
#define MUTANT_finish_no_wait 10
#define MUTANT_cas_acq_rel 11
#define MUTANT_take_store_relaxed 12
#define MUTANT_push_top_relaxed 13
#define MUTANT_help_release_relaxed 14
#define MUTANT_queue_take 15
#define MUTANT_gate_ignored 16
#define MUTANT_asym_no_barrier 17
#define MUTANT_asym_barrier_late 18
#define MUTANT_asym_owner_reordered 19
#define MUTANT_asym_point_no_fence 20
#define MUTANT_asym_barrier_early 21
#define MUTANT_asym_trust_request 22
#define MUTANT_asym_no_generation 23
#define MUTANT_asym_word_before_fence 24
#define MUTANT_asym_clear_no_fence 25
#define MUTANT_asym_confirm_relaxed 26
#define MUTANT_asym_owner_ignores_word 27
#define MUTANT_asym_word_before_store 28
#ifndef MUTANT
#define MUTANT none
#endif
#define MC_CAT(a, b) a##b
#define MC_XCAT(a, b) MC_CAT(a, b)
#define MUTANT_ID MC_XCAT(MUTANT_, MUTANT)
#define MC_STR(a) #a
#define MC_XSTR(a) MC_STR(a)

#if MUTANT_ID == MUTANT_push_relaxed
#define PUSH_BOTTOM_ORDER rl::mo_relaxed
#else
#define PUSH_BOTTOM_ORDER rl::mo_release
#endif
#if MUTANT_ID == MUTANT_ring_relaxed
#define STEAL_RING_ORDER rl::mo_relaxed
#else
#define STEAL_RING_ORDER rl::mo_acquire
#endif
#if MUTANT_ID == MUTANT_cas_acq_rel
#define CLAIM_ORDER rl::mo_acq_rel
#else
#define CLAIM_ORDER rl::mo_seq_cst
#endif
#if MUTANT_ID == MUTANT_take_store_relaxed
#define TAKE_BOTTOM_ORDER rl::mo_relaxed
#else
#define TAKE_BOTTOM_ORDER rl::mo_release
#endif
#if MUTANT_ID == MUTANT_push_top_relaxed
#define PUSH_TOP_ORDER rl::mo_relaxed
#else
#define PUSH_TOP_ORDER rl::mo_acquire
#endif
#if MUTANT_ID == MUTANT_help_release_relaxed
#define END_HELPING_ORDER rl::mo_relaxed
#define FINISH_ORDER rl::mo_release
#else
#define END_HELPING_ORDER rl::mo_release
#define FINISH_ORDER rl::mo_acq_rel
#endif

#if MUTANT_ID == MUTANT_asym_confirm_relaxed
#define CONFIRM_ORDER rl::mo_relaxed
#else
#define CONFIRM_ORDER rl::mo_release
#endif

// Swift `Int` and `UInt` (the slots hold a JobRef's bit pattern; 0 = none).
typedef intptr_t Int;
typedef uintptr_t UInt;

// MARK: - membarrier (asymmetric fences only)
//
// membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED), modelled as docs/join.md
// describes it: the caller's seq_cst fence, then a seq_cst fence executed by
// the other threads at whatever point each has reached (here: the victim
// deque's owner, see membarrier_call), then the caller's seq_cst fence. A thread reaches such a point (`membarrier_point`) between
// any two atomic accesses of a deque owner's operations, in every wait loop
// and once it is done (a thread that is not running has passed a context
// switch, itself a full barrier): the owner's fence can fall anywhere in its
// take, and the model explores where. Without ASYMMETRIC all of this is a
// no-op and the owner fences as Lê et al. do.
enum { membarrier_max_threads = 8 };

struct Membarrier {
    rl::atomic<int> requested;                        // tickets handed out
    rl::atomic<int> served[membarrier_max_threads];   // per thread, the last ticket fenced for
    rl::atomic<int> finished;                         // threads done with their script

    void init() {
        requested($).store(0, rl::mo_relaxed);
        for (int i = 0; i < membarrier_max_threads; i++) served[i]($).store(0, rl::mo_relaxed);
        finished($).store(0, rl::mo_relaxed);
    }
};
static Membarrier* membarrier_model;

static unsigned current_thread() { return (unsigned)rl::ctx().current_thread(); }
static unsigned thread_count() { return (unsigned)rl::ctx().get_thread_count(); }

// This thread's fence for every membarrier called since its last point.
static void membarrier_point() {
#ifdef ASYMMETRIC
    Membarrier& m = *membarrier_model;
    unsigned self = current_thread();
    int wanted = m.requested($).load(rl::mo_relaxed);
    if (wanted != m.served[self]($).load(rl::mo_relaxed)) {
#if MUTANT_ID != MUTANT_asym_point_no_fence
        rl::atomic_thread_fence(rl::mo_seq_cst, $);
#endif
        m.served[self]($).store(wanted, rl::mo_relaxed);
    }
#endif
}

// The hand-shake's own accesses are relaxed, so that they order nothing by
// themselves: the caller's first fence synchronizes with the owner's fence
// through `requested` (fence, store ... load, fence), and the owner's fence
// with the caller's second one through `served`, which puts the three in
// that order in S. Without the fences the model must fail
// (asym_point_no_fence).
//
// Swift: HeavyBarrier (ctasklets_membarrier). The real call fences every
// other thread; the model fences only `owner`, the owner of the deque being
// stolen from: the proof needs that fence alone, and leaving out the others'
// only allows more behaviours, so a pass here covers the real call. Waiting
// for one thread also keeps the model small enough to explore.
static void membarrier_call(unsigned owner) {
#ifdef ASYMMETRIC
    Membarrier& m = *membarrier_model;
    rl::atomic_thread_fence(rl::mo_seq_cst, $);
    int ticket = m.requested($).fetch_add(1, rl::mo_relaxed) + 1;
    if (owner != current_thread()) {
        while (m.served[owner]($).load(rl::mo_relaxed) < ticket) {
            membarrier_point();  // another thread's membarrier may wait for us
            rl::yield(1, $);
        }
    }
    rl::atomic_thread_fence(rl::mo_seq_cst, $);
#else
    (void)owner;
#endif
}

// A wait loop's turn: serve membarriers, then let others run.
static void wait_turn() {
    membarrier_point();
    rl::yield(1, $);
}

// The end of a thread's script: it keeps serving until every thread is done.
static void membarrier_finish() {
#ifdef ASYMMETRIC
    Membarrier& m = *membarrier_model;
    m.finished($).fetch_add(1, rl::mo_seq_cst);
    while (m.finished($).load(rl::mo_seq_cst) < (int)thread_count()) wait_turn();
#endif
}

// MARK: - DequeRing  (Swift: struct DequeRing, DequeRing.swift)

struct DequeRing {
    // Swift: `let slots: UnsafeMutablePointer<Atomic<UInt>>`.
    rl::atomic<UInt>* slots;
    // Swift: `let mask: Int`. A plain field; as an rl::var, Relacy reports a
    // race if a thief reads it without happening after the ring's creation.
    rl::var<Int> mask;
    // Swift: `let previous: UnsafeMutablePointer<DequeRing>?`.
    DequeRing* previous;

    // Swift: DequeRing.allocate(capacity:previous:)
    static DequeRing* allocate(Int requested, DequeRing* previous) {
        Int capacity = 2;
        while (capacity < requested) capacity *= 2;
        rl::atomic<UInt>* slots = new rl::atomic<UInt>[capacity];
        for (Int index = 0; index < capacity; index++) {
            slots[index]($).store(0, rl::mo_relaxed);  // initialize(to: Atomic(0))
        }
        DequeRing* ring = new DequeRing;
        ring->slots = slots;
        ring->mask($) = capacity - 1;
        ring->previous = previous;
        return ring;
    }

    // Swift: DequeRing.deallocate(_:)
    static void deallocate(DequeRing* ring) {
        delete[] ring->slots;
        delete ring;
    }

    // Swift: DequeRing.load(at:) -- relaxed.
    UInt load(Int index) {
        return slots[index & mask($)]($).load(rl::mo_relaxed);
    }

    // Swift: DequeRing.store(_:at:) -- relaxed.
    void store(UInt bits, Int index) {
        slots[index & mask($)]($).store(bits, rl::mo_relaxed);
    }
};

// MARK: - WorkStealingDeque  (Swift: struct WorkStealingDeque)

enum StealResult { steal_success, steal_empty, steal_retry };

// Where another thread's membarrier may fence a deque's owner (see above).
#define MB_POINT membarrier_point()

// Coverage counters, summed over all schedules of a test (never read by the
// model itself, so they do not affect Relacy's replay of a failing schedule).
struct Coverage {
    unsigned long steals, retries, grows, owner_lost_last, owner_won_last;
    // join_test and help_test: jobs the floor-limited helper got, jobs moved
    // by batches, records taken back from under buried jobs, records stolen.
    unsigned long helped, batched, buried_taken_back, records_stolen;
    // Asymmetric fences: steals that trusted a confirmed word (no
    // membarrier), steals that called membarrier, the owner's clears.
    unsigned long trusted, barriers, clears;
};
static Coverage coverage;

enum TakeBackResult { takeback_taken, takeback_stolen, takeback_buried };

// Swift: enum OwnerFences.
enum { fence_free = 0, requested = 1, fencing = 2, phase_mask = 3, generation = 4 };
// Fenced takes between the model owner's clears (the *clears* tests use 1).
static int adaptive_window = 2;
// Whether a deque starts with its owner fencing, as after an earlier
// thief's confirmed request (the *clears* tests): the clears then come
// sooner, within the reach of a random search.
static bool start_fencing = false;
// Turns a thief of deque_test yields before each look (the clears tests).
static int thief_pauses = 0;

struct WorkStealingDeque {
    rl::atomic<Int> top;            // Swift: `let top: Atomic<Int>`
    rl::atomic<Int> bottom;         // Swift: `let bottom: Atomic<Int>`
    rl::atomic<DequeRing*> ring;    // Swift: `let ring: Atomic<UnsafeMutablePointer<DequeRing>>`
    // Swift: `let ownerFences: Atomic<Int>` (WorkStealingDeque+OwnerFences.swift):
    // generation << 2 | phase.
    rl::atomic<Int> owner_fences;
    // Swift: `fencedTakesLeft` (owner only). The model's owner clears the
    // word after every `adaptive_window` fenced takes, thieves or not: the
    // real owner clears less often (only after a window without thieves),
    // and any time of clearing must be safe.
    int fenced_takes_left;

    // Swift: init(capacity:)
    // The thread that owns this deque: the one a thief's membarrier must
    // fence (see membarrier_call).
    unsigned owner_thread;

    void init(Int capacity, unsigned owner = 0) {
        owner_thread = owner;
#ifdef ASYMMETRIC
        owner_fences($).store(start_fencing ? fencing : fence_free, rl::mo_relaxed);
#else
        owner_fences($).store(fencing, rl::mo_relaxed);
#endif
        fenced_takes_left = adaptive_window;
        top($).store(0, rl::mo_relaxed);
        bottom($).store(0, rl::mo_relaxed);
        ring($).store(DequeRing::allocate(capacity, 0), rl::mo_relaxed);
    }

    // Swift: deinit -- frees the live ring and every retired one.
    void destroy() {
        DequeRing* next = ring($).load(rl::mo_relaxed);
        while (next) {
            DequeRing* current = next;
            next = current->previous;
            DequeRing::deallocate(current);
        }
    }

    // Swift: WorkStealingDeque.push(_:) -- returns the job's index.
    Int push(UInt job) {
        MB_POINT;
        Int b = bottom($).load(rl::mo_relaxed);
        MB_POINT;
        Int t = top($).load(PUSH_TOP_ORDER);  // acquiring
        MB_POINT;
        DequeRing* r = ring($).load(rl::mo_relaxed);
        if (b - t > r->mask($)) {
            r = grow(r, b, t);
        }
        r->store(job, b);
        MB_POINT;
        bottom($).store(b + 1, PUSH_BOTTOM_ORDER);  // releasing
        MB_POINT;
        return b;
    }

    // Swift: WorkStealingDeque.fenceBeforeReadingTop(). Symmetric: the seq_cst
    // fence (`fenced` false for the take_fence/takeback_fence mutants).
    // Asymmetric: the fence while the word says the owner fences, else a
    // compiler barrier, which the model expresses by keeping the store and
    // the load in program order, with a membarrier point between them like
    // everywhere else.
    void fence_before_reading_top(bool fenced, Int preloaded = -1) {
#ifdef ASYMMETRIC
        (void)fenced;
        MB_POINT;
        Int word = preloaded;
        if (word < 0) {
            word = owner_fences($).load(rl::mo_relaxed);
            MB_POINT;
        }
        if ((word & phase_mask) != fence_free && MUTANT_ID != MUTANT_asym_owner_ignores_word) {
            rl::atomic_thread_fence(rl::mo_seq_cst, $);
            if (--fenced_takes_left <= 0) {
                fenced_takes_left = adaptive_window;
                look_for_thieves();
            }
        }
        MB_POINT;
#else
        (void)preloaded;
        if (fenced) rl::atomic_thread_fence(rl::mo_seq_cst, $);
#endif
    }

    // The asym_word_before_store mutant: the owner's word loaded before the
    // store of `bottom` (-1: loaded in its place, after the store).
    Int word_before_store() {
#if defined(ASYMMETRIC) && MUTANT_ID == MUTANT_asym_word_before_store
        Int word = owner_fences($).load(rl::mo_relaxed);
        MB_POINT;
        return word;
#else
        return -1;
#endif
    }

    // Swift: WorkStealingDeque.lookForThieves(), clearing every time (see
    // fenced_takes_left).
    void look_for_thieves() {
        Int word = owner_fences($).load(rl::mo_relaxed);
        if ((word & phase_mask) == fence_free) return;
        MB_POINT;
#if MUTANT_ID == MUTANT_asym_no_generation
        owner_fences($).store(word & ~(Int)phase_mask, rl::mo_relaxed);
#else
        owner_fences($).store((word & ~(Int)phase_mask) + generation, rl::mo_relaxed);
#endif
        coverage.clears += 1;
        MB_POINT;
#if MUTANT_ID != MUTANT_asym_clear_no_fence
        rl::atomic_thread_fence(rl::mo_seq_cst, $);
#endif
    }

    // Swift: WorkStealingDeque.requestOwnerFences(seen:)
    void request_owner_fences(Int seen) {
        Int expected = seen;
        if ((seen & phase_mask) == fence_free) {
            Int current = seen;
            if (owner_fences($).compare_exchange_strong(current, seen | requested, rl::mo_relaxed, rl::mo_relaxed))
                expected = seen | requested;
            else
                expected = current;
        }
#if MUTANT_ID != MUTANT_asym_no_barrier && MUTANT_ID != MUTANT_asym_barrier_late && MUTANT_ID != MUTANT_asym_barrier_early
        membarrier_call(owner_thread);
#endif
        if ((expected & phase_mask) == requested) {
            Int current = expected;
            owner_fences($).compare_exchange_strong(current, (expected & ~(Int)phase_mask) | fencing,
                                                    CONFIRM_ORDER, rl::mo_relaxed);
        }
    }

    // Swift: WorkStealingDeque.take() -- returns 0 for nil.
    UInt take() {
        MB_POINT;
        Int b = bottom($).load(rl::mo_relaxed) - 1;
        DequeRing* r = ring($).load(rl::mo_relaxed);
        MB_POINT;
        // Swift: .releasing (C++20 release sequences no longer carry the
        // pushes through later relaxed stores of the same thread).
        Int t;
#if MUTANT_ID == MUTANT_asym_owner_reordered
        t = top($).load(rl::mo_relaxed);
        MB_POINT;
        bottom($).store(b, TAKE_BOTTOM_ORDER);
#else
        Int preloaded = word_before_store();
        bottom($).store(b, TAKE_BOTTOM_ORDER);
        fence_before_reading_top(MUTANT_ID != MUTANT_take_fence, preloaded);
        t = top($).load(rl::mo_relaxed);
#endif
        MB_POINT;
        if (t <= b) {
            UInt job = r->load(b);
            RL_ASSERT(job != 0);  // JobRef(bitPattern:).unsafelyUnwrapped
            if (t == b) {
                bool won = claim_last(t);
                (won ? coverage.owner_won_last : coverage.owner_lost_last) += 1;
                return won ? job : 0;
            }
            return job;
        }
        bottom($).store(b + 1, TAKE_BOTTOM_ORDER);  // releasing restore
        return 0;
    }

    // Swift: WorkStealingDeque.takeBack(index:) -- the join's own job, by
    // index, without reading its slot.
    TakeBackResult take_back(Int index) {
        MB_POINT;
        Int b = bottom($).load(rl::mo_relaxed) - 1;
        if (b != index) return takeback_buried;
        MB_POINT;
        Int t;
#if MUTANT_ID == MUTANT_asym_owner_reordered
        t = top($).load(rl::mo_relaxed);
        MB_POINT;
        bottom($).store(b, TAKE_BOTTOM_ORDER);
#else
        Int preloaded = word_before_store();
        bottom($).store(b, TAKE_BOTTOM_ORDER);
        fence_before_reading_top(MUTANT_ID != MUTANT_takeback_fence, preloaded);
        t = top($).load(rl::mo_relaxed);
#endif
        MB_POINT;
        if (t < b) return takeback_taken;
        if (t == b) return claim_last(t) ? takeback_taken : takeback_stolen;
        bottom($).store(b + 1, TAKE_BOTTOM_ORDER);  // releasing restore
        return takeback_stolen;
    }

    // Swift: WorkStealingDeque.claimLast(at:)
    bool claim_last(Int t) {
        Int expected = t;
        bool won = top($).compare_exchange_strong(expected, t + 1, CLAIM_ORDER, rl::mo_relaxed);
        MB_POINT;
        bottom($).store(t + 1, TAKE_BOTTOM_ORDER);  // releasing restore
        MB_POINT;
        return won;
    }

    // Swift: WorkStealingDeque.take(atOrAbove:)
    UInt take_at_or_above(Int floor) {
#if MUTANT_ID == MUTANT_floor_off_by_one
        if (!(bottom($).load(rl::mo_relaxed) >= floor)) return 0;
#else
        if (!(bottom($).load(rl::mo_relaxed) > floor)) return 0;
#endif
        return take();
    }

    // Swift: WorkStealingDeque.steal(atOrAbove:); steal() is floor = INT_MIN.
    // `index` receives the stolen job's index. `fenced` false mirrors
    // stealFromQueue(), for deques whose owner only pushes.
    StealResult steal(UInt& out, Int floor = INTPTR_MIN, Int* index = 0, bool fenced = true) {
#if defined(ASYMMETRIC) && MUTANT_ID == MUTANT_asym_barrier_early
        if (fenced) membarrier_call(owner_thread);
#endif
        Int t = top($).load(rl::mo_acquire);
#ifdef ASYMMETRIC
        bool confirmed = true;
        if (fenced) {
            // Swift: the fence, the acquiring load of the owner's word, and
            // when it is not confirmed the relaxed emptiness hint, then the
            // request with its heavy barrier.
#if MUTANT_ID == MUTANT_asym_word_before_fence
            Int word = owner_fences($).load(rl::mo_acquire);
            rl::atomic_thread_fence(rl::mo_seq_cst, $);
#else
            rl::atomic_thread_fence(rl::mo_seq_cst, $);
            Int word = owner_fences($).load(rl::mo_acquire);
#endif
            confirmed = (word & phase_mask) == fencing;
#if MUTANT_ID == MUTANT_asym_trust_request
            confirmed = confirmed || (word & phase_mask) == requested;
#endif
            if (!confirmed) {
                Int hint = bottom($).load(rl::mo_relaxed);
                if (!(t < hint) || !(t >= floor)) return steal_empty;
                request_owner_fences(word);
                coverage.barriers += 1;
            } else {
                coverage.trusted += 1;
            }
        }
#elif MUTANT_ID != MUTANT_steal_fence
        if (fenced) rl::atomic_thread_fence(rl::mo_seq_cst, $);
#endif
        Int b = bottom($).load(rl::mo_acquire);
#if defined(ASYMMETRIC) && MUTANT_ID == MUTANT_asym_barrier_late
        if (fenced && !confirmed) membarrier_call(owner_thread);
#endif
        if (!(t < b)) return steal_empty;
#if MUTANT_ID != MUTANT_floor_after_cas
        if (!(t >= floor)) return steal_empty;
#endif
        DequeRing* r = ring($).load(STEAL_RING_ORDER);
#if MUTANT_ID != MUTANT_slot_after_cas
        UInt bits = r->load(t);
#endif
        Int expected = t;
        bool won = top($).compare_exchange_strong(expected, t + 1, CLAIM_ORDER, rl::mo_relaxed);
#if MUTANT_ID == MUTANT_slot_after_cas
        UInt bits = r->load(t);
#endif
        if (!won) { coverage.retries += 1; return steal_retry; }
#if MUTANT_ID == MUTANT_floor_after_cas
        if (!(t >= floor)) return steal_empty;  // the claimed job is dropped
#endif
        coverage.steals += 1;
        RL_ASSERT(bits != 0);  // JobRef(bitPattern:).unsafelyUnwrapped
        out = bits;
        if (index) *index = t;
        return steal_success;
    }

    // Swift: WorkStealingDeque.stealRetrying() -- 0 for nil.
    UInt steal_retrying() {
        for (int attempt = 0; attempt < 4; attempt++) {
            UInt job = 0;
            StealResult result = steal(job);
            if (result == steal_success) return job;
            if (result == steal_empty) return 0;
        }
        return 0;
    }

    // Swift: WorkStealingDeque.count -- seq_cst loads.
    Int count() {
        Int b = bottom($).load(rl::mo_seq_cst);
        Int t = top($).load(rl::mo_seq_cst);
        return b - t > 0 ? b - t : 0;
    }

    // Swift: WorkStealingDeque.grow(_:bottom:top:)
    DequeRing* grow(DequeRing* old, Int b, Int t) {
        coverage.grows += 1;
        DequeRing* fresh = DequeRing::allocate((old->mask($) + 1) * 2, old);
        for (Int index = t; index < b; index++) {
            fresh->store(old->load(index), index);
        }
        ring($).store(fresh, rl::mo_release);  // old ring kept (previous)
        return fresh;
    }
};

// Swift: Registry.stealBatch(from:into:) -- after one steal from another
// node, up to half of what the victim has left, pushed onto the thief's own
// deque. Returns how many moved.
static int steal_batch(WorkStealingDeque& victim, WorkStealingDeque& mine) {
    Int remaining = victim.count() / 2;
    int moved = 0;
    while (remaining > 0) {
        UInt job = 0;
        if (victim.steal(job) != steal_success) break;
        mine.push(job);
        moved += 1;
        remaining -= 1;
    }
    return moved;
}

// MARK: - The help gate (Swift: Registry+Waiting.swift, "The help gate")

static const unsigned long long gate_closed_one = 1ull << 32;

struct HelpGate {
    rl::atomic<unsigned long long> word;  // Swift: Worker.helpGate

    void init() { word($).store(0, rl::mo_relaxed); }

    // Swift: Registry.closeToHelpers
    void close() {
        unsigned long long value = word($).fetch_add(gate_closed_one, rl::mo_acq_rel) + gate_closed_one;
        while (value & 0xFFFFFFFFull) {
            wait_turn();
            value = word($).load(rl::mo_acquire);
        }
    }

    // Swift: Registry.reopenToHelpers
    void reopen() { word($).fetch_sub(gate_closed_one, rl::mo_release); }

    // Swift: Registry.enterAsHelper
    bool enter() {
        unsigned long long value = word($).load(rl::mo_relaxed);
        while (value < gate_closed_one) {
            if (word($).compare_exchange_strong(value, value + 1, rl::mo_acquire, rl::mo_relaxed)) return true;
        }
        return false;
    }

    // Swift: Registry.leaveAsHelper
    void leave() { word($).fetch_sub(1, rl::mo_release); }
};

// MARK: - The join handshake (Swift: Latch.swift, StackJob.swift)

// Latch bits, as in Latch.swift.
enum { latch_set = 1, latch_sleeping = 2, latch_running = 4, latch_helping = 8, latch_sleeping_until_set = 16,
       thief_shift = 16 };

struct StackJobLatch {
    rl::atomic<unsigned> state;      // Swift: Latch.state
    rl::atomic<Int> thief_base;      // Swift: StackJob.thiefBase

    void init() {
        state($).store(0, rl::mo_relaxed);
        thief_base($).store(0, rl::mo_relaxed);
    }

    // Swift: StackJob.executeTaken, before the body: base, then `running`.
    void mark_running(unsigned thief, Int base) {
        thief_base($).store(base, rl::mo_relaxed);
        state($).fetch_or(latch_running | (thief + 1) << thief_shift, rl::mo_release);
    }

    // Swift: Latch.set(system:) -- waits out `helping`, then sets.
    void set() {
        unsigned expected = state($).load(rl::mo_relaxed);
        for (;;) {
#if MUTANT_ID != MUTANT_finish_no_wait
            if (expected & latch_helping) {
                wait_turn();
                expected = state($).load(rl::mo_relaxed);
                continue;
            }
#endif
            if (state($).compare_exchange_strong(expected, latch_set, FINISH_ORDER, rl::mo_relaxed)) return;
        }
    }

    bool is_set() { return (state($).load(rl::mo_acquire) & latch_set) != 0; }

    // Swift: StackJob.beginHelping() -- false when no thief runs the job.
    bool begin_helping(Int& base, unsigned& held) {
        unsigned value = state($).load(rl::mo_acquire);
        if (!(value & latch_running) || (value & latch_set)) return false;
#if MUTANT_ID != MUTANT_help_no_claim
        unsigned expected = value;
        if (!state($).compare_exchange_strong(expected, value | latch_helping, rl::mo_acquire, rl::mo_relaxed))
            return false;
#endif
        base = thief_base($).load(rl::mo_relaxed);
        held = value;
        return true;
    }

    // Swift: StackJob.endHelping(_:)
    void end_helping(unsigned held) {
#if MUTANT_ID != MUTANT_help_no_claim
        state($).store(held, END_HELPING_ORDER);
#else
        (void)held;
#endif
    }
};

// MARK: - Tests

// Owner scripts: 'p' pushes the next job, 't' takes one. After the script the
// owner takes until the deque is empty, so every job is accounted for.
//   growth: starts at capacity 2 and grows to 4 and 8 while thieves steal.
//   wrap:   keeps at most 2 jobs queued, so indices wrap around the first
//           ring (slot reuse) instead of growing it.
static char const* const growth_script = "ppptppppt";
static char const* const wrap_script = "pptptptptptp";
enum { max_jobs = 16 };

template<int thieves, int attempts>
struct deque_test : rl::test_suite<deque_test<thieves, attempts>, 1 + thieves> {
    static char const* script;

    WorkStealingDeque deque;
    // What the owner writes into a job record before pushing it: a plain
    // variable, so a missing happens-before to the thief is a data race.
    rl::var<int> payload[max_jobs + 1];
    // How often each job was taken or stolen (must be exactly once).
    rl::atomic<int> taken[max_jobs + 1];
    int pushed;

    Membarrier barrier;  // asymmetric fences only

    void before() {
        barrier.init();
        membarrier_model = &barrier;
        deque.init(2);
        for (int job = 0; job <= max_jobs; job++) taken[job]($).store(0, rl::mo_relaxed);
        pushed = 0;
    }

    void after() {
        for (int job = 1; job <= pushed; job++) {
            int count = taken[job]($).load(rl::mo_relaxed);
            RL_ASSERT(count == 1);
        }
        deque.destroy();
    }

    void ran(UInt job) {
        RL_ASSERT(job >= 1 && job <= (UInt)max_jobs);
        int seen = payload[job]($);
        RL_ASSERT(seen == 1000 + (int)job);
        taken[job]($).fetch_add(1, rl::mo_relaxed);
    }

    void thread(unsigned index) {
        run_script(index);
        membarrier_finish();
    }

    void run_script(unsigned index) {
        if (index == 0) {
            int next = 0;
            for (char const* op = script; *op; op++) {
                if (*op == 'p') {
                    next += 1;
                    payload[next]($) = 1000 + next;
                    deque.push((UInt)next);
                } else if (UInt job = deque.take()) {
                    ran(job);
                }
            }
            pushed = next;
            while (UInt job = deque.take()) ran(job);
        } else {
            for (int attempt = 0; attempt < attempts; attempt++) {
                // The clears tests: time passes between a thief's looks,
                // so that they spread over the owner's takes and clears.
                for (int turn = 0; turn < thief_pauses; turn++) wait_turn();
                UInt job = 0;
                if (deque.steal(job) == steal_success) ran(job);
            }
        }
    }
};

template<int thieves, int attempts>
char const* deque_test<thieves, attempts>::script = growth_script;

struct growth_2 : deque_test<2, 6> {};
struct growth_3 : deque_test<3, 4> {};

static void report(char const* name, bool ok, unsigned long schedules) {
    std::printf("-- %s: %s after %lu schedules (coverage: %lu steals, %lu lost CAS, "
                "%lu grows, last job won/lost by owner %lu/%lu, helped %lu, batched %lu, "
                "records taken back from under others %lu, records stolen %lu, "
                "asymmetric: trusted %lu, membarriers %lu, clears %lu)\n",
                name, ok ? "PASS" : "FAIL", schedules, coverage.steals, coverage.retries,
                coverage.grows, coverage.owner_won_last, coverage.owner_lost_last, coverage.helped,
                coverage.batched, coverage.buried_taken_back, coverage.records_stolen,
                coverage.trusted, coverage.barriers, coverage.clears);
}

// Runs one Relacy search over test T with `params`, after `heading`.
template<typename T>
static bool run_search(char const* name, char const* script, rl::test_params params,
                       char const* heading, unsigned long& total) {
    T::script = script;
    params.execution_depth_limit = 4000;
    std::printf("-- %s: %s\n", name, heading);
    std::fflush(stdout);
    coverage = Coverage();
    bool ok = rl::simulate<T>(params);
    total += params.stop_iteration;
    report(name, ok, params.stop_iteration);
    return ok;
}

template<typename T>
static bool run_random(char const* name, char const* script, unsigned long iterations,
                       unsigned long& total) {
    rl::test_params params;
    params.iteration_count = iterations;
    params.search_type = rl::random_scheduler_type;
    char heading[64];
    std::snprintf(heading, sizeof heading, "%lu random schedules", iterations);
    return run_search<T>(name, script, params, heading, total);
}

template<typename T>
static bool run_bounded(char const* name, char const* script, unsigned bound,
                        unsigned long& total) {
    rl::test_params params;
    params.iteration_count = ~(rl::iteration_t)0 >> 1;
    params.search_type = rl::fair_context_bound_scheduler_type;
    params.context_bound = bound;
    char heading[64];
    std::snprintf(heading, sizeof heading, "context-bound exhaustive search, bound %u", bound);
    return run_search<T>(name, script, params, heading, total);
}

// The join's path and the waits, one owner against thieves that steal
// plainly, steal only at or above a join's record (as a waiting owner steals
// at or above its thief's base), or steal a batch onto their own deque.
//
// Owner: pushes an older job (1) and a join's record (2) and takes the record
// back by index at once (`take_back`, the fast path); pushes a second record
// (3) and two jobs its first half leaves above it (4, 5), and takes the
// record back, running what lies above it on the way (`takeBackBuried`);
// then, like a scope, takes only what it pushes after a floor (6, 7)
// (`take_at_or_above`); then drains.
template<int thieves, int attempts>
struct join_test : rl::test_suite<join_test<thieves, attempts>, 1 + thieves> {
    static char const* script;  // unused: the owner's script is fixed
    enum { jobs = 7 };
    WorkStealingDeque deque;
    WorkStealingDeque own[thieves + 1];  // the thieves' deques, for batches
    rl::var<int> payload[jobs + 1];
    rl::atomic<int> taken[jobs + 1];
    rl::atomic<Int> record_index;  // where the owner pushed its latest record

    Membarrier barrier;  // asymmetric fences only

    void before() {
        barrier.init();
        membarrier_model = &barrier;
        deque.init(2);
        for (int t = 1; t <= thieves; t++) own[t].init(2, t);
        for (int job = 0; job <= jobs; job++) taken[job]($).store(0, rl::mo_relaxed);
        record_index($).store(-1, rl::mo_relaxed);
    }

    void after() {
        for (int job = 1; job <= jobs; job++) {
            int count = taken[job]($).load(rl::mo_relaxed);
            RL_ASSERT(count == 1);
        }
        deque.destroy();
        for (int t = 1; t <= thieves; t++) own[t].destroy();
    }

    void ran(UInt job) {
        RL_ASSERT(job >= 1 && job <= (UInt)jobs);
        int seen = payload[job]($);
        RL_ASSERT(seen == 1000 + (int)job);
        taken[job]($).fetch_add(1, rl::mo_relaxed);
    }

    Int push(int job) {
        payload[job]($) = 1000 + job;
        return deque.push((UInt)job);
    }

    // Time passing: the join's first half running, a helper between two
    // looks. Under asymmetric fences a steal waits for its membarrier while
    // the others race on; yielding here, as real code takes time, gives the
    // helper and the batch thieves schedules in which they win (the
    // coverage line shows them).
    void first_half() {
#ifdef ASYMMETRIC
        for (int turn = 0; turn < 3; turn++) wait_turn();
#endif
    }

    // Worker.takeBack + takeBackBuried: runs the record if taken back.
    void join_end(int record_job, Int record) {
        TakeBackResult result = deque.take_back(record);
        if (result == takeback_buried) {
            result = takeback_stolen;
            while (UInt job = deque.take()) {
                if (job == (UInt)record_job) { result = takeback_taken; coverage.buried_taken_back += 1; break; }
                ran(job);
            }
        }
        if (result == takeback_taken) ran(record_job);
        else coverage.records_stolen += 1;
    }

    void thread(unsigned index) {
        run_script(index);
        membarrier_finish();
    }

    void run_script(unsigned index) {
        if (index == 0) {
            push(1);
            Int first = push(2);
            record_index($).store(first, rl::mo_relaxed);
            first_half();
            join_end(2, first);
            Int second = push(3);
            record_index($).store(second, rl::mo_relaxed);
            push(4);
            push(5);
            first_half();
            join_end(3, second);
            // A scope's wait: only what was pushed after its floor.
            Int floor = deque.bottom($).load(rl::mo_relaxed);
            push(6);
            push(7);
            while (UInt job = deque.take_at_or_above(floor)) {
                RL_ASSERT(job == 6 || job == 7);
                ran(job);
            }
            while (UInt job = deque.take()) ran(job);
        } else if (index == 1) {
            // A helper: only the latest record and what lies above it, as a
            // waiting owner steals at or above its thief's base.
            for (int attempt = 0; attempt < attempts; attempt++) {
                first_half();  // asymmetric: looks again a little later
                Int record = record_index($).load(rl::mo_relaxed);
                if (record < 0) continue;
                UInt job = 0;
                Int at = -1;
                if (deque.steal(job, record, &at) == steal_success) {
                    RL_ASSERT(at >= record);
                    coverage.helped += 1;
                    ran(job);
                }
            }
        } else {
            // A thief from another node: one job, then a batch onto its own
            // deque, which it then drains as its owner.
            for (int attempt = 0; attempt < attempts; attempt++) {
                first_half();  // asymmetric: looks again a little later
                UInt job = 0;
                if (deque.steal(job) == steal_success) {
                    ran(job);
                    coverage.batched += steal_batch(deque, own[index]);
                }
            }
            while (UInt job = own[index].take()) ran(job);
        }
    }
};

template<int thieves, int attempts>
char const* join_test<thieves, attempts>::script = "";

struct join_2 : join_test<2, 4> {};
struct join_small : join_test<2, 2> {};
struct join_3 : join_test<3, 3> {};

// The handshake of a waiting owner with its thief: the thief has started
// the stolen half (its deque's base noted), pushes a subtask (1); inside the
// half it enters a cross-pool wait (closes its help gate), runs an unrelated
// job there that pushes a job of its own (2) and takes it back, leaves the
// wait (reopens the gate); pushes a second subtask (3), takes both subtasks
// back, finishes the half (sets the latch), then pushes an unrelated job (4)
// and takes it back. The owner, waiting, steals from the thief's deque at or
// above the base while holding `helping` and inside the thief's gate: it must
// only ever get 1 or 3. A plain thief may take anything. Every job once.
template<int attempts>
struct help_test : rl::test_suite<help_test<attempts>, 3> {
    static char const* script;  // unused: the scripts are fixed
    WorkStealingDeque deque;  // the thief's
    StackJobLatch latch;
    HelpGate gate;            // the thief's
    rl::var<int> payload[5];
    rl::atomic<int> taken[5];

    Membarrier barrier;  // asymmetric fences only

    void before() {
        barrier.init();
        membarrier_model = &barrier;
        deque.init(4);
        latch.init();
        gate.init();
        for (int job = 0; job < 5; job++) taken[job]($).store(0, rl::mo_relaxed);
    }

    void after() {
        for (int job = 1; job <= 4; job++) {
            int count = taken[job]($).load(rl::mo_relaxed);
            RL_ASSERT(count == 1);
        }
        deque.destroy();
    }

    void ran(UInt job) {
        RL_ASSERT(job >= 1 && job <= 4);
        int seen = payload[job]($);
        RL_ASSERT(seen == 1000 + (int)job);
        taken[job]($).fetch_add(1, rl::mo_relaxed);
    }

    void push(int job) {
        payload[job]($) = 1000 + job;
        deque.push((UInt)job);
    }

    void thread(unsigned index) {
        run_script(index);
        membarrier_finish();
    }

    void run_script(unsigned index) {
        if (index == 0) {
            // The thief (worker 1).
            latch.mark_running(1, deque.bottom($).load(rl::mo_relaxed));
            push(1);
            gate.close();
            push(2);  // an unrelated job's own work, in the cross-pool wait
            if (UInt job = deque.take()) ran(job);
            gate.reopen();
            push(3);
            while (UInt job = deque.take()) ran(job);
            latch.set();
            push(4);
            while (UInt job = deque.take()) ran(job);
        } else if (index == 1) {
            // The waiting owner (Registry.stealFromThief).
            for (int attempt = 0; attempt < attempts; attempt++) {
                if (latch.is_set()) break;
                Int base = 0;
                unsigned held = 0;
                if (!latch.begin_helping(base, held)) continue;
#if MUTANT_ID != MUTANT_gate_ignored
                if (!gate.enter()) {
                    latch.end_helping(held);
                    continue;
                }
#endif
                UInt job = 0;
                if (deque.steal(job, base) == steal_success) {
                    RL_ASSERT(job == 1 || job == 3);  // never unrelated work
                    coverage.helped += 1;
                    ran(job);
                }
#if MUTANT_ID != MUTANT_gate_ignored
                gate.leave();
#endif
                latch.end_helping(held);
            }
        } else {
            // Another thief: takes whatever is oldest.
            for (int attempt = 0; attempt < 2; attempt++) {
                UInt job = 0;
                if (deque.steal(job) == steal_success) ran(job);
            }
        }
    }
};

template<int attempts>
char const* help_test<attempts>::script = "";

struct help_6 : help_test<6> {};

// A worker's task queue: the owner only pushes, and takes its own oldest job
// with the same fenceless steal as the thieves (`stealFromQueue`,
// `takeOldest`). Each job once, the payload intact, through growth.
template<int thieves, int attempts>
struct queue_test : rl::test_suite<queue_test<thieves, attempts>, 1 + thieves> {
    static char const* script;  // unused
    enum { jobs = 6 };
    WorkStealingDeque deque;
    rl::var<int> payload[jobs + 1];
    rl::atomic<int> taken[jobs + 1];

    Membarrier barrier;  // asymmetric fences only

    void before() {
        barrier.init();
        membarrier_model = &barrier;
        deque.init(2);
        for (int job = 0; job <= jobs; job++) taken[job]($).store(0, rl::mo_relaxed);
    }

    void after() {
        for (int job = 1; job <= jobs; job++) {
            int count = taken[job]($).load(rl::mo_relaxed);
            RL_ASSERT(count == 1);
        }
        deque.destroy();
    }

    void ran(UInt job) {
        RL_ASSERT(job >= 1 && job <= (UInt)jobs);
        int seen = payload[job]($);
        RL_ASSERT(seen == 1000 + (int)job);
        taken[job]($).fetch_add(1, rl::mo_relaxed);
    }

    // Swift: WorkStealingDeque.takeOldest() (the owner) -- 0 for nil.
    UInt take_oldest() {
#if MUTANT_ID == MUTANT_queue_take
        return deque.take();
#else
        for (;;) {
            UInt job = 0;
            StealResult result = deque.steal(job, INTPTR_MIN, 0, false);
            if (result == steal_success) return job;
            if (result == steal_empty) return 0;
        }
#endif
    }

    void thread(unsigned index) {
        run_script(index);
        membarrier_finish();
    }

    void run_script(unsigned index) {
        if (index == 0) {
            for (int job = 1; job <= jobs; job++) {
                payload[job]($) = 1000 + job;
                deque.push((UInt)job);
                if (job % 2 == 0) { if (UInt got = take_oldest()) ran(got); }
            }
            while (UInt job = take_oldest()) ran(job);
        } else {
            for (int attempt = 0; attempt < attempts; attempt++) {
                UInt job = 0;
                if (deque.steal(job, INTPTR_MIN, 0, false) == steal_success) ran(job);
            }
        }
    }
};

template<int thieves, int attempts>
char const* queue_test<thieves, attempts>::script = "";

struct queue_2 : queue_test<2, 4> {};

// The owner's clears against thieves that trust the word: many takes, the
// word cleared after every fenced take (adaptive_window 1).
static char const* const clear_script = "pptpptpptpt";
struct clears_2 : deque_test<2, 4> {};
struct clears_3 : deque_test<3, 3> {};
struct clears_tight : deque_test<2, 1> {};

struct small_1 : deque_test<1, 3> {};
struct small_2 : deque_test<2, 2> {};

int main(int argc, char** argv) {
    unsigned long iterations = 250000;  // per random test; 4 tests: 1M in all
    bool bounded = true;
    for (int i = 1; i < argc; i++) {
        if (!std::strcmp(argv[i], "--iterations") && i + 1 < argc) {
            iterations = std::strtoul(argv[++i], 0, 10);
        } else if (!std::strcmp(argv[i], "--no-bounded")) {
            bounded = false;
        } else {
            std::fprintf(stderr, "usage: %s [--iterations N] [--no-bounded]\n", argv[0]);
            return 2;
        }
    }
    std::printf("deque model, mutant: %s\n", MC_XSTR(MUTANT));
    unsigned long total = 0;
    bool ok = true;
    // Random schedules; stop at the first failing test (a mutant needs one).
    ok = ok && run_random<growth_2>("growth, owner + 2 thieves", growth_script, iterations, total);
    ok = ok && run_random<growth_3>("growth, owner + 3 thieves", growth_script, iterations, total);
    ok = ok && run_random<growth_2>("wrap-around, owner + 2 thieves", wrap_script, iterations, total);
    ok = ok && run_random<growth_3>("wrap-around, owner + 3 thieves", wrap_script, iterations, total);
    ok = ok && run_random<join_2>("join and waits, owner + helper + batch thief", "", iterations, total);
    ok = ok && run_random<join_3>("join and waits, owner + helper + 2 batch thieves", "", iterations, total);
    ok = ok && run_random<help_6>("handshake, thief + waiting owner + thief", "", iterations, total);
    ok = ok && run_random<queue_2>("task queue (fenceless steals), owner + 2 thieves", "", iterations, total);
#ifdef ASYMMETRIC
    adaptive_window = 1;
    start_fencing = true;
    thief_pauses = 3;
    ok = ok && run_random<clears_2>("owner's clears, owner + 2 thieves", clear_script, iterations, total);
    ok = ok && run_random<clears_3>("owner's clears, owner + 3 thieves", clear_script, iterations, total);
    ok = ok && run_random<clears_2>("a clear between two takes, owner + 2 thieves", "ppptt", iterations, total);
    adaptive_window = 2;
    start_fencing = false;
    thief_pauses = 0;
#endif
#ifdef ASYMMETRIC
    if (bounded) {
        // Where thieves trust the word they need no membarrier, whose
        // hand-shake is what puts the other tests out of a bounded search's
        // reach: a clear between two takes, every schedule with at most 1
        // preemptions.
        adaptive_window = 1;
        start_fencing = true;
        ok = ok && run_bounded<clears_tight>("a clear between two takes, owner + 2 thieves", "ppptt", 1, total);
        adaptive_window = 2;
        start_fencing = false;
    }
    bounded = false;  // the rest need the membarrier hand-shake (see above)
#endif
    if (bounded) {
        // Every schedule with at most `bound` preemptions, every choice of
        // Relacy's load-value model (in this mode a relaxed/acquire load may
        // return the latest value or the one before it).
        ok = ok && run_bounded<small_1>("growth, owner + 1 thief", "ppptp", 2, total);
        ok = ok && run_bounded<small_2>("growth or wrap, owner + 2 thieves", "pptpp", 1, total);
        ok = ok && run_bounded<small_2>("growth, owner + 2 thieves", "ppptp", 2, total);
        ok = ok && run_bounded<join_small>("join and waits, owner + helper + batch thief", "", 1, total);
        ok = ok && run_bounded<help_6>("handshake, thief + waiting owner + thief", "", 1, total);
        ok = ok && run_bounded<queue_2>("task queue (fenceless steals), owner + 2 thieves", "", 1, total);
    }
    std::printf("deque model: %s, %lu schedules in total\n", ok ? "PASS" : "FAIL", total);
    return ok ? 0 : 1;
}
