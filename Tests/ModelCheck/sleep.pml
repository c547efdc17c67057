/*
 * Promela model of the sleep/wake protocol of swift-tasklets, as implemented in
 *   Sources/Tasklets/sleep/Sleep.swift           (Sleep)
 *   Sources/Tasklets/registry/Registry.swift     (workerMain, nextLocalJob,
 *        search, stopSearching, stealOnce, hasVisibleWork, submitExternal,
 *        shutdown)
 *   Sources/Tasklets/registry/Injector.swift     (push, pop, close)
 *   Sources/Tasklets/registry/Worker.swift       (pushLocal)
 * Keep the two in step. Checked by scripts/modelcheck.sh with spin:
 *   spin -a [-DSHUTDOWN] [-DMUTANT=n] Tests/ModelCheck/sleep.pml
 *   gcc -O2 -DSAFETY -o pan pan.c && ./pan -m100000
 *
 * Properties (checked in every state where no process can move, via the
 * `timeout` monitor, plus spin's invalid-end-state check):
 *   - no lost wakeup: once the system is quiescent, no job is left in the
 *     injector or in any deque, and every accepted job ran exactly once;
 *   - no worker asleep forever while work is queued: without shutdown, the
 *     only valid end state of a worker is parked (label end_park) with every
 *     queue empty; with shutdown, every worker has exited and nothing is left.
 *   - sleeper list and `sleeping` agree whenever the lock is released.
 *
 * Memory model. Promela interleaves atomic steps: sequential consistency.
 * That is exact for the part of the protocol that decides wakeups across
 * threads, because every access there is seq_cst in the Swift code:
 *   - the sleeper's announce is a seq_cst RMW on `counts` (Sleep.sleep),
 *     followed by seq_cst loads of every queue (Injector.isEmptyForSleepCheck,
 *     WorkStealingDeque.count);
 *   - the external submitter's publication is a seq_cst store of the
 *     injector's count, then a seq_cst load of `counts`
 *     (Sleep.notifySubmission; a push onto a task queue, which publishes
 *     with a releasing store, adds a seq_cst fence in between);
 *   - tryBeginSearching (CAS), endSearching and wakeOne (RMWs) are seq_cst,
 *     and so are the loads of endSearching's re-check (hasVisibleWork).
 * All seq_cst operations and fences lie in one total order consistent with
 * program order (C11 [atomics.order]), so the store-buffering outcome "the
 * sleeper misses the job and the submitter misses the sleeper" is impossible,
 * exactly as in an interleaving. The pthread locks give mutual exclusion and
 * happens-before, which interleaving also models.
 * The parts that are NOT seq_cst are over-approximated with nondeterminism,
 * which only adds behaviours (so a pass still means the property holds):
 *   - a local push publishes `bottom` with a releasing store and reads
 *     `counts` relaxed (Sleep.shouldWake(afterLocalPushSeeing:)): the read may
 *     be stale, so the model either tries wakeOne or not, regardless of the
 *     counts; and a sleeper's re-check may miss a job in another worker's
 *     deque (store buffering against that push);
 *   - Injector.pop reads the count relaxed as a hint: it may miss a job;
 *   - a steal may fail (lost races, or the victim's deque looked empty).
 *   The Chase-Lev deque itself is verified separately (deque.cpp, Relacy);
 *   here a take or a steal is one atomic step on a job counter.
 *
 * Abstractions: a job is a token; running a job may push one child job onto
 * the runner's own deque (at most SPAWNS in all). A searcher tries ROUNDS
 * rounds (an adaptive 2-50 µs in Swift): more rounds repeat the same checks, and a job that
 * arrives after the last round is the case that matters. The every-61st-tick
 * injector-first rule only changes the order of two sources and is left out.
 */

#ifndef NW
#define NW 2            /* workers */
#endif
#ifndef JOBS
#define JOBS 2          /* external submissions */
#endif
#ifndef SPAWNS
#define SPAWNS 1        /* local pushes, in all */
#endif
#define ROUNDS 1
#define MAXS 1          /* maximumSearching = max(1, NW / 2) for NW <= 3 */
#define NONE 255

