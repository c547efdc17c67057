#!/usr/bin/env bash
# Compiles the probes in Tests/CompileProbes/ against the Tasklets module and
# checks each one's expectation: `// expect-error: TEXT` on its first line
# means the compiler must refuse it with a diagnostic containing TEXT;
# `// expect-ok` means it must compile. Guards compile-time guarantees that
# no test can check at run time (a `run` body cannot be actor-isolated), and
# that the README's examples (readme-*.swift) are the code that compiles.
# Then checks that every README example is such a probe, and compiles the
# examples of every DocC article.
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

# The Swift blocks of a markdown file, one after another, each followed by a
# line `// end of example`, dedented to its fence. A block right after `<!-- not compiled: WHY -->`
# (a manifest excerpt, say) is left out; `import` lines are dropped.
swift_blocks() {
    awk '
        /^ *```swift *$/ {
            inside = (previous !~ /^<!-- not compiled/)
            indent = index($0, "`") - 1   # examples in lists are indented
            next
        }
        /^ *``` *$/ { if (inside) print "// end of example"; inside = 0; next }
        inside && !/^ *import / { print substr($0, 1, indent) ~ /^ *$/ ? substr($0, indent + 1) : $0 }
        NF { previous = $0 }
    ' "$1"
}

# Every README example is one of the readme-*.swift probes above, word for
# word, so none goes unchecked.
readme_probes=$(cat Tests/CompileProbes/readme-*.swift)
example=""
while IFS= read -r line; do
    if [ "$line" = "// end of example" ]; then
        count=$((count + 1))
        if [[ "$readme_probes" == *"$example"* ]]; then
            echo "ok    README.md example ${example%%$'\n'*} is a probe"
        else
            echo "FAIL  README.md example starting '${example%%$'\n'*}' is in no readme-*.swift probe"
            failures=$((failures + 1))
        fi
        example=""
    else
        example+="${example:+$'\n'}$line"
    fi
done < <(swift_blocks README.md)

# Every DocC article's examples, in order, compile as one program in Swift 6
# mode (a later example may use what an earlier one declares), with no
# unsafe escape.
for article in Sources/Tasklets/Tasklets.docc/*.md; do
    blocks=$(swift_blocks "$article")
    [ -n "$blocks" ] || continue
    count=$((count + 1))
    program=$(mktemp -d)/main.swift
    {
        echo "import Tasklets"
        grep -q '^ *import Foundation' "$article" && echo "import Foundation"
        printf '%s\n' "$blocks"
    } >"$program"
    log=$(mktemp)
    if ! swiftc -swift-version 6 -emit-sil -o /dev/null -I "$bin/Modules" \
        -Xcc -fmodule-map-file="$modulemap" "$program" >"$log" 2>&1; then
        cat "$log"; echo "FAIL  $article: its examples do not compile"; failures=$((failures + 1))
    elif sed 's://.*$::' "$program" | grep -nE 'unsafe|@unchecked'; then
        echo "FAIL  $article: an example uses an unsafe escape"; failures=$((failures + 1))
    else
        echo "ok    $article: its examples compile"
    fi
    rm -rf "$log" "$(dirname "$program")"
done

echo "compile-probes: $((count - failures)) of $count as expected"
[ "$failures" = 0 ]
