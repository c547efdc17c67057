#!/usr/bin/env bash
# Boots a 4-node NUMA guest under QEMU (software emulation) with a Debian
# kernel and a busybox initramfs holding a statically linked tasklets-bench,
# runs `tasklets-bench topology` and a balanced uts run on the pool inside it,
# and asserts what they report. See docs/numa.md.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

usage() {
    cat <<'USAGE'
Usage: scripts/numa-qemu.sh [options]

Boots a QEMU guest (q35, TCG, 8 vCPUs as 4 sockets x 2 cores, 4 NUMA nodes of
256 MiB with 2 CPUs each, distances below), with a Debian kernel and an
initramfs holding busybox, tasklets-bench (built with --static-swift-stdlib),
the C libraries it needs and libnuma.so.1. Inside the guest it runs
  tasklets-bench topology --format json
  TASKLETS_PLACEMENT=compact tasklets-bench run --kernel uts --backend pool
      --workers 8 --repetitions 9 --warmup 0 --statistics
(uts with the default parameters of docs/kernels.md: seed 52, b0 2000,
work 160; about 5 s in the guest, which runs 10-50x slower than the host)
and then asserts, from the serial console output:
  - the guest sees 4 nodes of 2 CPUs each;
  - the node distance matrix equals the one given to QEMU;
  - every worker is pinned on a CPU of its node (the plan, the pool's own
    placements and diagnostics, and each thread's Cpus_allowed_list);
  - node-local memory (libnuma) is available;
  - the uts run succeeds (checksums) and at least 75% of the steals its
    steal search makes stay on the thief's node (search_steals -
    search_steals_other_node >= 0.75 x search_steals; a search blind to
    nodes would keep 1 in 7 there); the steals a waiting
    join makes from its thief go where the stolen half went and are reported
    beside it, not checked.
Ends with `numa-qemu: N passed, M failed`; exits 1 if any check failed,
2 on a setup error.

Node distances given to QEMU (a chain 0-1-2-3, each hop +6):
        0   1   2   3
    0  10  16  22  28
    1  16  10  16  22
    2  22  16  10  16
    3  28  22  16  10

Options:
  --binary PATH        use this tasklets-bench (statically linked Swift
                       stdlib) instead of building one
  --scratch-path DIR   SwiftPM scratch path for the build (default: .build-qemu)
  --cache DIR          downloads, kernel, initramfs, console log
                       (default: .cache/numa-qemu)
  --kernel-package P   Debian kernel package (default: what linux-image-amd64
                       depends on, e.g. linux-image-6.1.0-56-amd64)
  --timeout S          seconds before the guest is killed (default: 180)
  --min-share F        required share of same-node steals (default: 0.75)
  --uts-args "ARGS"    extra uts parameters (default: none; a quicker, noisier
                       tree: "--uts-seed 8 --uts-work 20")
  -h, --help           this help

Needs root on Debian/Ubuntu to install qemu-system-x86, busybox-static and
python3 when missing (otherwise install them first), and a Swift 6.3
toolchain unless --binary is given. The guest needs no KVM.
USAGE
}

scratch=".build-qemu"
cache=""
binary=""
kernel_package=""
guest_timeout=180
min_share=0.75
uts_args=""
while [ $# -gt 0 ]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --binary) need_value "$@"; binary="$2"; shift 2 ;;
        --scratch-path) need_value "$@"; scratch="$2"; shift 2 ;;
        --cache) need_value "$@"; cache="$2"; shift 2 ;;
        --kernel-package) need_value "$@"; kernel_package="$2"; shift 2 ;;
        --timeout) need_value "$@"; guest_timeout="$2"; shift 2 ;;
        --min-share) need_value "$@"; min_share="$2"; shift 2 ;;
        --uts-args) [ $# -ge 2 ] || usage_error "--uts-args needs a value"; uts_args="$2"; shift 2 ;;
        *) usage_error "unknown option $1" ;;
    esac
