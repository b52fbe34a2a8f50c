#!/bin/sh
# bench/jail.sh OUTFILE: start-to-exit time of /bin/true in a jail on a
# read-only root (a template directory with the host's /usr bound
# read-only), stasis jail against bubblewrap and systemd-nspawn on the
# same root, in one hyperfine run.  Needs root.
set -eu
out=${1:-/dev/stdout}
: "${STASIS_BUILD:=$(cd "$(dirname "$0")/.." && pwd)/build}"
jail=$STASIS_BUILD/bin/jail
runs=${BENCH_RUNS:-200}

[ "$(id -u)" -eq 0 ] || { echo "bench/jail.sh: needs root" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "needs hyperfine" >&2; exit 1; }

t=$(mktemp -d /tmp/stasis-bench-jail.XXXXXX)
trap 'rm -rf "$t"' EXIT INT TERM
root=$t/root
mkdir -p "$root/usr" "$root/etc" "$root/proc" "$root/dev" "$root/tmp" \
    "$root/run" "$root/sys" "$root/var"
for l in bin sbin lib lib64; do ln -s "usr/$l" "$root/$l"; done
cp /etc/os-release "$root/etc/os-release"	# nspawn wants an OS tree
# The state dir on tmpfs, as /var/run is.
export STASIS_RUNDIR=/run/stasis-bench-$$
trap 'rm -rf "$t" "$STASIS_RUNDIR"' EXIT INT TERM

cmds_stasis="$jail -q -c name=bench$$ path=$root stasis.root=ro 'mount=/usr $root/usr nullfs ro' command=/bin/true"
cmds_bwrap="bwrap --ro-bind $root / --ro-bind /usr /usr --unshare-pid --unshare-ipc --unshare-uts --unshare-cgroup-try /bin/true"
cmds_nspawn="systemd-nspawn -q --register=no --keep-unit --resolv-conf=off --timezone=off -D $root --bind-ro=/usr --read-only /bin/true"

set -- -n "stasis jail" "$cmds_stasis"
command -v bwrap >/dev/null && set -- "$@" -n bwrap "$cmds_bwrap"
command -v systemd-nspawn >/dev/null && set -- "$@" -n systemd-nspawn "$cmds_nspawn"

hyperfine -N -w 10 -r "$runs" --export-json "$t/r.json" "$@" >&2

python3 - "$t/r.json" "$out" "$runs" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
base = next(x for x in r if x["command"] == "stasis jail")
lines = ["## jail: start-to-exit of /bin/true on a read-only root", "",
    "`make bench BENCH=jail` (bench/jail.sh): hyperfine, %s runs each, "
    "same template root (host /usr bound read-only), namespaces: mount, "
    "PID, UTS, IPC, cgroup." % sys.argv[3], "",
    "| tool | mean | median | min | stddev | vs stasis jail |",
    "| --- | --- | --- | --- | --- | --- |"]
for x in r:
    lines.append("| %s | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %.2fx |" % (
        x["command"], x["mean"] * 1e3, x["median"] * 1e3, x["min"] * 1e3,
        x["stddev"] * 1e3, x["mean"] / base["mean"]))
lines += ["", "A ratio above 1 means that tool took longer than stasis jail."]
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
PY
