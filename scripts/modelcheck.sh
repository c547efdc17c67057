#!/usr/bin/env bash
# Model-checks the lock-free core of swift-tasklets (docs/verification.md):
#   1. the Chase-Lev deque mirror Tests/ModelCheck/deque.cpp under Relacy,
#      with what joins and waits run on it (take-back, floors, batches, the
#      waiting owner's handshake with its thief): the correct orderings must
#      pass; each mutant must FAIL;
#   2. the sleep/wake protocol Tests/ModelCheck/sleep.pml under spin: the
#      model must pass; each mutant must FAIL;
#   3. the waiting rule Tests/ModelCheck/waits.pml under spin: the model must
#      pass; each mutant (the rule before the fix among them) must FAIL.
# Any unexpected outcome (a failure of the real model, a mutant that passes,
# an incomplete search) makes the script exit non-zero.
set -uo pipefail
cd "$(dirname "$0")/.."

usage() {
    cat <<'EOF'
usage: scripts/modelcheck.sh [--quick] [--keep] [--help]

Builds and runs the model checks of the deque (Relacy, C++), of the sleep
protocol and of the waiting rule (spin, Promela). Installs relacy-dev, g++ and spin with apt-get
when they are missing and the script runs as root.

  --quick   skip Relacy's bounded exhaustive search and spin's 3-worker run
  --keep    keep the build directory (printed) instead of deleting it
  --help    show this help

Ends with "modelcheck: N passed, M failed"; exits 0 only when M is 0.
Takes about 20 minutes on 2 idle cores, longer on busy ones (--quick:
about 3; spin needs ~1.5 GB).
EOF
}

quick=0
keep=0
for argument in "$@"; do
    case "$argument" in
        --quick) quick=1 ;;
        --keep) keep=1 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "modelcheck: unknown option '$argument'" >&2; usage >&2; exit 2 ;;
    esac
done

passed=0
failed=0
ok() { passed=$((passed + 1)); printf 'ok    %s\n' "$*"; }
bad() { failed=$((failed + 1)); printf 'FAIL  %s\n' "$*"; }

