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
# The state dir on a tmpfs, as /var/run is on Debian (this matters where
# / is ext4 mounted with discard: removing a directory there waits for a
# discard I/O).
mkdir -p "$t/run"
mount -t tmpfs -o size=16m stasis-bench "$t/run"
export STASIS_RUNDIR=$t/run
trap 'umount "$t/run"; rm -rf "$t"' EXIT INT TERM

# ip4=inherit: the host's network, as bwrap and nspawn keep it here (a
# jail's own network namespace would cost ~0.4 ms more).
cmds_stasis="$jail -q -c name=bench$$ path=$root stasis.root=ro ip4=inherit 'mount=/usr $root/usr nullfs ro' command=/bin/true"
cmds_bwrap="bwrap --ro-bind $root / --ro-bind /usr /usr --unshare-pid --unshare-ipc --unshare-uts --unshare-cgroup-try /bin/true"
cmds_nspawn="systemd-nspawn -q --register=no --keep-unit --resolv-conf=off --timezone=off -D $root --bind-ro=/usr --read-only /bin/true"

set -- -n "stasis jail" "$cmds_stasis"
command -v bwrap >/dev/null && set -- "$@" -n bwrap "$cmds_bwrap"
command -v systemd-nspawn >/dev/null && set -- "$@" -n systemd-nspawn "$cmds_nspawn"

load=$(cut -d' ' -f1-3 /proc/loadavg)
# Rounds, each running every tool in turn, so that the machine's load,
# which drifts, falls on all of them alike.
rounds=10
per=$(( (runs + rounds - 1) / rounds ))
i=0
while [ $i -lt $rounds ]; do
	hyperfine -N -w 3 -r "$per" --export-json "$t/r$i.json" "$@" >/dev/null
	i=$((i + 1))
done

python3 - "$t" "$out" "$((per * rounds))" "$load" "$(nproc)" "$rounds" <<'PY'
import glob, json, statistics, sys
times = {}
for f in sorted(glob.glob(sys.argv[1] + "/r*.json")):
    for x in json.load(open(f))["results"]:
        times.setdefault(x["command"], []).extend(x["times"])
res = {k: {"mean": statistics.mean(v), "median": statistics.median(v),
           "min": min(v), "stddev": statistics.pstdev(v)}
       for k, v in times.items()}
base = res["stasis jail"]
lines = ["## jail: start-to-exit of /bin/true on a read-only root", "",
    "`make bench BENCH=jail` (bench/jail.sh): hyperfine, %s runs of each "
    "in %s interleaved rounds, same template root (host /usr bound "
    "read-only), namespaces: mount, PID, UTS, IPC, cgroup." % (sys.argv[3],
    sys.argv[6]), "",
    "| tool | mean | median | min | stddev | mean vs stasis jail | median vs stasis jail |",
    "| --- | --- | --- | --- | --- | --- | --- |"]
for k in ["stasis jail", "bwrap", "systemd-nspawn"]:
    if k not in res:
        continue
    x = res[k]
    lines.append("| %s | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %.2fx | %.2fx |" % (
        k, x["mean"] * 1e3, x["median"] * 1e3, x["min"] * 1e3,
        x["stddev"] * 1e3, x["mean"] / base["mean"],
        x["median"] / base["median"]))
lines += ["", "A ratio above 1 means that tool took longer than stasis jail. "
    "Load average when the run began: %s on %s CPUs (other work on the "
    "machine widens the spread; compare the minimums too)." % (sys.argv[4],
    sys.argv[5])]
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
PY
