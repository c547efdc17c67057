#!/usr/bin/env bash
# Soak test: 10^8 tasklets on 8 workers (oversubscribed on small machines),
# random mixes of join, scope, spawn, steals and shutdowns, each tasklet
# checked to run exactly once. See Tests/TaskletsTests/SoakTests.swift.
set -euo pipefail

usage() {
    cat <<USAGE
Usage: scripts/soak.sh [--tasklets N] [--sanitize thread|address]

Runs SoakTests with TASKLETS_SOAK_TASKLETS=N (default 100000000) in a
release-optimized test build. --sanitize runs it under a sanitizer instead
(use a smaller N: ThreadSanitizer is ~10x slower).
USAGE
}

tasklets=100000000
sanitize=""
while [ $# -gt 0 ]; do
    case "$1" in
        --tasklets) [ -n "${2-}" ] || { echo "soak.sh: --tasklets needs a number" >&2; exit 2; }; tasklets="$2"; shift 2 ;;
        --sanitize) [ -n "${2-}" ] || { echo "soak.sh: --sanitize needs thread or address" >&2; exit 2; }; sanitize="$2"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "soak.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
done
case "$tasklets" in ''|*[!0-9]*) echo "soak.sh: --tasklets must be a whole number" >&2; exit 2 ;; esac
case "$sanitize" in ''|thread|address) ;; *) echo "soak.sh: --sanitize must be thread or address, not '$sanitize'" >&2; exit 2 ;; esac
command -v swift >/dev/null || { echo "soak.sh: swift is not on PATH (install Swift 6.2+)" >&2; exit 1; }

cd "$(dirname "$0")/.."
flags=(-c release -Xswiftc -enable-testing --scratch-path .build-soak)
[ -n "$sanitize" ] && flags=(--sanitize="$sanitize" --scratch-path ".build-soak-$sanitize")
# The Swift runtime's own false reports (docs/verification.md, "ThreadSanitizer").
if [ "$sanitize" = thread ]; then
    export TSAN_OPTIONS="suppressions=$PWD/Tests/TSanSuppressions.txt${TSAN_OPTIONS:+:$TSAN_OPTIONS}"
fi
echo "soak: $tasklets tasklets on 8 workers${sanitize:+ under the $sanitize sanitizer}"
start=$(date +%s)
TASKLETS_SOAK_TASKLETS="$tasklets" swift test "${flags[@]}" --filter SoakTests
echo "soak: passed in $(( $(date +%s) - start )) s"