/* Mutants (scripts/modelcheck.sh: each must make spin report an error):
 *   1  no_recheck       the sleeper parks without re-checking the queues
 *   2  no_submit_wake   the external submitter never wakes a sleeper
 *   3  submit_no_fence  the submitter reads `counts` before its publication
 *                       is ordered (what dropping the fence allows)
 *   4  handoff_dropped  a worker taken off the list by a hand-off while it
 *                       re-checked ignores the job it was handed
 *   5  handoff_no_wake  the submitter hands a job over without setting the
 *                       sleeper's park word                                */
#ifndef MUTANT
#define MUTANT 0
#endif

/* Sleep.counts: searching (low half) and sleeping (high half). */
byte searching = 0;
byte sleeping = 0;

/* Sleep.lock and what it guards. */
bit lk = 0;
byte stk[NW];           /* Sleep.sleepers, most recent last */
byte sp = 0;
bool shuttingDown = false;
bit parkWord[NW];       /* Worker.parkWord */
bit hand[NW];           /* Worker.handedJob: a job handed over, not yet taken */

/* Injector: storedCount and `count` move together under its lock. */
byte inj = 0;
bool closed = false;

/* Deques: number of jobs in each worker's deque. */
byte dq[NW];

/* Bookkeeping for the properties. */
byte accepted = 0;      /* external jobs the injector took */
byte spawned = 0;       /* local pushes */
byte ran = 0;           /* jobs run */
byte exited = 0;        /* workers that returned from workerMain */

inline LOCK() {
    atomic { lk == 0 -> lk = 1 }
}

inline UNLOCK() {
    assert(sleeping == sp);
    lk = 0
}

/* Sleep.wakeOne(); w is a scratch variable of the caller. */
inline WAKE_ONE(w) {
    LOCK();
    d_step {
        if
        :: sp > 0 -> sp--; w = stk[sp]; stk[sp] = 0
        :: else -> w = NONE
        fi
    }
    if
    :: w != NONE ->
        /* counts += searchingOne - sleepingOne (seq_cst RMW) */
        d_step { searching++; sleeping-- }
    :: else -> skip
    fi;
    UNLOCK();
    if
    :: w != NONE -> parkWord[w] = 1     /* unpark: release store + futexWake */
    :: else -> skip
    fi;
    w = 0                               /* scratch: keep the state small */
}

/* Injector.pop(): the relaxed count hint may miss a job. */
inline POP(got) {
    if
    :: inj > 0 ->
        d_step {
            if
            :: inj > 0 -> inj--; got = true
            :: else -> skip
            fi
        }
    :: true -> skip
    fi
}

/* Registry.hasVisibleWork(): seq_cst loads, one queue after another. */
inline HAS_VISIBLE_WORK(vis, j) {
    vis = (inj > 0);
    j = 0;
    do
    :: !vis && j < NW ->
        if
        :: dq[j] > 0 -> vis = true
        :: j != me -> skip              /* may miss a local push (see above) */
        :: dq[j] == 0 -> skip
        fi;
        j++
    :: else -> break
    od
}

