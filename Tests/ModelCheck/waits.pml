/*
 * Promela model of what a waiting worker runs (the waiting rule), as
 * implemented in
 *   Sources/Tasklets/registry/Registry+Waiting.swift  (wait, helpingJob,
 *        ownJob, stealFromThief)
 *   Sources/Tasklets/join/Join.swift                  (forkJoin, takeBack)
 *   Sources/Tasklets/scope/ScopeState.swift           (spawn, finish)
 *   Sources/Tasklets/job/StackJob.swift               (executeTaken, the
 *        thief's base, beginHelping: help only while the thief runs the half)
 *   Sources/Tasklets/TaskletPool.swift                (spawn on a worker:
 *        the worker's `detached` queue)
 *   Sources/Tasklets/registry/Registry.swift          (the worker loop)
 * Keep the two in step. Checked by scripts/modelcheck.sh with spin:
 *   spin -a [-DNW=3] [-DMUTANT=n] Tests/ModelCheck/waits.pml
 *   gcc -O2 -DSAFETY -o pan pan.c && ./pan -m100000
 *
 * The program (the shape that hung the pool before the fix: WaitingTests):
 * worker 0 runs `join(a, b)` with an empty `a`. `b` opens a scope, spawns a
 * tasklet T1 into it, a detached job D, a second tasklet T1', and waits for
 * the scope. Each T1 spawns a T2 into the same scope. Worker 1 starts with an
 * unrelated job U of its own queued. With a third worker, that one starts
 * idle.
 *
 * Properties:
 *   - liveness: in every state where no process can move (`timeout`), the
 *     `join` has returned, every job ran exactly once and every queue is
 *     empty. A waiting rule that leaves a job where no worker looks shows
 *     up here as a quiescent state with the join still waiting;
 *   - rayon-rs/rayon#592 and #957: a worker waiting in a join or a scope
 *     only ever runs work created inside what it waits for (asserted when
 *     it picks a job): never the detached job D, never the unrelated U.
 *
 * What is abstracted: each step below is atomic (the deque and the latch
 * handshake are verified under a weak memory model in deque.cpp); an idle
 * worker (empty stack) blocks until some queue has a job, which is what the
 * sleep protocol guarantees (sleep.pml: no worker sleeps while a job is
 * visible and no other worker will take it). Indices never wrap.
 */

#ifndef NW
#define NW 2
#endif
#ifndef MUTANT
#define MUTANT 0
#endif
/* Mutants (scripts/modelcheck.sh: each must make spin report an error):
 *   1  thief_only       the join wait helps only from its thief's deque
 *                       (the rule before the fix): the pool hangs
 *   2  detached_shared  detached spawns go onto the deque that waits help
 *                       from (as before the fix): a wait runs D
 *   3  run_anything     waits run any queued job, as Rayon's do: a wait
 *                       runs D or U                                        */

#define NONE 255
#define CAP 8               /* slots per queue; indices never wrap */
#define MAXJ 8
#define DEPTH 4             /* frames per worker */

/* Jobs: what each one runs. */
#define K_B  1              /* the join's second half */
#define K_T1 2              /* scope tasklet: spawns T2 into the scope */
#define K_T2 3              /* scope tasklet */
#define K_D  4              /* detached spawn */
#define K_U  5              /* unrelated job of worker 1 */

byte kind[MAXJ];
byte runs[MAXJ];            /* times each job started */
bit insideB[MAXJ];          /* created while the join's half ran */
byte jobs = 0;

/* Each worker's two queues: `deque` (join halves, scope tasklets; the owner
 * takes the newest) and `detached` (the owner takes the oldest); thieves
 * take the oldest of either. */
byte dq[NW * CAP];
byte dqTop[NW];
byte dqBot[NW];
byte dd[NW * CAP];
byte ddTop[NW];
byte ddBot[NW];

/* The join's record (job B): its latch and the thief's mark. */
bit latchSet = 0;
byte thief = NONE;          /* set when a thief starts B (`running`) */
byte thiefBase = 0;
byte recordIndex = 0;       /* where worker 0 pushed B */

/* The scope opened by B. */
byte pending = 0;
bit joinReturned = 0;

/* Frames: RUN a job's script at pc, or WAIT for the join or the scope. */
#define F_RUN 1
#define F_JOINWAIT 2
#define F_SCOPEWAIT 3
#define F_ROOT 4            /* worker 0's `pool.run` body: join(a, b) */
byte fKind[NW * DEPTH];
byte fJob[NW * DEPTH];
byte fPc[NW * DEPTH];
byte fFloor[NW * DEPTH];
byte depth[NW];

inline NEWJOB(k, id) {
    id = jobs; kind[id] = k; insideB[id] = 1; jobs++
}

inline PUSH_DQ(w, id) { dq[w * CAP + dqBot[w]] = id; dqBot[w]++ }
inline PUSH_DD(w, id) { dd[w * CAP + ddBot[w]] = id; ddBot[w]++ }