# --- Tools -------------------------------------------------------------------
missing=()
[ -f /usr/include/relacy/relacy.hpp ] || missing+=(relacy-dev)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v gcc >/dev/null 2>&1 || missing+=(gcc)
command -v spin >/dev/null 2>&1 || missing+=(spin)
if [ ${#missing[@]} -gt 0 ]; then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        echo "modelcheck: installing ${missing[*]}"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
    for tool in /usr/include/relacy/relacy.hpp g++ gcc spin; do
        if [ "${tool#/}" != "$tool" ]; then [ -f "$tool" ] && continue
        else command -v "$tool" >/dev/null 2>&1 && continue; fi
        echo "modelcheck: missing $tool (install: apt-get install relacy-dev g++ spin)" >&2
        exit 2
    done
fi

build=$(mktemp -d "${TMPDIR:-/tmp}/modelcheck.XXXXXX")
if [ "$keep" = 1 ]; then
    echo "modelcheck: build directory $build"
else
    trap 'rm -rf "$build"' EXIT
fi
started=$(date +%s)

# --- Deque (Relacy) -------------------------------------------------------
deque_src=Tests/ModelCheck/deque.cpp
# compile_deque NAME OPTIMIZATION EXTRA-FLAGS...: the models that search
# long are built with -O2; the mutants, which fail within a few thousand
# schedules, with -O0, which compiles Relacy four times faster (5 s
# against 21 s here) for the 17 mutant builds.
compile_deque() {
    local name=$1 optimization=$2; shift 2
    g++ -std=c++11 "$optimization" -w "$@" -o "$build/$name" "$deque_src" >"$build/$name.build.log" 2>&1
}

# check_deque LABEL BINARY RUN-FLAGS... -- COMPILE-FLAGS...: the correct deque must pass.
check_deque() {
    local label=$1 name=$2; shift 2
    local run=() compile=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do run+=("$1"); shift; done
    [ $# -gt 0 ] && shift
    compile=("$@")
    if ! compile_deque "$name" -O2 ${compile[@]+"${compile[@]}"}; then
        cat "$build/$name.build.log"; bad "$label: does not compile"
    elif "$build/$name" ${run[@]+"${run[@]}"} >"$build/$name.log" 2>&1; then
        grep -E '^-- .*(PASS|FAIL)' "$build/$name.log" | sed 's/^/      /'
        ok "$label: $(tail -n 1 "$build/$name.log" | sed 's/^deque model: //')"
    else
        tail -n 40 "$build/$name.log"
        bad "$label: Relacy reported a failure of the correct deque (log above)"
    fi
}

# check_deque_mutant LABEL MUTANT COMPILE-FLAGS...: the mutant must fail,
# run with the flags in mutant_run_flags.
mutant_run_flags=(--no-bounded)
check_deque_mutant() {
    local label=$1 mutant=$2; shift 2
    local name="deque_${label// /_}_$mutant"
    if ! compile_deque "$name" -O0 -DMUTANT="$mutant" "$@"; then
        cat "$build/$name.build.log"; bad "$label mutant $mutant: does not compile"
        return
    fi
    if "$build/$name" "${mutant_run_flags[@]}" >"$build/$name.log" 2>&1; then
        bad "$label mutant $mutant: PASSED, the harness did not catch it"
    elif grep -qE 'ASSERT FAILED|DATA RACE|ACCESS TO FREED|UNINITIALIZED|DEADLOCK|LIVELOCK|MEMORY LEAK' "$build/$name.log"; then
        what=$(grep -m1 -oE '(USER ASSERT FAILED \(assertion: [^)]*\)|DATA RACE|ACCESS TO FREED MEMORY|[A-Z ]*UNINITIALIZED[A-Z ]*|DEADLOCK|LIVELOCK|MEMORY LEAK)' "$build/$name.log")
        schedules=$(sed -nE '/^-- .*FAIL after ([0-9]+) schedules.*/{s//\1/p;q;}' "$build/$name.log")
        ok "$label mutant $mutant: caught ($what) at schedule $schedules"
    else
        tail -n 20 "$build/$name.log"
        bad "$label mutant $mutant: failed without a Relacy report (log above)"
    fi
}

echo "== Deque: Relacy, correct orderings (symmetric fences)"
deque_flags=()
[ "$quick" = 1 ] && deque_flags=(--no-bounded)
check_deque deque deque ${deque_flags[@]+"${deque_flags[@]}"}

echo "== Deque: Relacy, mutants (each must fail)"
for mutant in take_fence steal_fence push_relaxed slot_after_cas ring_relaxed \
              takeback_fence floor_after_cas floor_off_by_one help_no_claim finish_no_wait queue_take \
              gate_ignored; do
    check_deque_mutant deque "$mutant"
done

# Asymmetric fences (DequeFences.swift, WorkStealingDeque+OwnerFences.swift):
# owners fence-free until a thief asks them to fence, thieves calling
# membarrier (modelled as a fence in every other thread) until the owner
# fences. The membarrier hand-shake multiplies the model's steps, so the
# random search runs fewer schedules per test, and the bounded search runs
# only the test whose thieves need no membarrier (the owner's clears).
echo "== Deque: Relacy, asymmetric fences (owners fence-free until asked, thieves call membarrier)"
asym_flags=(--iterations 100000)
[ "$quick" = 1 ] && asym_flags+=(--no-bounded)
check_deque "deque asymmetric" deque_asym ${asym_flags[@]+"${asym_flags[@]}"} -- -DASYMMETRIC
echo "== Deque: Relacy, asymmetric fences, mutants (each must fail)"
mutant_run_flags=(--iterations 20000)
for mutant in asym_no_barrier asym_barrier_late asym_barrier_early asym_owner_reordered asym_point_no_fence \
              asym_trust_request asym_owner_ignores_word asym_word_before_store; do
    check_deque_mutant "deque asymmetric" "$mutant" -DASYMMETRIC
done
# asym_clear_no_fence fails only in the bounded search: one schedule per
# random test takes it there without spending a minute on the others.
mutant_run_flags=(--iterations 1)
check_deque_mutant "deque asymmetric" asym_clear_no_fence -DASYMMETRIC
mutant_run_flags=(--no-bounded)

# Orderings that Relacy cannot tell apart (docs/verification.md says why and
# why they are kept): the weakened builds are run so that the claim stays
# checked, and reported, but passing is what is expected of them.
echo "== Deque: Relacy, orderings kept without a failing mutant (expected to pass here)"
for weakened in cas_acq_rel take_store_relaxed push_top_relaxed help_release_relaxed \
                asym_word_before_fence:-DASYMMETRIC asym_no_generation:-DASYMMETRIC asym_confirm_relaxed:-DASYMMETRIC; do
    mutant=${weakened%%:*}
    extra=()
    [ "$mutant" != "$weakened" ] && extra=("${weakened#*:}")
    if ! compile_deque "deque_$mutant" -O2 -DMUTANT="$mutant" ${extra[@]+"${extra[@]}"}; then
        cat "$build/deque_$mutant.build.log"; bad "deque weakened $mutant: does not compile"
        continue
    fi
    # The asymmetric model's steps are many more: fewer schedules for it.
    iterations=20000
    [ ${#extra[@]} -gt 0 ] && iterations=5000
    if "$build/deque_$mutant" --no-bounded --iterations "$iterations" >"$build/deque_$mutant.log" 2>&1; then
        printf 'info  deque weakened %s: passes under Relacy, as documented\n' "$mutant"
    else
        printf 'info  deque weakened %s: Relacy now reports it (update docs/verification.md):\n' "$mutant"
        grep -m3 -E 'ASSERT FAILED|DATA RACE|FAIL after' "$build/deque_$mutant.log" | sed 's/^/      /'
    fi
done

# --- Sleep protocol and waiting rule (spin) ----------------------------------
# run_spin model label expect(pass|fail) spin-defines...
run_spin() {
    local model=$1 label=$2 expect=$3; shift 3
    local dir="$build/spin.$passed.$failed.$RANDOM"
    mkdir -p "$dir" && cp "Tests/ModelCheck/$model.pml" "$dir/"
    if ! (cd "$dir" && spin -a "$@" "$model.pml" >spin.log 2>&1 &&
          gcc -O2 -DSAFETY -DCOLLAPSE -DMEMLIM=4000 -o pan pan.c >>spin.log 2>&1); then
        cat "$dir/spin.log"; bad "$model $label: spin or gcc failed"; return
    fi
    (cd "$dir" && timeout 240 ./pan -m1000000 >pan.log 2>&1)
    local log="$dir/pan.log"
    local errors states
    errors=$(sed -nE '/.*errors: ([0-9]+).*/{s//\1/p;q;}' "$log")
    states=$(sed -nE '/^ *([0-9.e+]+) states, stored.*/{s//\1/p;q;}' "$log")
    # pan stops at its first error ("Search not completed"): incomplete only
    # matters for a run that must find none.
    if [ -z "$errors" ] || { [ "$errors" = 0 ] &&
        grep -qE 'out of memory|max search depth too small|Search not completed' "$log"; }; then
        tail -n 20 "$log"; bad "$model $label: search incomplete (log above)"; return
    fi
    if [ "$expect" = pass ]; then
        if [ "$errors" = 0 ]; then ok "$model $label: no error, $states states (exhaustive)"
        else
            grep -m5 -E 'pan:[0-9]|violated|invalid end' "$log" || true
            (cd "$dir" && spin -t -p -g "$@" "$model.pml" >trail.log 2>&1; tail -n 60 trail.log)
            bad "$model $label: spin found an error (trail above)"
        fi
    else
        if [ "$errors" != 0 ]; then
            ok "$model $label: caught ($(grep -m1 -oE 'assertion violated [^ ]*|invalid end state' "$log"))"
        else bad "$model $label: mutant PASSED, the model did not catch it"; fi
    fi
}

echo "== Sleep protocol: spin, the model as implemented"
run_spin sleep "2 workers, 2 submissions, 1 local push" pass -DNW=2 -DJOBS=2 -DSPAWNS=1
run_spin sleep "2 workers, 2 submissions, 1 local push, shutdown racing" pass -DNW=2 -DJOBS=2 -DSPAWNS=1 -DSHUTDOWN
if [ "$quick" = 0 ]; then
    run_spin sleep "3 workers, 1 submission, 1 local push" pass -DNW=3 -DJOBS=1 -DSPAWNS=1
fi

echo "== Sleep protocol: spin, mutants (each must fail)"
run_spin sleep "mutant no_recheck" fail -DNW=2 -DJOBS=2 -DSPAWNS=1 -DMUTANT=1
run_spin sleep "mutant no_submit_wake" fail -DNW=2 -DJOBS=2 -DSPAWNS=1 -DMUTANT=2
run_spin sleep "mutant submit_no_fence" fail -DNW=2 -DJOBS=2 -DSPAWNS=1 -DMUTANT=3
run_spin sleep "mutant handoff_dropped" fail -DNW=2 -DJOBS=2 -DSPAWNS=1 -DMUTANT=4
run_spin sleep "mutant handoff_no_wake" fail -DNW=2 -DJOBS=2 -DSPAWNS=1 -DMUTANT=5

echo "== Waiting rule: spin, the model as implemented"
run_spin waits "2 workers, join over a scope, nested and detached spawns" pass -DNW=2
run_spin waits "3 workers, join over a scope, nested and detached spawns" pass -DNW=3

echo "== Waiting rule: spin, mutants (each must fail)"
run_spin waits "mutant thief_only (the rule before the fix: the pool hangs)" fail -DNW=2 -DMUTANT=1
run_spin waits "mutant detached_shared (a wait runs a detached job)" fail -DNW=2 -DMUTANT=2
run_spin waits "mutant run_anything (Rayon's rule: a wait runs unrelated work)" fail -DNW=2 -DMUTANT=3

echo "modelcheck: took $(( $(date +%s) - started )) s"
echo "modelcheck: $passed passed, $failed failed"
[ "$failed" = 0 ]