done
# Setup errors (die) exit 2, failed checks 1.
die() { printf 'numa-qemu.sh: error: %s\n' "$*" >&2; exit 2; }
[[ "$guest_timeout" =~ ^[0-9]+$ ]] || usage_error "--timeout needs a whole number of seconds, not '$guest_timeout'"
[[ "$min_share" =~ ^(0(\.[0-9]+)?|1(\.0+)?)$ ]] || usage_error "--min-share needs a number from 0 to 1, not '$min_share'"
[ -z "$binary" ] || [ -x "$binary" ] || usage_error "--binary $binary is not an executable file"
[ "$(uname -m)" = x86_64 ] || die "this script boots an x86-64 Debian kernel; run it on x86-64"

started=$(date +%s)
cd "$REPO_ROOT"
cache="${cache:-$REPO_ROOT/.cache/numa-qemu}"
mkdir -p "$cache"
cache="$(cd "$cache" && pwd)"

# --- Tools -----------------------------------------------------------------
need_command qemu-system-x86_64 qemu-system-x86
need_command python3 python3
# ldd's output, whatever its exit status (1 for a static executable).
ldd_of() { LC_ALL=C ldd "$1" 2>&1 || true; }
is_static() { [[ "$(ldd_of "$1")" == *"not a dynamic executable"* ]]; }
if ! busybox_path="$(command -v busybox)" || ! is_static "$busybox_path"; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        note "installing busybox-static"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq busybox-static; } >&2 \
            || die "could not install busybox-static; install it and run again"
        busybox_path="$(command -v busybox)" || die "busybox-static is installed but busybox is missing"
    else
        die "a statically linked busybox is needed: install the Debian package busybox-static"
    fi
fi
is_static "$busybox_path" || die "$busybox_path is dynamically linked; install busybox-static"
# Every awk below reads its input to the end: one that exits at its first
# match leaves the writer to die of SIGPIPE, and pipefail fails the script
# (exit 141) once the writer's output outgrows the pipe's buffer.
libnuma="$(ldconfig -p 2>/dev/null | awk '!found && /libnuma\.so\.1 .*x86-64/ { found = 1; print $NF }')"
if [ -z "$libnuma" ]; then
    need_command numactl numactl  # pulls libnuma1 in
    libnuma="$(ldconfig -p | awk '!found && /libnuma\.so\.1 .*x86-64/ { found = 1; print $NF }')"
    [ -n "$libnuma" ] || die "libnuma.so.1 is missing: install the Debian package libnuma1"
fi

# --- Kernel ----------------------------------------------------------------
if [ -z "$kernel_package" ]; then
    kernel_package="$(apt-cache depends linux-image-amd64 2>/dev/null | awk '!found && /Depends: linux-image-/ { found = 1; print $2 }')"
    [ -n "$kernel_package" ] || die "cannot tell which kernel package linux-image-amd64 needs (apt-get update?); pass --kernel-package"
fi
kernel_dir="$cache/$kernel_package"
vmlinuz="$(first_existing "$kernel_dir"/boot/vmlinuz-* || true)"
if [ -z "$vmlinuz" ]; then
    note "downloading $kernel_package into $cache"
    ( cd "$cache" && rm -f "$kernel_package"_*.deb \
        && { apt-get download "$kernel_package" >/dev/null 2>&1 \
            || { apt-get update -qq >&2 && apt-get download "$kernel_package" >&2; }; } ) \
        || die "apt-get download $kernel_package failed"
    deb="$(first_existing "$cache/$kernel_package"_*.deb)" || die "apt-get download left no $kernel_package .deb in $cache"
    rm -rf "$kernel_dir" && dpkg -x "$deb" "$kernel_dir" || die "dpkg -x $deb failed"
    rm -f "$deb"
    vmlinuz="$(first_existing "$kernel_dir"/boot/vmlinuz-*)" || die "no vmlinuz in $kernel_package"
fi
note "kernel: $vmlinuz"

# --- tasklets-bench --------------------------------------------------------
if [ -z "$binary" ]; then
    binary="$(build_release "$scratch" --static-swift-stdlib)"
fi
[ -x "$binary" ] || die "no executable at $binary"
if [[ "$(ldd_of "$binary")" == *libswiftCore* ]]; then
    die "$binary links the Swift runtime dynamically; build it with --static-swift-stdlib"
fi