/* Queue states, as expressions (guards re-evaluated while a process blocks). */
#define HAS_DQ(w) (dqBot[w] > dqTop[w])
#define HAS_DD(w) (ddBot[w] > ddTop[w])
#define HAS_ANY(w) (HAS_DQ(w) || HAS_DD(w))
#if NW == 2
#define OTHERS_HAVE(me) (HAS_ANY(1 - me))
#else
#define OTHERS_HAVE(me) ((me != 0 && HAS_ANY(0)) || (me != 1 && HAS_ANY(1)) || (me != 2 && HAS_ANY(2)))
#endif
/* ownJob(atOrAbove: floor) */
#define OWN_ABOVE(me, floor) (HAS_DQ(me) && dqBot[me] > floor)
/* stealFromThief: while the thief runs the half, at or above its base */
#define THIEF_HAS (thief != NONE && !latchSet && HAS_DQ(thief) && dqTop[thief] >= thiefBase)

/* The index of a worker's top frame (a valid index even when it has none:
 * spin checks array bounds in every operand of a guard). */
#define TOP(me) (depth[me] > 0 -> me * DEPTH + depth[me] - 1 : me * DEPTH)

/* When a wait can move: done, or a job it may run is there. */
#define TOP_FLOOR(me) fFloor[TOP(me)]
#if MUTANT == 3
#define JOINWAIT_READY(me) (latchSet || HAS_DQ(me) || OTHERS_HAVE(me))
#define SCOPEWAIT_READY(me) (pending == 0 || HAS_ANY(me))
#elif MUTANT == 1
#define JOINWAIT_READY(me) (latchSet || THIEF_HAS)
#define SCOPEWAIT_READY(me) (pending == 0 || OWN_ABOVE(me, TOP_FLOOR(me)))
#else
#define JOINWAIT_READY(me) (latchSet || OWN_ABOVE(me, TOP_FLOOR(me)) || THIEF_HAS)
#define SCOPEWAIT_READY(me) (pending == 0 || OWN_ABOVE(me, TOP_FLOOR(me)))
#endif

/* Takes the first job a thief would: the oldest of another worker's deque,
 * else of its detached queue. */
inline STEAL_ANY(me, got, j) {
    j = 0;
    do
    :: got == NONE && j < NW ->
        if
        :: j != me && HAS_DQ(j) -> got = dq[j * CAP + dqTop[j]]; dqTop[j]++
        :: j != me && !HAS_DQ(j) && HAS_DD(j) -> got = dd[j * CAP + ddTop[j]]; ddTop[j]++
        :: else -> skip
        fi;
        j++
    :: else -> break
    od;
    j = 0
}

/* Pushes a frame that runs job `id` on worker `w` (the job was just taken). */
inline CALL(w, id) {
    runs[id]++;
    assert(runs[id] == 1);
    if
    :: id == 0 ->
        /* StackJob.executeTaken on a thief: its base, then `running` */
        thiefBase = dqBot[w]; thief = w
    :: else -> skip
    fi;
    fKind[w * DEPTH + depth[w]] = F_RUN;
    fJob[w * DEPTH + depth[w]] = id;
    fPc[w * DEPTH + depth[w]] = 0;
    depth[w]++
}

inline RETURN(w) {
    depth[w]--;
    if
    :: depth[w] > 0 -> fPc[w * DEPTH + depth[w] - 1]++    /* resume the caller */
    :: else -> skip
    fi
}

/* A wait helps with job `id`: it must be work created inside what it waits
 * for, never a detached job or unrelated work (rayon#592/#957). */
#define CHECK_HELPED(id) assert(kind[id] != K_D && kind[id] != K_U && insideB[id])

