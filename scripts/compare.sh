#!/usr/bin/env bash
# Builds two commits in temporary worktrees and prints per-kernel ratios.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

usage() {
    cat <<'USAGE'
Usage: scripts/compare.sh [options] BASE HEAD [-- extra tasklets-bench run options]

Builds tasklets-bench at two commits (any git revision) in temporary
worktrees, runs them alternately (BASE, HEAD, BASE, HEAD, ... so that drifts
of the machine hit both), and prints the median ms of each side and HEAD/BASE
per (kernel, backend, workers). Above 1 means HEAD is slower. Back-to-back
runs on a shared 2-core VM differ by ~20%: only trust large ratios there.

Options:
  --kernels K[,K]   kernels (default: fib,nqueens,uts,skew,sum)
  --backends B[,B]  backends (default: sequential,pool)
  --workers W[,W]   worker counts (default: 1 and every CPU)
  --rounds N        alternations (default 3), each with 3 repetitions
  --keep            keep the worktrees and builds (in /tmp) afterwards
  -h, --help        this help

Both commits must contain the harness (`tasklets-bench run --csv-output`).
USAGE
}

kernels="fib,nqueens,uts,skew,sum"
backends="sequential,pool"
workers=""
rounds=3
keep=0
positional=()
extra=()
while [ $# -gt 0 ]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --kernels) need_value "$@"; kernels="$2"; shift 2 ;;
        --backends) need_value "$@"; backends="$2"; shift 2 ;;
        --workers) need_value "$@"; workers="$2"; shift 2 ;;
        --rounds) need_value "$@"; rounds="$2"; shift 2 ;;
        --keep) keep=1; shift ;;
        --) shift; extra=("$@"); break ;;
        -*) usage_error "unknown option $1" ;;
        *) positional+=("$1"); shift ;;
    esac
done
[ ${#positional[@]} = 2 ] || usage_error "expected two commits, BASE and HEAD"
check_count --rounds "$rounds" 1
check_names --kernels kernel "$kernels" "$BENCH_KERNELS"
check_names --backends backend "$backends" "$BENCH_BACKENDS"
if [ -n "$workers" ]; then
    [[ "$workers" =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || usage_error "--workers must be whole numbers from 1, such as 1,2, not '$workers'"
fi
command -v git >/dev/null 2>&1 || die "git is missing (apt-get install git)"
workers="${workers:-1,$(nproc)}"

work="$(mktemp -d /tmp/tasklets-compare.XXXXXX)"
cleanup() {
    if [ "$keep" = 0 ]; then
        for side in base head; do
            [ -d "$work/$side" ] && git -C "$REPO_ROOT" worktree remove --force "$work/$side" >/dev/null 2>&1 || true
        done
        rm -rf "$work"
    else
        note "kept $work"
    fi
}
trap cleanup EXIT

declare -A binary commit
for index in 0 1; do
    side=$([ $index = 0 ] && echo base || echo head)
    revision="${positional[$index]}"
    commit[$side]="$(git -C "$REPO_ROOT" rev-parse --verify --quiet "$revision^{commit}")" \
        || die "'$revision' is not a commit of $REPO_ROOT"
    note "$side: $revision = ${commit[$side]}"
    git -C "$REPO_ROOT" worktree add --detach "$work/$side" "${commit[$side]}" >/dev/null 2>&1 \
        || die "could not create a worktree for $revision"
    binary[$side]="$(REPO_ROOT="$work/$side" build_release "$work/$side/.build")"
done

for round in $(seq 1 "$rounds"); do
    for side in base head; do
        note "round $round/$rounds: $side"
        TASKLETS_BENCH_COMMIT="${commit[$side]}" "${binary[$side]}" run --kernel "$kernels" --backend "$backends" \
            --workers "$workers" --repetitions 3 --warmup 1 --quiet ${extra[@]+"${extra[@]}"} \
            --format csv --output "$work/$side-$round.csv" \
            || note "$side reported failed runs in round $round"
    done
done

for side in base head; do
    { head -1 "$work/$side-1.csv"; for f in "$work/$side"-*.csv; do tail -n +2 "$f"; done; } > "$work/$side.csv"
    medians "$work/$side.csv" > "$work/$side.medians"
done
printf '%-10s %-11s %7s %12s %12s %10s\n' kernel backend workers "base ms" "head ms" "head/base"
join -t, -j1 \
    <(awk -F, '{ print $1 "|" $2 "|" $3 "," $4 }' "$work/base.medians" | sort -t, -k1,1) \
    <(awk -F, '{ print $1 "|" $2 "|" $3 "," $4 }' "$work/head.medians" | sort -t, -k1,1) \
    | awk -F, '{ split($1, k, "|"); printf "%-10s %-11s %7s %12.3f %12.3f %10.3f\n", k[1], k[2], k[3], $2, $3, ($2 > 0 ? $3 / $2 : 0) }'