# --- Initramfs -------------------------------------------------------------
root="$cache/initramfs"
rm -rf "$root"
mkdir -p "$root"/{bin,proc,sys,dev,tmp}
cp "$busybox_path" "$root/bin/busybox"
cp "$binary" "$root/bin/tasklets-bench"
# The libraries ldd lists (glibc, libstdc++, ...), the loader, and libnuma,
# which the pool loads with dlopen (so ldd does not list it).
{
    ldd_of "$binary" | awk '/=> \// { print $3 } /^[ \t]*\/[^ ]+ \(/ { print $1 }'
    echo "$libnuma"
    ldd_of "$libnuma" | awk '/=> \// { print $3 } /^[ \t]*\/[^ ]+ \(/ { print $1 }'
} | sort -u | while read -r library; do
    [ -e "$library" ] || continue
    mkdir -p "$root$(dirname "$library")"
    cp -L "$library" "$root$library"
done
run_line="TASKLETS_PLACEMENT=compact tasklets-bench run --kernel uts --backend pool --workers 8 $uts_args --repetitions 9 --warmup 0 --format csv --quiet --statistics"
cat >"$root/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "@@ guest up: \$(uname -r), \$(nproc) CPUs"
echo "@@ begin topology"
tasklets-bench topology --format json
echo "@@ end topology rc=\$?"
echo "@@ begin run"
start=\$(date +%s)
$run_line 2>&1
echo "@@ end run rc=\$? seconds=\$((\$(date +%s) - start))"
echo "@@ done"
poweroff -f
INIT
chmod +x "$root/init"
initrd="$cache/initramfs.cpio.gz"
(cd "$root" && find . | "$busybox_path" cpio -o -H newc 2>/dev/null | gzip -1 >"$initrd") \
    || die "could not write $initrd"

# --- Boot ------------------------------------------------------------------
distances=("10 16 22 28" "16 10 16 22" "22 16 10 16" "28 22 16 10")
qemu_args=(-machine q35 -accel tcg -cpu max -m 1024M -smp 8,sockets=4,cores=2,threads=1
    -display none -monitor none -serial stdio -no-reboot
    -kernel "$vmlinuz" -initrd "$initrd"
    -append "console=ttyS0 quiet loglevel=1 panic=-1 rdinit=/init")
for node in 0 1 2 3; do
    qemu_args+=(-object "memory-backend-ram,id=m$node,size=256M"
        -numa "node,nodeid=$node,cpus=$((2 * node))-$((2 * node + 1)),memdev=m$node")
done
for from in 0 1 2 3; do
    read -r -a row <<<"${distances[$from]}"
    for to in 0 1 2 3; do
        [ "$from" = "$to" ] || qemu_args+=(-numa "dist,src=$from,dst=$to,val=${row[$to]}")
    done
done
console="$cache/console.log"
note "booting the guest (timeout ${guest_timeout} s); console: $console"
boot_start=$(date +%s)
set +e
timeout "$guest_timeout" qemu-system-x86_64 "${qemu_args[@]}" </dev/null 2>&1 | tr -d '\r' | tee "$console"
qemu_status=${PIPESTATUS[0]}
set -e
boot_seconds=$(($(date +%s) - boot_start))
note "guest: exit status $qemu_status after ${boot_seconds} s"

# --- Checks ----------------------------------------------------------------
set +e
QEMU_STATUS="$qemu_status" DISTANCES="$(printf '%s;' "${distances[@]}")" MIN_SHARE="$min_share" \
    python3 - "$console" <<'PY'
import json, os, re, sys

text = open(sys.argv[1], errors="replace").read()
passed = failed = 0

