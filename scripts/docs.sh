#!/usr/bin/env bash
# Builds the DocC documentation of the Tasklets library from the catalog in
# Sources/Tasklets/Tasklets.docc and the module's symbol graph, treating every
# DocC warning as an error, and fails if a public symbol has no documentation.
#
# Why docc directly and not `swift package generate-documentation`: that
# command comes from swift-docc-plugin, which only works once Package.swift
# lists the plugin as a package dependency. A dependency of this package is
# resolved, fetched and pinned in the Package.resolved of every client that
# depends on swift-tasklets, even though no client needs it to build; the
# plugin would tie every client to it for the sake of our CI. The toolchain
# already ships docc, and the plugin does no more than this script: emit the
# symbol graph of one target, then run `docc convert` on the catalog.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

usage() {
    cat <<'USAGE'
Usage: scripts/docs.sh [--output DIR] [--hosting-base-path PATH] [-h|--help]

Builds the Tasklets target (debug, in .build-docs/) with its symbol graph,
then runs `docc convert` on Sources/Tasklets/Tasklets.docc with
--warnings-as-errors, and checks with docc's coverage report that every
public symbol has documentation. Exits 0 when the documentation builds
cleanly, 1 on any docc warning or error or an undocumented public symbol,
2 on a usage error.

  --output DIR              where to write the .doccarchive
                            (default: .build-docs/Tasklets.doccarchive)
  --hosting-base-path PATH  the base path of a static web site that will
                            serve the archive (as `docc convert` takes it)

Browse the result with `docc preview Sources/Tasklets/Tasklets.docc
--additional-symbol-graph-dir .build-docs/symbol-graphs`, or serve the
archive's folder with any static web server.
USAGE
}

usage_error() { usage >&2; printf 'docs.sh: error: %s\n' "$*" >&2; exit 2; }

output=""
hosting_base_path=""
while [ $# -gt 0 ]; do
    case "$1" in
        --output) [ $# -ge 2 ] || usage_error "--output needs a directory"; output="$2"; shift 2 ;;
        --hosting-base-path)
            [ $# -ge 2 ] || usage_error "--hosting-base-path needs a path"; hosting_base_path="$2"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) usage_error "unknown argument '$1'" ;;
    esac
done

cd "$REPO_ROOT"
command -v swift >/dev/null 2>&1 || die "swift is missing: install a Swift 6.2 or later toolchain (https://swift.org/install)"
docc_tool="$(command -v docc || true)"
if [ -z "$docc_tool" ]; then
    # Toolchains ship docc next to swift.
    docc_tool="$(dirname "$(readlink -f "$(command -v swift)")")/docc"
    [ -x "$docc_tool" ] || die "docc is missing: it ships with the Swift toolchain (next to swift)"
fi

scratch=.build-docs
graphs="$scratch/symbol-graphs"
output="${output:-$scratch/Tasklets.doccarchive}"
# Kept between runs: the compiler rewrites the graph whenever it rebuilds the
# module, and an up-to-date build does not run it at all.
mkdir -p "$graphs"

build_with_symbol_graph() {
    swift build --target Tasklets --scratch-path "$scratch" \
        -Xswiftc -emit-symbol-graph -Xswiftc -emit-symbol-graph-dir -Xswiftc "$REPO_ROOT/$graphs" \
        -Xswiftc -symbol-graph-minimum-access-level -Xswiftc public \
        -Xswiftc -emit-extension-block-symbols >"$scratch/build.log" 2>&1 \
        || { cat "$scratch/build.log" >&2; die "swift build failed"; }
}
note "building Tasklets with its symbol graph (debug, scratch path $scratch)"
build_with_symbol_graph
if [ ! -f "$graphs/Tasklets.symbols.json" ]; then
    # The build was up to date but the graph is gone: build afresh.
    rm -rf "$scratch"
    mkdir -p "$graphs"
    build_with_symbol_graph
fi
[ -f "$graphs/Tasklets.symbols.json" ] || die "no symbol graph in $graphs: did the compiler's flags change?"

note "converting the catalog (warnings are errors)"
arguments=(
    convert Sources/Tasklets/Tasklets.docc
    --additional-symbol-graph-dir "$graphs"
    --output-dir "$output"
    --fallback-display-name Tasklets
    --fallback-bundle-identifier swift-tasklets.Tasklets
    # Members that come from Swift's protocols (Equatable's !=, AsyncSequence's
    # map) show the standard library's documentation instead of none.
    --enable-inherited-docs
    --warnings-as-errors
    --experimental-documentation-coverage
    --coverage-summary-level brief
)
[ -n "$hosting_base_path" ] && arguments+=(--hosting-base-path "$hosting_base_path")
rm -rf "$output"
summary="$scratch/coverage.txt"
"$docc_tool" "${arguments[@]}" >"$summary" || { cat "$summary"; die "docc reported warnings or errors (above)"; }
cat "$summary"

# The coverage table's rows read: Types | 100% (36/36) | ... The Abstract
# column counts the symbols that have documentation; every one must.
missing=$(awk -F'|' '/^(Types|Members|Globals)/ {
    if (match($2, /\(([0-9]+)\/([0-9]+)\)/)) {
        split(substr($2, RSTART + 1, RLENGTH - 2), n, "/")
        if (n[1] != n[2]) printf "%s: %d of %d public symbols have no documentation\n", $1, n[2] - n[1], n[2]
    }
}' "$summary")
grep -qE '^(Types|Members|Globals)' "$summary" || die "docc printed no coverage summary: did its output change?"
if [ -n "$missing" ]; then
    printf '%s\n' "$missing" >&2
    die "undocumented public symbols: see $output/documentation-coverage.json (entries with \"hasAbstract\": false)"
fi
note "documentation built in $output"
