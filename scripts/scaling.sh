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
        --kernels) kernels="${2:?--kernels needs a value}"; shift 2 ;;
        --backends) backends="${2:?--backends needs a value}"; shift 2 ;;
        --max-workers) max_workers="${2:?--max-workers needs a value}"; shift 2 ;;
        --repetitions) repetitions="${2:?--repetitions needs a value}"; shift 2 ;;
        --warmup) warmup="${2:?--warmup needs a value}"; shift 2 ;;
        --out) out="${2:?--out needs a value}"; shift 2 ;;
        --binary) binary="${2:?--binary needs a value}"; shift 2 ;;
        --scratch-path) scratch="${2:?--scratch-path needs a value}"; shift 2 ;;
        --) shift; extra=("$@"); break ;;
        *) usage >&2; die "unknown option $1" ;;
    esac
done

if [ -z "$max_workers" ]; then
    command -v nproc >/dev/null 2>&1 || die "nproc is missing (coreutils); pass --max-workers"
    max_workers="$(nproc)"
fi
case "$max_workers" in ''|*[!0-9]*|0) die "--max-workers must be a whole number from 1, not '$max_workers'" ;; esac

need_command gnuplot gnuplot-nox
if [ -n "$binary" ]; then
    [ -x "$binary" ] || die "--binary $binary is not an executable file"
else
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