def check(ok, what, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   - {what}" + (f": {detail}" if detail else ""))
    else:
        failed += 1
        print(f"FAIL - {what}" + (f": {detail}" if detail else ""))

def between(begin, end):
    m = re.search(re.escape(begin) + r"\n(.*?)\n" + re.escape(end) + r" rc=(\d+)", text, re.S)
    return (m.group(1), int(m.group(2))) if m else (None, None)

given = [[int(v) for v in row.split()] for row in os.environ["DISTANCES"].strip(";").split(";")]
min_share = float(os.environ["MIN_SHARE"])
status = int(os.environ["QEMU_STATUS"])
check("@@ done" in text and status == 0, "the guest ran the script and powered off",
      f"qemu exit status {status}" + (" (timed out)" if status == 124 else ""))

body, rc = between("@@ begin topology", "@@ end topology")
topology = None
if body is not None and rc == 0:
    try:
        topology = json.loads(body[body.index("{"):body.rindex("}") + 1])
    except ValueError as error:
        check(False, "tasklets-bench topology printed JSON", str(error))
else:
    check(False, "tasklets-bench topology ran", f"rc={rc}")
if topology is not None:
    nodes = topology["nodes"]
    check([n["id"] for n in nodes] == [0, 1, 2, 3] and all(n["cpus"] == [2 * n["id"], 2 * n["id"] + 1] for n in nodes),
          "4 nodes of 2 CPUs (0-1, 2-3, 4-5, 6-7)",
          "; ".join(f"node {n['id']}: cpus {n['cpus']}" for n in nodes))
    check(topology["distances"] == given, "distance matrix equals the one given to QEMU",
          " / ".join(" ".join(map(str, row)) for row in topology["distances"]))
    node_cpus = {n["id"]: set(n["cpus"]) for n in nodes}
    workers = topology["workers"]
    bad = [w for w in workers if w["cpu"] is None or w["cpu"] not in node_cpus.get(w["node"], set())]
    check(len(workers) == 8 and not bad, f"planned placement ({topology['placement']}): 8 workers, each on a CPU of its node",
          " ".join(f"{w['cpu']}@{w['node']}" for w in workers) + (f"; wrong: {bad}" if bad else ""))
    check(topology["node_local_memory"] is True, "node-local memory available",
          str(topology.get("node_local_memory_unavailable") or "libnuma"))

body, rc = between("@@ begin run", "@@ end run")
check(body is not None and rc == 0, "uts run on the pool succeeded (checksums checked)", f"rc={rc}")
seconds = re.search(r"@@ end run rc=\d+ seconds=(\d+)", text)
stats = None
for line in (body or "").splitlines():
    if '"record":"pool-statistics"' in line:
        try:
            stats = json.loads(line[line.index("{"):])
        except ValueError:
            pass
if stats is None:
    check(False, "pool statistics line printed (--statistics)")
else:
    placements = stats["placements"]
    wrong = [p for p in placements if topology is None or p["cpu"] is None or p["cpu"] not in node_cpus.get(p["node"], set())]
    check(len(placements) == 8 and not wrong and not stats["diagnostics"],
          "the running pool: 8 workers on CPUs of their nodes, no pinning or memory diagnostics",
          "; ".join(stats["diagnostics"]) or " ".join(f"{p['cpu']}@{p['node']}" for p in placements))
    # A spare worker (started when a tasklet runs long, as one may in a slow
    # emulated guest) pins itself to its home worker's CPU, so a CPU may
    # hold more than one pinned thread, but only a worker's CPU.
    expected = sorted(p["cpu"] for p in placements if p["cpu"] is not None)
    pinned = stats["pinned_threads"]
    check(sorted(set(pinned)) == expected and len(pinned) >= len(expected),
          "kernel view: a thread pinned to each worker's CPU and to no other CPU (Cpus_allowed_list)",
          f"single-CPU threads on {pinned}")
    # The search's own steals: those of a waiting join from its thief go
    # wherever the stolen half went (reported, not checked).
    steals = stats["steals"]
    search = stats["search_steals"]
    search_far = stats["search_steals_other_node"]
    share = (search - search_far) / search if search else 0.0
    leap = stats["leapfrog_steals"]
    leap_far = stats["leapfrog_steals_other_node"]
    detail = (f"{search - search_far}/{search} = {share:.1%} of the search's steals (all steals {steals}: same cache "
              f"{stats['steals_same_cache']}, same node {stats['steals_same_node']}, other node "
              f"{stats['steals_other_node']}; of them from a waiting join's thief {leap}, {leap_far} from another "
              f"node; tasklets {stats['tasklets']}, failed steals {stats['failed_steals']}, parks {stats['parks']}, "
              f"wakes {stats['wakes']}, {stats['rounds']} rounds"
              + (f", {seconds.group(1)} s in the guest" if seconds else "") + ")")
    check(search > 0 and share >= min_share, f"at least {min_share:.0%} of the uts steal search's steals stay on "
          "the thief's node", detail)

print(f"numa-qemu: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
result=$?
set -e
note "numa-qemu.sh took $(($(date +%s) - started)) s in all (guest ${boot_seconds} s)"
exit "$result"
