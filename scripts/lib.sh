# Shared helpers of the scripts in scripts/ (sourced, not run).
#
# Exit status of every script: 0 done, 1 a failure while running (a build, a
# run, a missing tool that could not be installed), 2 bad usage (an unknown
# option, a missing or malformed value, an unknown kernel or backend). Usage
# is checked before anything is installed, built or run.

die() { printf '%s: error: %s\n' "$(basename "$0")" "$*" >&2; exit 1; }
note() { printf '==> %s\n' "$*" >&2; }

# usage_error MESSAGE: bad usage; exits 2 (see above).
usage_error() {
    printf '%s: error: %s (see %s --help)\n' "$(basename "$0")" "$*" "$0" >&2
    exit 2
}

# need_value OPTION [VALUE]: fails with a usage error unless VALUE is given
# and not empty (`--kernels` at the end of the line).
need_value() { [ $# -ge 2 ] && [ -n "$2" ] || usage_error "$1 needs a value"; }

# The names tasklets-bench accepts (`tasklets-bench list`; a unit test keeps
# these equal to the harness's own lists).
BENCH_KERNELS="fib nqueens uts skew sum wake-latency idle-burn inject spawn-async yield actors pingpong pipeline parked starve blockstorm map stolen-joins"
BENCH_BACKENDS="sequential pool pool-unsupervised dispatch taskgroup naive"

# check_names OPTION KIND LIST VALID: every comma-separated name of LIST must
# be one of the space-separated VALID (or LIST is `all`).
check_names() {
    local option="$1" kind="$2" list="$3" valid="$4" name
    [ "$list" = all ] && return 0
    [ -n "$list" ] || usage_error "$option needs a value"
    case "$list" in ,*|*,|*,,*) usage_error "$option '$list' has an empty name" ;; esac
    for name in ${list//,/ }; do
        case " $valid " in *" $name "*) ;; *) usage_error "unknown $kind '$name' in $option: expected one of ${valid// /, }" ;; esac
    done
}

# check_count OPTION VALUE MIN: VALUE must be a whole number of at least MIN.
check_count() {
    case "$2" in ''|*[!0-9]*) usage_error "$1 must be a whole number from $3, not '$2'" ;; esac
    [ "$2" -ge "$3" ] 2>/dev/null || usage_error "$1 must be a whole number from $3, not '$2'"
}

# first_existing PATH...: prints the first PATH that exists (the first match
# of a glob, without `ls | head`, whose SIGPIPE would fail a pipefail script).
first_existing() {
    local path
    for path in "$@"; do [ -e "$path" ] && { printf '%s\n' "$path"; return 0; }; done
    return 1
}

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$PATH:/opt/swift/usr/bin"

# need_command COMMAND DEBIAN_PACKAGE: installs the package when missing and
# we are root on a Debian-like system; otherwise fails with a clear message.
need_command() {
    local command="$1" package="$2"
    command -v "$command" >/dev/null 2>&1 && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        note "installing $package (for $command)"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package"; } >&2 \
            || die "could not install $package; install it and run again"
        command -v "$command" >/dev/null 2>&1 || die "$package is installed but $command is still missing"
    else
        die "$command is missing: install the Debian package $package (apt-get install $package)"
    fi
}

# build_release SCRATCH_PATH [extra swift build flags...]: builds tasklets-bench
# in release mode and prints the binary's path.
build_release() {
    local scratch="$1"; shift
    command -v swift >/dev/null 2>&1 || die "swift is missing: install a Swift 6.3 toolchain (https://swift.org/install) or pass --binary"
    note "building tasklets-bench (release, scratch path $scratch)"
    (cd "$REPO_ROOT" && swift build -c release --product tasklets-bench --scratch-path "$scratch" "$@" >&2) \
        || die "swift build failed"
    local bin
    bin="$(cd "$REPO_ROOT" && swift build -c release --product tasklets-bench --scratch-path "$scratch" "$@" --show-bin-path)/tasklets-bench"
    [ -x "$bin" ] || die "no tasklets-bench binary at $bin"
    printf '%s\n' "$bin"
}

# executable_path OPTION PATH: PATH made absolute, after checking that it
# names an executable file (a usage error naming OPTION if not).
executable_path() {
    [ -x "$2" ] && [ -f "$2" ] || usage_error "$1 $2 is not an executable file"
    printf '%s\n' "$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
}

# callgrind_binary BINARY WORK: builds the release harness unless BINARY is
# given, and prints the path of a copy of it in WORK without its DWARF
# (valgrind 3.19 cannot read Swift's).
callgrind_binary() {
    local binary="$1" work="$2"
    need_command valgrind valgrind
    need_command strip binutils
    if [ -z "$binary" ]; then
        note "swift build -c release --product tasklets-bench"
        (cd "$REPO_ROOT" && swift build -c release --product tasklets-bench >&2) || die "the release build failed"
        binary="$(cd "$REPO_ROOT" && swift build -c release --show-bin-path)/tasklets-bench"
    fi
    [ -x "$binary" ] || die "the build made no executable at $binary"
    cp "$binary" "$work/tasklets-bench" || die "could not copy $binary"
    strip --strip-debug "$work/tasklets-bench" || die "could not strip the copy of $binary"
    printf '%s\n' "$work/tasklets-bench"
}

# callgrind_setup BINARY: sets `work`, a temporary folder removed on exit,
# and `bench`, callgrind_binary's copy of the harness in it.
callgrind_setup() {
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
    bench="$(callgrind_binary "$1" "$work")"
}

# callgrind_report WORK NAME ANNOTATE_OPTIONS COMMAND...: runs COMMAND under
# callgrind, whose instruction and call counts repeat exactly, and writes
# callgrind_annotate's report (with ANNOTATE_OPTIONS, names demangled) to
# WORK/NAME.txt: "12,345 (1.00%)  ???:name [binary]" lines.
callgrind_report() {
    local work="$1" name="$2" annotate_options="$3"; shift 3
    valgrind --tool=callgrind --callgrind-out-file="$work/$name.out" "$@" \
        > "$work/$name.run" 2> "$work/$name.log" || { cat "$work/$name.log" >&2; die "the run under valgrind failed: $*"; }
    # shellcheck disable=SC2086 # the options are words
    callgrind_annotate --threshold=100 $annotate_options "$work/$name.out" \
        | swift demangle --simplified > "$work/$name.txt"
}

# medians CSV_FILE: prints "kernel,backend,workers,median_ms" for every
# successful configuration of a tasklets-bench CSV file (works with mawk).
medians() {
    tail -n +2 "$1" | awk -F, '$11 == "true" { print $1 "," $2 "," $3 "," $6 }' \
        | sort -t, -k1,1 -k2,2 -k3,3n -k4,4g \
        | awk -F, '
            function flush() {
                if (n == 0) return
                m = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
                print key "," m
            }
            { k = $1 "," $2 "," $3; if (k != key) { flush(); key = k; n = 0 } v[++n] = $4 }
            END { flush() }'
}
