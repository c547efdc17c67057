#!/usr/bin/env bash
# The pingpong kernel's anchor: the same ping-pong written in Go (goroutines
# and unbuffered channels), on 1 and 2 threads (GOMAXPROCS), beside
# tasklets-bench's pingpong on 1 and 2 workers, alternately, in one run.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

usage() {
    cat <<'USAGE'
Usage: scripts/go-pingpong.sh [--rounds N] [--runs R] [--binary PATH]

Runs R times (default 5), alternating: Go's ping-pong with GOMAXPROCS=1 and
2, then tasklets-bench's pingpong kernel on 1 and 2 workers; prints ns per
round trip of each run and the medians. N round trips per run (default
1,000,000 for Go, 100,000 for tasklets-bench, which takes the median of
its 5 repetitions). Installs Debian's golang-go if `go` is missing (as
root). --binary uses an already built tasklets-bench.
USAGE
}

rounds=1000000
runs=5
binary=""
while [ $# -gt 0 ]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --rounds) need_value "$@"; rounds="$2"; shift 2 ;;
        --runs) need_value "$@"; runs="$2"; shift 2 ;;
        --binary) need_value "$@"; binary="$2"; shift 2 ;;
        *) usage_error "unknown option $1" ;;
    esac
done
check_count --rounds "$rounds" 1
check_count --runs "$runs" 1
[ -z "$binary" ] || [ -x "$binary" ] || usage_error "--binary $binary is not an executable file"

need_command go golang-go
[ -n "$binary" ] || binary=$(build_release "$REPO_ROOT/.build")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/pingpong.go" <<'GO'
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

// Two goroutines, two unbuffered channels: the echo answers each value plus one.
func main() {
	rounds, _ := strconv.Atoi(os.Args[1])
	ping, pong := make(chan uint64), make(chan uint64)
	go func() {
		for v := range ping {
			pong <- v + 1
		}
	}()
	var sum uint64
	start := time.Now()
	for i := 0; i < rounds; i++ {
		ping <- uint64(i)
		sum += <-pong
	}
	elapsed := time.Since(start)
	close(ping)
	if sum != uint64(rounds)*uint64(rounds+1)/2 {
		fmt.Fprintln(os.Stderr, "wrong checksum")
		os.Exit(1)
	}
	fmt.Printf("%.1f\n", float64(elapsed.Nanoseconds())/float64(rounds))
}
GO
(cd "$work" && GO111MODULE=off go build -o pingpong pingpong.go)

median() {
    sort -g | awk '{ a[NR] = $1 } END { printf "%.1f\n", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
for threads in 1 2; do : >"$work/go$threads"; : >"$work/pool$threads"; done
for run in $(seq "$runs"); do
    for threads in 1 2; do
        GOMAXPROCS=$threads "$work/pingpong" "$rounds" >>"$work/go$threads"
        "$binary" run --kernel pingpong --backend pool --workers "$threads" --repetitions 5 \
            --pingpong-baselines 0 --quiet --csv-output "$work/csv" >/dev/null
        grep -o 'ns_per_round_trip=[0-9.]*' "$work/csv" | cut -d= -f2 | median >>"$work/pool$threads"
    done
    note "run $run of $runs done"
done
printf 'CPU: %s\n' "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
printf '%-28s %s\n' "ns per round trip (median)" "runs"
for threads in 1 2; do
    printf 'go, GOMAXPROCS=%s           %8s   %s\n' "$threads" "$(median <"$work/go$threads")" "$(tr '\n' ' ' <"$work/go$threads")"
    printf 'tasklets pool, %s worker(s)  %8s   %s\n' "$threads" "$(median <"$work/pool$threads")" "$(tr '\n' ' ' <"$work/pool$threads")"
done
