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
// Mutants (each must be reported as a failure; see docs/verification.md):
//   take_fence     the seq_cst fence in take() removed
//   steal_fence    the seq_cst fence in steal() removed
//   push_relaxed   the releasing store of bottom in push() made relaxed
//   slot_after_cas steal() reads the slot after its CAS instead of before
//   ring_relaxed   steal() loads the ring pointer relaxed instead of acquiring

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

// Swift `Int` and `UInt` (the slots hold a JobRef's bit pattern; 0 = none).
typedef intptr_t Int;
typedef uintptr_t UInt;

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

// Coverage counters, summed over all schedules of a test (never read by the
// model itself, so they do not affect Relacy's replay of a failing schedule).
struct Coverage {
    unsigned long steals, retries, grows, owner_lost_last, owner_won_last;
};
static Coverage coverage;

struct WorkStealingDeque {
    rl::atomic<Int> top;            // Swift: `let top: Atomic<Int>`
    rl::atomic<Int> bottom;         // Swift: `let bottom: Atomic<Int>`
    rl::atomic<DequeRing*> ring;    // Swift: `let ring: Atomic<UnsafeMutablePointer<DequeRing>>`

    // Swift: init(capacity:)
    void init(Int capacity) {
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

    // Swift: WorkStealingDeque.push(_:)
    void push(UInt job) {
        Int b = bottom($).load(rl::mo_relaxed);
        Int t = top($).load(rl::mo_acquire);
        DequeRing* r = ring($).load(rl::mo_relaxed);
        if (b - t > r->mask($)) {
            r = grow(r, b, t);
        }
        r->store(job, b);
        bottom($).store(b + 1, PUSH_BOTTOM_ORDER);  // releasing
    }

    // Swift: WorkStealingDeque.take() -- returns 0 for nil.
    UInt take() {
        Int b = bottom($).load(rl::mo_relaxed) - 1;
        DequeRing* r = ring($).load(rl::mo_relaxed);
        // Swift: .releasing (C++20 release sequences no longer carry the
        // pushes through later relaxed stores of the same thread).
        bottom($).store(b, rl::mo_release);
#if MUTANT_ID != MUTANT_take_fence
        rl::atomic_thread_fence(rl::mo_seq_cst, $);
#endif
        Int t = top($).load(rl::mo_relaxed);
        if (t <= b) {
            UInt job = r->load(b);
            RL_ASSERT(job != 0);  // JobRef(bitPattern:).unsafelyUnwrapped
            if (t == b) {
                Int expected = t;
                bool won = top($).compare_exchange_strong(
                    expected, t + 1, rl::mo_seq_cst, rl::mo_relaxed);
                bottom($).store(b + 1, rl::mo_relaxed);
                (won ? coverage.owner_won_last : coverage.owner_lost_last) += 1;
                return won ? job : 0;
            }
            return job;
        }
        bottom($).store(b + 1, rl::mo_relaxed);
        return 0;
    }

    // Swift: WorkStealingDeque.steal() / steal(atOrAbove: .min).
    StealResult steal(UInt& out) {
        Int t = top($).load(rl::mo_acquire);
#if MUTANT_ID != MUTANT_steal_fence
        rl::atomic_thread_fence(rl::mo_seq_cst, $);
#endif
        Int b = bottom($).load(rl::mo_acquire);
        if (!(t < b)) return steal_empty;
        DequeRing* r = ring($).load(STEAL_RING_ORDER);
#if MUTANT_ID != MUTANT_slot_after_cas
        UInt bits = r->load(t);
#endif
        Int expected = t;
        bool won = top($).compare_exchange_strong(
            expected, t + 1, rl::mo_seq_cst, rl::mo_relaxed);
#if MUTANT_ID == MUTANT_slot_after_cas
        UInt bits = r->load(t);
#endif
        if (!won) { coverage.retries += 1; return steal_retry; }
        coverage.steals += 1;
        RL_ASSERT(bits != 0);  // JobRef(bitPattern:).unsafelyUnwrapped
        out = bits;
        return steal_success;
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

    void before() {
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
                "%lu grows, last job won/lost by owner %lu/%lu)\n",
                name, ok ? "PASS" : "FAIL", schedules, coverage.steals, coverage.retries,
                coverage.grows, coverage.owner_won_last, coverage.owner_lost_last);
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
    if (bounded) {
        // Every schedule with at most `bound` preemptions, every choice of
        // Relacy's load-value model (in this mode a relaxed/acquire load may
        // return the latest value or the one before it).
        ok = ok && run_bounded<small_1>("growth, owner + 1 thief", "ppptp", 2, total);
        ok = ok && run_bounded<small_2>("growth or wrap, owner + 2 thieves", "pptpp", 1, total);
        ok = ok && run_bounded<small_2>("growth, owner + 2 thieves", "ppptp", 2, total);
    }
    std::printf("deque model: %s, %lu schedules in total\n", ok ? "PASS" : "FAIL", total);
    return ok ? 0 : 1;
}