proctype Worker(byte me) {
    byte j, got, id, f;

end_loop:
    do
    :: atomic { depth[me] == 0 && (HAS_ANY(me) || OTHERS_HAVE(me)) ->
        /* The worker loop: own deque (newest), own detached queue (oldest),
         * then the others' queues (oldest). Idle while nothing is queued. */
            got = NONE;
            if
            :: HAS_DQ(me) -> dqBot[me]--; got = dq[me * CAP + dqBot[me]]
            :: !HAS_DQ(me) && HAS_DD(me) -> got = dd[me * CAP + ddTop[me]]; ddTop[me]++
            :: else -> STEAL_ANY(me, got, j)
            fi;
            CALL(me, got);
            got = NONE
        }

    :: atomic { depth[me] > 0 && fKind[TOP(me)] == F_ROOT ->
            f = TOP(me);
            if
            :: fPc[f] == 0 ->
                /* forkJoin: push b's record (job 0), run `a` (empty) */
                recordIndex = dqBot[me]; PUSH_DQ(me, 0);
                fPc[f] = 1
            :: fPc[f] == 1 ->
                /* takeBack(index:) */
                if
                :: dqTop[me] <= recordIndex ->
                    dqBot[me]--;                    /* taken: run b inline */
                    runs[0]++; fPc[f] = 2;
                    fKind[f + 1] = F_RUN; fJob[f + 1] = 0; fPc[f + 1] = 0; depth[me]++
                :: else ->
                    fPc[f] = 2;                     /* stolen: wait */
                    fKind[f + 1] = F_JOINWAIT; fJob[f + 1] = 0; fPc[f + 1] = 0;
                    fFloor[f + 1] = dqBot[me]; depth[me]++
                fi
            :: fPc[f] == 3 ->
                joinReturned = 1; depth[me]--
            fi;
            f = 0
        }

    :: atomic { depth[me] > 0 && fKind[TOP(me)] == F_RUN ->
            f = TOP(me);
            id = fJob[f];
            if
            :: kind[id] == K_B && fPc[f] == 0 ->
                /* scope { }: its floor, the body's share; s.spawn T1 */
                pending = 1;
                fFloor[f] = dqBot[me];
                NEWJOB(K_T1, got); PUSH_DQ(me, got); pending++;
                fPc[f] = 1
            :: kind[id] == K_B && fPc[f] == 1 ->
                /* pool.spawn { } on a worker: a detached job */
                NEWJOB(K_D, got);
#if MUTANT == 2
                PUSH_DQ(me, got);
#else
                PUSH_DD(me, got);
#endif
                fPc[f] = 2
            :: kind[id] == K_B && fPc[f] == 2 ->
                /* a second tasklet like the first */
                NEWJOB(K_T1, got); PUSH_DQ(me, got); pending++;
                fPc[f] = 3
            :: kind[id] == K_B && fPc[f] == 3 ->
                /* ScopeState.finish: the body's share, then wait */
                pending--;
                fPc[f] = 4;
                fKind[f + 1] = F_SCOPEWAIT; fJob[f + 1] = id; fPc[f + 1] = 0;
                fFloor[f + 1] = fFloor[f]; depth[me]++
            :: kind[id] == K_B && fPc[f] == 5 ->
                /* the half returns: Latch.set (the thief's mark is gone) */
                latchSet = 1; thief = NONE; RETURN(me)
            :: kind[id] == K_T1 && fPc[f] == 0 ->
                /* s.spawn { } from inside a tasklet: onto this worker */
                NEWJOB(K_T2, got); PUSH_DQ(me, got); pending++;
                fPc[f] = 1
            :: kind[id] == K_T1 && fPc[f] == 1 -> pending--; RETURN(me)
            :: kind[id] == K_T2 -> pending--; RETURN(me)
            :: kind[id] == K_D || kind[id] == K_U -> RETURN(me)
            fi;
            got = NONE; id = 0; f = 0
        }

    :: atomic { depth[me] > 0 && fKind[TOP(me)] == F_JOINWAIT && JOINWAIT_READY(me) ->
            f = TOP(me);
            got = NONE;
            if
            :: latchSet -> depth[me]--; fPc[f - 1]++      /* done waiting */
            :: else ->
#if MUTANT == 3
                /* Rayon: any job, own or stolen */
                if
                :: HAS_DQ(me) -> dqBot[me]--; got = dq[me * CAP + dqBot[me]]
                :: else -> STEAL_ANY(me, got, j)
                fi;
#else
#if MUTANT != 1
                if
                :: OWN_ABOVE(me, fFloor[f]) -> dqBot[me]--; got = dq[me * CAP + dqBot[me]]
                :: else -> skip
                fi;
#endif
                if
                :: got == NONE && THIEF_HAS -> got = dq[thief * CAP + dqTop[thief]]; dqTop[thief]++
                :: else -> skip
                fi;
#endif
                CHECK_HELPED(got);
                CALL(me, got)
            fi;
            got = NONE; f = 0
        }

    :: atomic { depth[me] > 0 && fKind[TOP(me)] == F_SCOPEWAIT && SCOPEWAIT_READY(me) ->
            f = TOP(me);
            got = NONE;
            if
            :: pending == 0 -> depth[me]--; fPc[f - 1]++
            :: else ->
#if MUTANT == 3
                if
                :: HAS_DQ(me) -> dqBot[me]--; got = dq[me * CAP + dqBot[me]]
                :: else -> got = dd[me * CAP + ddTop[me]]; ddTop[me]++
                fi;
#else
                dqBot[me]--; got = dq[me * CAP + dqBot[me]];
#endif
                CHECK_HELPED(got);
                CALL(me, got)
            fi;
            got = NONE; f = 0
        }
    od
}

/* Evaluated only when no other process can move (quiescence). */
active proctype Monitor() {
    byte j;
    timeout ->
    assert(joinReturned);
    j = 0;
    do
    :: j < NW -> assert(dqBot[j] == dqTop[j] && ddBot[j] == ddTop[j]); j++
    :: else -> break
    od;
    j = 0;
    do
    :: j < jobs -> assert(runs[j] == 1); j++
    :: else -> break
    od
}

init {
    byte i;
    atomic {
        /* job 0: the join's second half; worker 0 runs the `pool.run` body */
        kind[0] = K_B; insideB[0] = 1;
        fKind[0] = F_ROOT; fPc[0] = 0; depth[0] = 1;
        /* job 1: an unrelated job queued on worker 1 */
        kind[1] = K_U; insideB[1] = 0;
        PUSH_DQ(1, 1);
        jobs = 2;
        i = 0;
        do
        :: i < NW -> run Worker(i); i++
        :: else -> break
        od
    }
}
