#!/usr/bin/env bash
# Sweeps the worker count from 1 to N for chosen kernels and backends, writes
# CSV and JSON to a results folder, and plots speedup against workers.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

usage() {
    cat <<'USAGE'
Usage: scripts/scaling.sh [options] [-- extra tasklets-bench run options]

Sweeps --workers 1..N with `tasklets-bench run`, writes scaling.csv and
scaling.json (with the machine header) to the results folder, and draws one
PNG per kernel: speedup against workers, one line per backend, plus the ideal
line. Speedup is Ts/Tn (the sequential median over the backend's median with
n workers) when the sequential backend is in the sweep, else T1/Tn.

Options:
  --kernels K[,K]      kernels (default: fib,nqueens,uts,skew,sum)
  --backends B[,B]     backends (default: sequential,pool,dispatch,naive)
  --max-workers N      sweep 1..N (default: every CPU of the affinity mask)
  --repetitions R      timed runs per point (default 5; the median is used)
  --warmup W           untimed runs per point (default 1)
  --out DIR            results folder (default: results/scaling-<date>)
  --binary PATH        use this tasklets-bench instead of building one
  --scratch-path DIR   SwiftPM scratch path for the build (default: .build-bench)
  -h, --help           this help

Extra options after -- go to `tasklets-bench run` (e.g. -- --fib-n 35).
Needs gnuplot (installs gnuplot-nox when run as root on Debian/Ubuntu).
USAGE
}

kernels="fib,nqueens,uts,skew,sum"
backends="sequential,pool,dispatch,naive"
max_workers=""
repetitions=5
warmup=1
out=""
binary=""
scratch=".build-bench"
extra=()
while [ $# -gt 0 ]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --kernels) need_value "$@"; kernels="$2"; shift 2 ;;
        --backends) need_value "$@"; backends="$2"; shift 2 ;;
        --max-workers) need_value "$@"; max_workers="$2"; shift 2 ;;
        --repetitions) need_value "$@"; repetitions="$2"; shift 2 ;;
        --warmup) need_value "$@"; warmup="$2"; shift 2 ;;
        --out) need_value "$@"; out="$2"; shift 2 ;;
        --binary) need_value "$@"; binary="$2"; shift 2 ;;
        --scratch-path) need_value "$@"; scratch="$2"; shift 2 ;;
        --) shift; extra=("$@"); break ;;
        *) usage_error "unknown option $1" ;;
    esac
done

# Usage first: nothing is installed or built for a command line that is wrong.
check_names --kernels kernel "$kernels" "$BENCH_KERNELS"
check_names --backends backend "$backends" "$BENCH_BACKENDS"
[ -z "$max_workers" ] || check_count --max-workers "$max_workers" 1
check_count --repetitions "$repetitions" 3
check_count --warmup "$warmup" 0
[ -z "$binary" ] || [ -x "$binary" ] || usage_error "--binary $binary is not an executable file"
if [ -z "$max_workers" ]; then
    command -v nproc >/dev/null 2>&1 || die "nproc is missing (coreutils); pass --max-workers"
    max_workers="$(nproc)"
fi

need_command gnuplot gnuplot-nox
if [ -z "$binary" ]; then
    binary="$(build_release "$scratch")"
fi

out="${out:-$REPO_ROOT/results/scaling-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$out"
workers="$(seq -s, 1 "$max_workers")"
note "sweeping workers $workers for $kernels on $backends into $out"
status=0
"$binary" run --kernel "$kernels" --backend "$backends" --workers "$workers" \
    --repetitions "$repetitions" --warmup "$warmup" ${extra[@]+"${extra[@]}"} \
    --format json --output "$out/scaling.json" --csv-output "$out/scaling.csv" || status=$?
[ -s "$out/scaling.csv" ] || die "tasklets-bench wrote no results (exit status $status)"
[ "$status" = 0 ] || note "tasklets-bench reported failed runs (exit status $status); plotting what succeeded"

medians "$out/scaling.csv" > "$out/medians.csv"
for kernel in ${kernels//,/ }; do
    data="$out/speedup-$kernel.dat"
    awk -F, -v kernel="$kernel" '
        $1 == kernel { ms[$2 "," $3] = $4; if (!($2 in seen)) { seen[$2] = 1; order[++n] = $2 } }
        END {
            base = ms["sequential,1"]
            for (i = 1; i <= n; i++) {
                backend = order[i]
                if (backend == "sequential") continue
                ref = (base != "") ? base : ms[backend ",1"]
                printf "\"%s\"\n", backend
                for (key in ms) {
                    split(key, part, ",")
                    if (part[1] == backend && ms[key] > 0) printf "%d %.4f\n", part[2], ref / ms[key] | "sort -n"
                }
                close("sort -n")
                printf "\n\n"
            }
        }' "$out/medians.csv" > "$data"
    [ -s "$data" ] || { note "no data for $kernel"; continue; }
    ylabel="$(grep -q "^$kernel,sequential,1," "$out/medians.csv" && echo 'speedup Ts/Tn' || echo 'speedup T1/Tn')"
    gnuplot <<PLOT
set terminal pngcairo size 800,560 noenhanced
set output "$out/scaling-$kernel.png"
set title "tasklets-bench $kernel: speedup against workers"
set xlabel "workers"
set ylabel "$ylabel"
set key top left
set grid
set xrange [1:$max_workers]
set yrange [0:*]
set xtics 1
plot x title "ideal" with lines dashtype 2 lc rgb "gray", \
     for [i=0:*] "$data" index i using 1:2 with linespoints title columnheader(1)
PLOT
    note "wrote $out/scaling-$kernel.png"
done
printf '%s\n' "$out"
exit "$status"
