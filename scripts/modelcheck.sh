#!/usr/bin/env bash
# Model-checks the lock-free core of swift-tasklets (docs/verification.md):
#   1. the Chase-Lev deque mirror Tests/ModelCheck/deque.cpp under Relacy:
#      the correct orderings must pass; each mutant must FAIL;
#   2. the sleep/wake protocol Tests/ModelCheck/sleep.pml under spin: the
#      model must pass; each mutant must FAIL.
# Any unexpected outcome (a failure of the real model, a mutant that passes,
# an incomplete search) makes the script exit non-zero.
set -uo pipefail
cd "$(dirname "$0")/.."

usage() {
    cat <<'EOF'
usage: scripts/modelcheck.sh [--quick] [--keep] [--help]

Builds and runs the model checks of the deque (Relacy, C++) and of the sleep
protocol (spin, Promela). Installs relacy-dev, g++ and spin with apt-get
when they are missing and the script runs as root.

  --quick   skip Relacy's bounded exhaustive search and spin's 3-worker run
  --keep    keep the build directory (printed) instead of deleting it
  --help    show this help

Ends with "modelcheck: N passed, M failed"; exits 0 only when M is 0.
Takes about 2-3 minutes on 2 cores (needs ~1.5 GB of memory for spin).
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
compile_deque() {  # name, extra flags...
    local name=$1; shift
    g++ -std=c++11 -O2 -w "$@" -o "$build/$name" "$deque_src" >"$build/$name.build.log" 2>&1
}

echo "== Deque: Relacy, correct orderings"
deque_flags=()
[ "$quick" = 1 ] && deque_flags=(--no-bounded)
if ! compile_deque deque; then
    cat "$build/deque.build.log"; bad "deque: does not compile"
elif "$build/deque" "${deque_flags[@]}" >"$build/deque.log" 2>&1; then
    grep -E '^-- .*(PASS|FAIL)' "$build/deque.log" | sed 's/^/      /'
    ok "deque: $(tail -n 1 "$build/deque.log" | sed 's/^deque model: //')"
else
    tail -n 40 "$build/deque.log"
    bad "deque: Relacy reported a failure of the correct deque (log above)"
fi

echo "== Deque: Relacy, mutants (each must fail)"
for mutant in take_fence steal_fence push_relaxed slot_after_cas ring_relaxed; do
    if ! compile_deque "deque_$mutant" -DMUTANT="$mutant"; then
        cat "$build/deque_$mutant.build.log"; bad "deque mutant $mutant: does not compile"
        continue
    fi
    if "$build/deque_$mutant" --no-bounded >"$build/deque_$mutant.log" 2>&1; then
        bad "deque mutant $mutant: PASSED, the harness did not catch it"
    elif grep -qE 'ASSERT FAILED|DATA RACE|ACCESS TO FREED|UNINITIALIZED|DEADLOCK|LIVELOCK|MEMORY LEAK' "$build/deque_$mutant.log"; then
        what=$(grep -m1 -oE '(USER ASSERT FAILED \(assertion: [^)]*\)|DATA RACE|ACCESS TO FREED MEMORY|[A-Z ]*UNINITIALIZED[A-Z ]*|DEADLOCK|LIVELOCK|MEMORY LEAK)' "$build/deque_$mutant.log")
        schedules=$(grep -m1 -E '^-- .*FAIL after' "$build/deque_$mutant.log" | sed -E 's/.*FAIL after ([0-9]+) schedules.*/\1/')
        ok "deque mutant $mutant: caught ($what) at schedule $schedules"
    else
        tail -n 20 "$build/deque_$mutant.log"
        bad "deque mutant $mutant: failed without a Relacy report (log above)"
    fi
done

# --- Sleep protocol (spin) ------------------------------------------------
# run_spin label expect(pass|fail) spin-defines...
run_spin() {
    local label=$1 expect=$2; shift 2
    local dir="$build/spin.$passed.$failed.$RANDOM"
    mkdir -p "$dir" && cp Tests/ModelCheck/sleep.pml "$dir/"
    if ! (cd "$dir" && spin -a "$@" sleep.pml >spin.log 2>&1 &&
          gcc -O2 -DSAFETY -DCOLLAPSE -DMEMLIM=4000 -o pan pan.c >>spin.log 2>&1); then
        cat "$dir/spin.log"; bad "sleep $label: spin or gcc failed"; return
    fi
    (cd "$dir" && timeout 240 ./pan -m1000000 >pan.log 2>&1)
    local log="$dir/pan.log"
    local errors states
    errors=$(sed -nE 's/.*errors: ([0-9]+).*/\1/p' "$log" | head -n 1)
    states=$(sed -nE 's/^ *([0-9.e+]+) states, stored.*/\1/p' "$log" | head -n 1)
    # pan stops at its first error ("Search not completed"): incomplete only
    # matters for a run that must find none.
    if [ -z "$errors" ] || { [ "$errors" = 0 ] &&
        grep -qE 'out of memory|max search depth too small|Search not completed' "$log"; }; then
        tail -n 20 "$log"; bad "sleep $label: search incomplete (log above)"; return
    fi
    if [ "$expect" = pass ]; then
        if [ "$errors" = 0 ]; then ok "sleep $label: no error, $states states (exhaustive)"
        else
            grep -E 'pan:[0-9]|violated|invalid end' "$log" | head -n 5
            (cd "$dir" && spin -t -p -g sleep.pml 2>&1 | tail -n 60)
            bad "sleep $label: spin found an error (trail above)"
        fi
    else
        if [ "$errors" != 0 ]; then
            ok "sleep $label: caught ($(grep -m1 -oE 'assertion violated [^ ]*|invalid end state' "$log"))"
        else bad "sleep $label: mutant PASSED, the model did not catch it"; fi
    fi
}

echo "== Sleep protocol: spin, the model as implemented"
run_spin "2 workers, 2 submissions, 1 local push" pass -DNW=2 -DJOBS=2 -DSPAWNS=1
run_spin "2 workers, 2 submissions, 1 local push, shutdown racing" pass -DNW=2 -DJOBS=2 -DSPAWNS=1 -DSHUTDOWN
if [ "$quick" = 0 ]; then
    run_spin "3 workers, 1 submission, 1 local push" pass -DNW=3 -DJOBS=1 -DSPAWNS=1
fi

echo "== Sleep protocol: spin, mutants (each must fail)"
run_spin "mutant no_recheck" fail -DNW=2 -DJOBS=2 -DSPAWNS=1 -DMUTANT=1
run_spin "mutant no_submit_wake" fail -DNW=2 -DJOBS=2 -DSPAWNS=1 -DMUTANT=2
run_spin "mutant submit_no_fence" fail -DNW=2 -DJOBS=2 -DSPAWNS=1 -DMUTANT=3

echo "modelcheck: took $(( $(date +%s) - started )) s"
echo "modelcheck: $passed passed, $failed failed"
[ "$failed" = 0 ]
