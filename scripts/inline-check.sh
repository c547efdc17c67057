#!/usr/bin/env bash
# Checks, by counting instructions, that parallelMap's element loop inlines
# a closure that captures nothing (docs/benchmarks.md, "Data-parallel
# collections"): a regression there costs a third of the map kernel's speed
# without failing any test.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

usage() {
    cat <<'USAGE'
Usage: scripts/inline-check.sh [options]

Runs the map kernel's pool backend on 1 worker under valgrind's callgrind,
whose instruction counts repeat exactly, and fails unless:
  - the transform (a closure in MapKernel.run) is never called on its own:
    no such function runs once per element or more, because it is inlined
    into parallelMap's loop;
  - parallelMap's busiest function, the loop with the hash inlined, takes at
    most --max-per-element instructions per element.
Builds the release harness first unless --binary is given; a copy of the
binary without its DWARF is what runs (valgrind 3.19 cannot read Swift's).

Options:
  --binary PATH           a release tasklets-bench to check instead
  --max-per-element N     the loop's bound (default: 20; 16 measured with
                          Swift 6.3.1 on x86-64)
  -h, --help              this help
USAGE
}

binary=""
max_per_element=20
while [ $# -gt 0 ]; do
    case "$1" in
        --binary) need_value "$@"; binary="$(executable_path "$1" "$2")"; shift 2 ;;
        --max-per-element) need_value "$@"; check_count "$1" "$2" 1; max_per_element="$2"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) usage_error "unknown option '$1'" ;;
    esac
done

callgrind_setup "$binary"

map_n=1000000
repetitions=3
elements=$((map_n * repetitions))
note "callgrind: map, pool, 1 worker, $repetitions x $map_n elements"
callgrind_report "$work" annotate "" \
    "$bench" run --kernel map --backend pool --workers 1 \
    --repetitions "$repetitions" --warmup 0 --map-n "$map_n"

# The largest count among the functions whose line matches the regex $1 (0 if none).
busiest() {
    awk -v re="$1" '$0 ~ re { gsub(",", "", $1); if ($1 + 0 > max) max = $1 + 0 } END { print max + 0 }' \
        "$work/annotate.txt"
}
profile_top() { sed -n '1,40p' "$work/annotate.txt" >&2; }

transform=$(busiest '[?][?][?]:.*(closure.* in static MapKernel[.]run|MapKernel[.]transform)')
loop=$(busiest '[?][?][?]:.*in RandomAccessCollection<>[.]parallelMap')
# The loop must be where the work is: a loop moved elsewhere by the optimizer
# (into reduceSplitting, say) would leave a small function here, and a
# bound per element on it would pass without measuring anything.
if [ "$loop" -lt $((4 * elements)) ]; then
    profile_top
    die "parallelMap's functions ran $loop instructions for $elements elements: the loop is not where this check looks"
fi

per_element=$(awk -v l="$loop" -v n="$elements" 'BEGIN { printf "%.1f", l / n }')
printf 'parallelMap loop: %s instructions for %s elements, %s per element (bound %s)\n' \
    "$loop" "$elements" "$per_element" "$max_per_element"
printf 'the busiest closure of MapKernel.run itself: %s instructions (under one per element when the transform is inlined)\n' "$transform"
if [ "$transform" -ge "$elements" ]; then
    profile_top
    die "the transform was called for every element, not inlined into parallelMap's loop"
fi
if awk -v p="$per_element" -v m="$max_per_element" 'BEGIN { exit !(p > m) }'; then
    profile_top
    die "parallelMap's loop takes $per_element instructions per element, over $max_per_element"
fi
echo "inline-check: ok"
