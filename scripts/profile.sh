#!/usr/bin/env bash
# Profiles one kernel: perf stat/record where hardware counters work,
# otherwise valgrind callgrind instruction counts.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

usage() {
    cat <<'USAGE'
Usage: scripts/profile.sh [options] KERNEL [-- extra tasklets-bench run options]

Runs `tasklets-bench run --kernel KERNEL` under a profiler and writes the
results to the output folder:
  - perf stat (software events always; cycles and instructions when the
    machine exposes hardware counters) and, with hardware counters,
    perf record + perf report;
  - without hardware counters (most VMs): valgrind --tool=callgrind, whose
    instruction counts repeat exactly, with callgrind_annotate's top list.
Valgrind 3.19 cannot read the DWARF that Swift emits, so the binary is built
with -Xswiftc -gnone -Xcc -g0 in its own scratch path (function names come
from the symbol table).

Options:
  --backend B          backend to profile (default: pool)
  --workers N          worker count (default: 1)
  --tool T             auto, perf or callgrind (default: auto)
  --out DIR            output folder (default: results/profile-KERNEL-<date>)
  --scratch-path DIR   scratch path of the profiling build (default: .build-profile)
  -h, --help           this help

Extra options after -- go to `tasklets-bench run`; under callgrind pick
small parameters (e.g. -- --fib-n 25), everything runs ~50x slower.
USAGE
}

backend="pool"
workers=1
tool="auto"
out=""
scratch=".build-profile"
kernel=""
extra=()
while [ $# -gt 0 ]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --backend) need_value "$@"; backend="$2"; shift 2 ;;
        --workers) need_value "$@"; workers="$2"; shift 2 ;;
        --tool) need_value "$@"; tool="$2"; shift 2 ;;
        --out) need_value "$@"; out="$2"; shift 2 ;;
        --scratch-path) need_value "$@"; scratch="$2"; shift 2 ;;
        --) shift; extra=("$@"); break ;;
        -*) usage_error "unknown option $1" ;;
        *) [ -z "$kernel" ] || usage_error "only one KERNEL, got '$kernel' and '$1'"; kernel="$1"; shift ;;
    esac
done
[ -n "$kernel" ] || usage_error "name a KERNEL (tasklets-bench list names them)"
case "$kernel" in *,*) usage_error "only one KERNEL, got '$kernel'" ;; esac
check_names KERNEL kernel "$kernel" "$BENCH_KERNELS"
[ "$kernel" != all ] || usage_error "name one KERNEL, not all"
case "$backend" in *,*|all) usage_error "--backend takes one backend, not '$backend'" ;; esac
check_names --backend backend "$backend" "$BENCH_BACKENDS"
check_count --workers "$workers" 1
case "$tool" in auto|perf|callgrind) ;; *) usage_error "--tool must be auto, perf or callgrind, not '$tool'" ;; esac

if [ "$tool" != callgrind ]; then need_command perf linux-perf; fi
if [ "$tool" = auto ]; then
    counters="$(perf stat -x, -e instructions true 2>&1 || true)"
    if grep -qE '<not supported>|<not counted>|not supported' <<<"$counters"; then
        tool=callgrind
        note "hardware counters are not available here: using valgrind callgrind"
    elif perf stat -x, -e instructions true >/dev/null 2>&1; then
        tool=perf
    else
        tool=callgrind
        note "perf cannot count here (perf_event_paranoid?): using valgrind callgrind"
    fi
fi
[ "$tool" = callgrind ] && need_command valgrind valgrind

binary="$(build_release "$scratch" -Xswiftc -gnone -Xcc -g0)"
out="${out:-$REPO_ROOT/results/profile-$kernel-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$out"
run=("$binary" run --kernel "$kernel" --backend "$backend" --workers "$workers" --repetitions 3 --warmup 0 --quiet
     ${extra[@]+"${extra[@]}"})

if command -v perf >/dev/null 2>&1; then
    note "perf stat (software events) -> $out/perf-stat.txt"
    perf stat -o "$out/perf-stat.txt" -e task-clock,context-switches,cpu-migrations,page-faults "${run[@]}" \
        > "$out/run.txt" || die "the profiled run failed; see $out/run.txt"
    cat "$out/perf-stat.txt"
fi
case "$tool" in
    perf)
        note "perf stat (hardware counters) and perf record -> $out"
        perf stat -o "$out/perf-stat-hw.txt" -e cycles,instructions,branch-misses,cache-misses "${run[@]}" > /dev/null
        cat "$out/perf-stat-hw.txt"
        perf record -g -o "$out/perf.data" "${run[@]}" > /dev/null 2>&1 || die "perf record failed"
        perf report -i "$out/perf.data" --stdio --no-children > "$out/perf-report-full.txt" 2>/dev/null \
            || die "perf report failed"
        sed -n 1,60p "$out/perf-report-full.txt" > "$out/perf-report.txt"
        cat "$out/perf-report.txt"
        ;;
    callgrind)
        note "valgrind --tool=callgrind -> $out/callgrind.out"
        valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.out" "${run[@]}" \
            > "$out/callgrind-run.txt" 2> "$out/callgrind.log" || die "valgrind failed; see $out/callgrind.log"
        grep -E '^==[0-9]+== (Collected|Events)' "$out/callgrind.log" || true
        callgrind_annotate "$out/callgrind.out" > "$out/callgrind-annotate.txt" 2>/dev/null \
            || die "callgrind_annotate failed"
        sed -n 1,60p "$out/callgrind-annotate.txt" > "$out/callgrind-top.txt"
        cat "$out/callgrind-top.txt"
        ;;
esac
note "results in $out"
