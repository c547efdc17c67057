#!/usr/bin/env bash
# Compiles the probes in Tests/CompileProbes/ against the Tasklets module and
# checks each one's expectation: `// expect-error: TEXT` on its first line
# means the compiler must refuse it with a diagnostic containing TEXT;
# `// expect-ok` means it must compile. Guards compile-time guarantees that
# no test can check at run time (a `run` body cannot be actor-isolated), and
# that the README's examples (readme-*.swift) are the code that compiles.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

usage() {
    cat <<'USAGE'
Usage: scripts/compile-probes.sh [-h|--help]

Builds the package (debug), then compiles each Tests/CompileProbes/*.swift
in Swift 6 mode against the built Tasklets module and checks its first-line
expectation (expect-error: TEXT, or expect-ok). Exits non-zero if any probe
compiles when it must not, fails when it must not, or fails with another
diagnostic than the expected one.
USAGE
}
case "${1:-}" in
    -h|--help) usage; exit 0 ;;
    "") ;;
    *) usage >&2; die "unknown option $1" ;;
esac

cd "$REPO_ROOT"
swift build --product Tasklets >/dev/null 2>&1 || swift build
bin=$(swift build --show-bin-path)
modulemap="$bin/CTaskletsShims.build/module.modulemap"
[ -f "$modulemap" ] || die "no module map at $modulemap: did the build change layout?"

failures=0
count=0
for probe in Tests/CompileProbes/*.swift; do
    count=$((count + 1))
    expectation=$(head -n 1 "$probe")
    log=$(mktemp)
    if swiftc -swift-version 6 -emit-sil -o /dev/null -I "$bin/Modules" \
        -Xcc -fmodule-map-file="$modulemap" "$probe" >"$log" 2>&1; then
        compiled=1
    else
        compiled=0
    fi
    case "$expectation" in
        "// expect-ok")
            if [ "$compiled" = 1 ]; then
                echo "ok    $probe compiles"
            else
                cat "$log"; echo "FAIL  $probe should compile"; failures=$((failures + 1))
            fi ;;
        "// expect-error: "*)
            wanted=${expectation#// expect-error: }
            if [ "$compiled" = 1 ]; then
                echo "FAIL  $probe compiled; expected: $wanted"; failures=$((failures + 1))
            elif grep -qF -- "$wanted" "$log"; then
                echo "ok    $probe refused: $wanted"
            else
                cat "$log"; echo "FAIL  $probe refused, but not with: $wanted"; failures=$((failures + 1))
            fi ;;
        *)
            echo "FAIL  $probe: first line must be '// expect-ok' or '// expect-error: TEXT'"
            failures=$((failures + 1)) ;;
    esac
    rm -f "$log"
    # A readme-*.swift probe is a README example: its code after the import,
    # as it stands or indented as in the README's lists, must appear there
    # word for word, and it must not reach for `unsafe` escapes.
    if [[ "$probe" == */readme-*.swift ]]; then
        example=$(sed '1,/^import Tasklets$/d' "$probe" | sed '/./,$!d')
        indented=$(printf '%s\n' "$example" | sed 's/^\(.\)/  \1/')
        readme=$(cat README.md)
        if [[ "$readme" == *"$example"* || "$readme" == *"$indented"* ]]; then
            echo "ok    $probe is word for word in README.md"
        else
            echo "FAIL  $probe differs from its example in README.md"; failures=$((failures + 1))
        fi
        if sed 's://.*$::' "$probe" | grep -nE 'unsafe|@unchecked'; then
            echo "FAIL  $probe uses an unsafe escape"; failures=$((failures + 1))
        fi
    fi
done
[ "$count" -gt 0 ] || die "no probes found in Tests/CompileProbes"
echo "compile-probes: $((count - failures)) of $count as expected"
[ "$failures" = 0 ]
