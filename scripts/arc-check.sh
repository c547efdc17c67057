#!/usr/bin/env bash
# Checks, by counting calls, that the pool's own code makes no reference
# counting or heap call once per operation on its two hot paths: a `join`
# (fib on 1 worker) and a submission from outside (inject, 4 threads). A
# retain there is an atomic on a count that other threads share, a malloc a
# trip to the allocator; neither fails a test when it creeps back in
# (docs/benchmarks.md, "No reference counts on the way in").
set -euo pipefail
source "$(dirname "$0")/lib.sh"

usage() {
    cat <<'USAGE'
Usage: scripts/arc-check.sh [options]

Runs two kernels of the release harness under valgrind's callgrind, whose
call counts repeat exactly, and fails if a function of the pool's registry,
sleep, deque, join or latch code calls the Swift runtime's retains,
releases or allocations, or malloc, as often as once per two operations:
  - fib 20 on the pool with 1 worker, 3 repetitions (32,835 joins); the
    fork-join fast path is inlined into the kernel's function, which
    counts as the pool's code here;
  - inject from 4 threads, 2,000 submissions each, 3 repetitions (24,000);
    TaskletPool.spawn may retain twice per submission (the closure it
    stores and the error handler's context), no more.
As a check of the check, the report must show the kernel's function called
once per join or more, and spawn's retain of the closure it stores.
Builds the release harness first unless --binary is given.

Options:
  --binary PATH   a release tasklets-bench to check instead
  -h, --help      this help
USAGE
}

binary=""
while [ $# -gt 0 ]; do
    case "$1" in
        --binary) need_value "$@"; binary="$(executable_path "$1" "$2")"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) usage_error "unknown option '$1'" ;;
    esac
done
callgrind_setup "$binary"

# The pool's internals: its hot paths live in these types. `join` itself is
# inlined into its caller, so the fib run also counts the kernel's
# function, into which the whole fork-join fast path is inlined.
internals='(Registry|Sleep|Injector|Worker|WorkStealingDeque|DequeRing|StackJob|Latch|JobRing|TaskQueues|LentClosure)[.]'
counted='swift_(retain|release)(_n)?|swift_(bridgeObject|unknownObject)(Retain|Release)|swift_(allocObject|allocBox|slowAlloc)|malloc|calloc|posix_memalign'

# calls REPORT CALLEE_REGEX: "count<TAB>caller -> callee" for every caller
# of a function whose name matches CALLEE_REGEX, from callgrind_annotate
# --tree=caller, where each function's "<" lines (its callers, with "(Nx)"
# call counts) come before its "*" line. Names lose their file prefix
# ("???:", "malloc.c:") and object suffix ("[binary]").
calls() {
    awk -v callee_re="$2" '
        function name_of(line) {
            sub(/^ *[0-9,]+ \([ 0-9.]+%\) +[<*] +/, "", line)
            sub(/ \([0-9,]+x\) \[.*/, "", line); sub(/ \[.*/, "", line); sub(/^[^:]*:/, "", line)
            return line
        }
        /^ *[0-9,]+ .* < / { callers[n++] = $0; next }
        /^ *[0-9,]+ .* \* / {
            callee = name_of($0)
            if (callee ~ callee_re) {
                for (i = 0; i < n; i++) {
                    if (match(callers[i], /\([0-9,]+x\)/) == 0) continue
                    count = substr(callers[i], RSTART + 1, RLENGTH - 3); gsub(",", "", count)
                    print count "\t" name_of(callers[i]) " -> " callee
                }
            }
        }
        { n = 0 }' "$1"
}

# total REPORT CALLEE_REGEX CALLER_REGEX: the calls from matching callers
# into matching functions.
total() {
    calls "$1" "$2" | awk -F'\t' -v re="$3" '$2 ~ re { sum += $1 } END { print sum + 0 }'
}

# check NAME OPERATIONS CALLERS: fails on a caller matching CALLERS that
# makes a counted call OPERATIONS / 2 times or more.
check() {
    local name="$1" operations="$2" callers="$3" offenders
    offenders=$(calls "$work/$name.txt" "^($counted)\$" \
        | awk -F'\t' -v min=$((operations / 2)) -v re="$callers" '$1 + 0 >= min && $2 ~ re')
    if [ -n "$offenders" ]; then
        printf '%s\n' "$offenders" >&2
        die "$name: the pool's code above makes these calls once per operation or more ($operations operations)"
    fi
    echo "$name: no reference counting or heap call per operation in the pool's code ($operations operations)"
}

# at_least NAME WHAT COUNT MINIMUM: the check of the check, that the report
# shows the calls it is meant to see.
at_least() {
    [ "$3" -ge "$4" ] || die "$1: $2 $3 times, expected $4 or more: this check no longer sees the calls it counts"
}

note "callgrind: fib 20, pool, 1 worker, 3 repetitions"
callgrind_report "$work" fib --tree=caller \
    "$bench" run --kernel fib --backend pool --workers 1 --repetitions 3 --warmup 0 --fib-n 20
joins=32835  # fib(21) - 1 = 10,945 per run
at_least fib "the kernel's function was called" "$(total "$work/fib.txt" '^static Fib[.]pool' .)" "$joins"
check fib "$joins" "$internals|Fib[.]pool"

note "callgrind: inject, pool, 2 workers, 4 threads x 2,000, 3 repetitions"
callgrind_report "$work" inject --tree=caller \
    "$bench" run --kernel inject --backend pool --workers 2 --repetitions 3 --warmup 0 \
    --inject-threads 4 --inject-per-thread 2000
submissions=24000
# `spawn` retains the closure it stores and the error handler's context
# (nil by default): two per submission, and no more, since the registry's
# submission path may be inlined into it.
spawn_retains=$(total "$work/inject.txt" '^swift_retain$' 'TaskletPool[.]spawn')
at_least inject "TaskletPool.spawn retained" "$spawn_retains" "$submissions"
if [ "$spawn_retains" -gt $((2 * submissions + 100)) ]; then
    die "inject: TaskletPool.spawn retained $spawn_retains times for $submissions submissions (two each expected)"
fi
check inject "$submissions" "$internals"
echo "arc-check: ok"