proctype Worker(byte me) {
    bool isSearching = false;
    bool wasSearching, stopping, got, vis, listed;
    byte j, v, w, oldSearching, oldSleeping, round;

loop:
    got = false;
    /* nextLocalJob: own deque (take), then the injector. */
    d_step {
        if
        :: dq[me] > 0 -> dq[me]--; got = true
        :: else -> skip
        fi
    }
    if
    :: !got -> POP(got)
    :: else -> skip
    fi;

    /* search: become a searcher if fewer than MAXS search, then try the
     * injector and every victim for ROUNDS rounds. */
    if
    :: !got ->
        if
        :: !isSearching ->
            d_step {        /* Sleep.tryBeginSearching: CAS loop */
                if
                :: searching < MAXS -> searching++; isSearching = true
                :: else -> skip
                fi
            }
        :: else -> skip
        fi;
        if
        :: isSearching ->
            round = 0;
            do
            :: !got && round < ROUNDS ->
                POP(got);
                v = 0;
                do
                :: !got && v < NW ->
                    if
                    :: v != me ->
                        d_step {    /* steal: success, or empty / retry */
                            if
                            :: dq[v] > 0 -> dq[v]--; got = true
                            :: true -> skip
                            fi
                        }
                    :: else -> skip
                    fi;
                    v++
                :: else -> break
                od;
                round++
            :: else -> break
            od;
            round = 0; v = 0
        :: else -> skip
        fi
    :: else -> skip
    fi;

found:
    if
    :: got ->
        /* stopSearching / Sleep.endSearching */
        if
        :: isSearching ->
            isSearching = false;
            d_step { oldSearching = searching; oldSleeping = sleeping; searching-- };
            /* then, only for the last searcher with sleepers about, the
             * seq_cst re-check (hasVisibleWork): wake one only if work shows */
            if
            :: oldSearching == 1 && oldSleeping != 0 ->
                HAS_VISIBLE_WORK(vis, j);
                j = 0;
                if
                :: vis -> vis = false; WAKE_ONE(w)
                :: else -> skip
                fi
            :: else -> skip
            fi;
            oldSearching = 0; oldSleeping = 0
        :: else -> skip
        fi;
        /* run the job; it may push a child onto this worker's deque */
        ran++;
        if
        :: spawned < SPAWNS ->
            d_step { spawned++; dq[me]++ };         /* deque.push: releasing store */
            if                                      /* shouldWake: relaxed load */
            :: WAKE_ONE(w)
            :: skip
            fi
        :: true -> skip
        fi;
        goto loop
    :: else -> skip
    fi;

    /* Sleep.sleep: announce, re-check, park. */
    wasSearching = isSearching;
    LOCK();
    parkWord[me] = 0;
    d_step {        /* counts += sleepingOne - (wasSearching ? searchingOne : 0) */
        sleeping++;
        if
        :: wasSearching -> searching--
        :: else -> skip
        fi
    }
    d_step { stk[sp] = me; sp++ };
    stopping = shuttingDown;
    UNLOCK();
    isSearching = false;

    if
    :: stopping -> vis = false
    :: else ->
#if MUTANT == 1
        vis = false
#else
        HAS_VISIBLE_WORK(vis, j);
        j = 0
#endif
    fi;
    if
    :: stopping || vis ->
        vis = false; wasSearching = false;
        LOCK();
        d_step {    /* sleepers.lastIndex(of: me), remove(at:) */
            listed = false;
            j = sp;
            do
            :: j > 0 && !listed ->
                j--;
                if
                :: stk[j] == me -> listed = true
                :: else -> skip
                fi
            :: else -> break
            od;
            if
            :: listed ->
                do
                :: j + 1 < sp -> stk[j] = stk[j + 1]; j++
                :: else -> break
                od;
                sp--;
                stk[sp] = 0
            :: else -> skip
            fi;
            j = 0
        }
        if
        :: listed -> d_step { searching++; sleeping-- }
        :: else -> skip
        fi;
        UNLOCK();
        if
        :: !listed ->
            parkWord[me] == 1;          /* woken in between: waitForUnpark */
#if MUTANT != 4
            if                          /* takeHandedJob: run it, not searching */
            :: hand[me] ->
                hand[me] = 0; got = true;
                /* .run(sawWork: true): pass the wake on, as a submitter
                 * (Registry.announceQueuedJob: fence, seq_cst load) */
                d_step { oldSearching = searching; oldSleeping = sleeping };
                if
                :: oldSearching == 0 && oldSleeping != 0 -> WAKE_ONE(w)
                :: else -> skip
                fi;
                oldSearching = 0; oldSleeping = 0;
                goto found
            :: else -> skip
            fi
#else
            skip
#endif
        :: else -> skip
        fi;
        isSearching = true;
        listed = false;
        if
        :: stopping ->
            HAS_VISIBLE_WORK(vis, j);
            j = 0;
            if
            :: !vis -> goto done
            :: else -> vis = false
            fi
        :: else -> skip
        fi;
        goto loop
    :: else ->
        wasSearching = false;
end_park:
        parkWord[me] == 1;                  /* waitForUnpark */
        if                                  /* takeHandedJob */
        :: hand[me] -> hand[me] = 0; got = true; goto found
        :: else -> skip
        fi;
        isSearching = true;
        goto loop
    fi;

done:
    exited++
}

