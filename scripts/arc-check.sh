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
sleep, deque, join or latch code calls swift_retain, swift_release,
swift_allocObject or malloc as often as once per two operations:
  - fib 20 on the pool with 1 worker, 3 repetitions (32,835 joins);
  - inject from 4 threads, 2,000 submissions each, 3 repetitions (24,000).
As a check of the check, the tasklet's own closure must show up as retained
once per submission by TaskletPool.spawn.
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

# The pool's internals: its hot paths live in these types and functions.
internals='(Registry|Sleep|Injector|Worker|WorkStealingDeque|DequeRing|StackJob|Latch|JobRing|TaskQueues)[.]|(^| )join[(<]'
counted='swift_retain|swift_release|swift_allocObject|malloc'

# calls REPORT: "count caller -> callee" for every caller of a counted
# function, from callgrind_annotate --tree=caller, where each function's
# "<" lines (its callers, with "(Nx)" call counts) come before its "*" line.
calls() {
    awk -v counted="^[?.a-z/]*:($counted) " '
        /^ *[0-9,]+ .* < / { callers[n++] = $0; next }
        /^ *[0-9,]+ .* \* / {
            callee = $0; sub(/^ *[0-9,]+ \([ 0-9.]+%\) +\* +/, "", callee)
            if (callee ~ counted) {
                sub(/ \[.*/, "", callee); sub(/^[^:]*:/, "", callee)
                for (i = 0; i < n; i++) {
                    line = callers[i]
                    if (match(line, /\(([0-9,]+)x\)/) == 0) continue
                    count = substr(line, RSTART + 1, RLENGTH - 3); gsub(",", "", count)
                    caller = line; sub(/^ *[0-9,]+ \([ 0-9.]+%\) +< +[^:]*:/, "", caller); sub(/ \([0-9,]+x\) \[.*/, "", caller)
                    print count "\t" caller " -> " callee
                }
            }
        }
        { n = 0 }' "$1"
}

# check NAME OPERATIONS: fails on an internal caller with OPERATIONS / 2 calls or more.
check() {
    local name="$1" operations="$2" offenders
    offenders=$(calls "$work/$name.txt" | awk -F'\t' -v min=$((operations / 2)) -v re="$internals" '$1 + 0 >= min && $2 ~ re')
    if [ -n "$offenders" ]; then
        printf '%s\n' "$offenders" >&2
        die "$name: the pool's code above makes these calls once per operation or more ($operations operations)"
    fi
    echo "$name: no reference counting or heap call per operation in the pool's code ($operations operations)"
}

note "callgrind: fib 20, pool, 1 worker, 3 repetitions"
callgrind_report "$work" fib --tree=caller \
    "$bench" run --kernel fib --backend pool --workers 1 --repetitions 3 --warmup 0 --fib-n 20
check fib 32835  # fib(21) - 1 = 10,945 joins per run

note "callgrind: inject, pool, 2 workers, 4 threads x 2,000, 3 repetitions"
callgrind_report "$work" inject --tree=caller \
    "$bench" run --kernel inject --backend pool --workers 2 --repetitions 3 --warmup 0 \
    --inject-threads 4 --inject-per-thread 2000
submissions=24000
# The check of the check: the closure each spawn stores is retained there.
spawn_retains=$(calls "$work/inject.txt" | awk -F'\t' '$2 ~ /TaskletPool[.]spawn.* -> swift_retain$/ { sum += $1 } END { print sum + 0 }')
[ "$spawn_retains" -ge "$submissions" ] \
    || die "inject: TaskletPool.spawn retained $spawn_retains times for $submissions submissions: this check no longer sees the calls it counts"
check inject "$submissions"
echo "arc-check: ok"