/* A thread outside the pool: Registry.submitExternal. */
proctype Submitter() {
    byte k = 0;
    byte s, z, w;
    bool ok;
    do
    :: k < JOBS ->
        /* Sleep.handOff: its relaxed looks at `counts` and at the
         * injectors may see anything, so the model either tries or not;
         * under the lock, the most recent
         * sleeper gets the job, leaves `sleeping` without becoming a
         * searcher, and is unparked. */
        ok = false;
        if
        :: LOCK();
            if
            :: !shuttingDown && sp > 0 ->
                d_step { sp--; w = stk[sp]; stk[sp] = 0 };
                assert(hand[w] == 0);           /* one handed job at a time */
                d_step { sleeping--; hand[w] = 1; accepted++ };
                ok = true
            :: else -> skip
            fi;
            UNLOCK();
            if
#if MUTANT != 5
            :: ok -> parkWord[w] = 1
#else
            :: ok -> skip
#endif
            :: else -> skip
            fi;
            w = 0
        :: skip
        fi;
        if
        :: ok -> ok = false; k++; goto next
        :: else -> skip
        fi;
#if MUTANT == 3
        d_step { s = searching; z = sleeping };
#endif
        d_step {    /* Injector.push: under its lock, seq_cst store of count */
            if
            :: !closed -> inj++; accepted++; ok = true
            :: else -> ok = false
            fi
        }
        if
        :: ok ->
            /* Sleep.notifySubmission: the count's seq_cst store above, then
             * a seq_cst load (a task-queue push adds a seq_cst fence) */
#if MUTANT != 3
            d_step { s = searching; z = sleeping };
#endif
#if MUTANT == 2
            skip
#else
            if
            :: s == 0 && z != 0 -> WAKE_ONE(w)
            :: else -> skip
            fi
#endif
        :: else -> skip
        fi;
        s = 0; z = 0;
        k++;
next:   skip
    :: else -> break
    od
}

#ifdef SHUTDOWN
/* Registry.shutdown, racing the submissions. */
proctype Shutdown() {
    byte moved, i;
    byte woken[NW];
    closed = true;                          /* Injector.close (under its lock) */
    LOCK();                                 /* Sleep.beginShutdown */
    d_step {
        shuttingDown = true;
        moved = sp;
        i = 0;
        do
        :: i < sp -> woken[i] = stk[i]; stk[i] = 0; i++
        :: else -> break
        od;
        sp = 0;
        i = 0
    }
    d_step { searching = searching + moved; sleeping = sleeping - moved };
    UNLOCK();
    do
    :: i < moved -> parkWord[woken[i]] = 1; i++
    :: else -> break
    od
}
#endif

/* Evaluated only when no other process can move (quiescence). */
active proctype Monitor() {
    byte j;
    timeout ->
    assert(inj == 0);
    j = 0;
    do
    :: j < NW -> assert(dq[j] == 0 && hand[j] == 0); j++
    :: else -> break
    od;
    assert(ran == accepted + spawned);
#ifdef SHUTDOWN
    assert(exited == NW)
#endif
}

init {
    byte i;
    atomic {
        i = 0;
        do
        :: i < NW -> run Worker(i); i++
        :: else -> break
        od;
        run Submitter();
#ifdef SHUTDOWN
        run Shutdown()
#endif
    }
}
