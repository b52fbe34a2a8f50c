#!/bin/sh
# bench/be.sh OUTFILE: sync-be against a raw `zfs receive` of the same
# stream, in one run, on a file-backed pool under zfs-fuse.  Both read
# the stream from a pipe (as `curl ... | sync-be` does) and from a file.
# BENCH_BE_MB sets the image size in MiB (default 1024); BENCH_BE_DIR
# where the pool's file and the stream live (default /dev/shm when it has
# room: the disk's write-back otherwise dominates the spread of the runs), BENCH_BE_RUNS the runs
# per case (default 7; median and best are reported).
set -eu
out=${1:-/dev/stdout}
: "${STASIS_BUILD:=$(cd "$(dirname "$0")/.." && pwd)/build}"
STASIS=$STASIS_BUILD/stasis
PATH=$STASIS_BUILD/bin:$PATH
MB=${BENCH_BE_MB:-1024}
RUNS=${BENCH_BE_RUNS:-7}
P=stasisbench$$
D=${BENCH_BE_DIR:-}
if [ -z "$D" ]; then
	D=/var/tmp
	shm=$(df -Pm /dev/shm 2>/dev/null | awk 'NR==2{print $4}')
	[ -n "$shm" ] && [ "$shm" -gt $((MB * 4 + 1024)) ] && D=/dev/shm
fi
W=$(mktemp -d $D/stasis-bench-be.XXXXXX)
cleanup_bench() {
	i=0
	while ! zpool destroy -f $P >/dev/null 2>&1 && [ $i -lt 50 ]; do
		zpool list $P >/dev/null 2>&1 || break
		sleep 0.1; i=$((i + 1))
	done
	rm -rf $W $D/$P.img
}
trap cleanup_bench EXIT
trap "exit 130" INT TERM

"$(dirname "$0")/../scripts/zfs-fuse-start" || exit 1

# An image of incompressible files and a realistic small CONF.
mkdir -p $W/tree/usr/lib $W/tree/etc $W/src/etc/rc.conf.d $W/src/root
i=0
while [ $i -lt $((MB / 16)) ]; do
	head -c 16M /dev/urandom >$W/tree/usr/lib/blob$i
	i=$((i + 1))
done
echo image >$W/tree/etc/rc.conf
echo local >$W/src/etc/rc.conf
echo 'sshd_enable="YES"' >$W/src/etc/rc.conf.d/sshd
echo history >$W/src/root/.history
printf '/etc/rc.conf\n/etc/rc.conf.d\n/root\n' >$W/sync.conf
"$STASIS" image zfs -q -o $W/image.zfs $W/tree
rm -rf $W/tree
size=$(stat -c %s $W/image.zfs)

truncate -s $((MB * 3 + 512))M $D/$P.img
zpool create -m none $P $D/$P.img >/dev/null 2>&1
zfs create -o mountpoint=none $P/ROOT
zfs create -o canmount=noauto -o mountpoint=/ $P/ROOT/default
zpool set bootfs=$P/ROOT/default $P
export STASIS_BEROOT=$P/ROOT STASIS_BE_ROOTFS=$P/ROOT/default

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
best() { sort -n | head -1; }

# run KIND MODE N: one timed run; prints seconds
run() {
	t0=$(now)
	case $1-$2 in
	raw-pipe) cat $W/image.zfs | zfs receive $P/ROOT/raw$3 ;;
	raw-file) zfs receive $P/ROOT/raw$3 <$W/image.zfs ;;
	# not -q: the summary line is part of the real run
	sync-pipe) cat $W/image.zfs | sync-be -R $W/src sync$3 $W/sync.conf 2>/dev/null ;;
	sync-file) sync-be -R $W/src sync$3 $W/sync.conf <$W/image.zfs 2>/dev/null ;;
	esac
	t1=$(now)
	echo "$t1 - $t0" | bc -l
	# keep the pool from filling: each run's BE goes before the next
	zfs destroy -r $P/ROOT/raw$3 2>/dev/null || true
	zfs destroy -r $P/ROOT/sync$3 2>/dev/null || true
	zfs inherit freebsd:bootonce $P 2>/dev/null || true
}

res=""
for mode in pipe file; do
	: >$W/raw.$mode; : >$W/sync.$mode
	n=0
	while [ $n -lt $RUNS ]; do
		# interleaved, so drift hits both alike
		run raw $mode $n >>$W/raw.$mode
		run sync $mode $n >>$W/sync.$mode
		n=$((n + 1))
	done
done

mbs() { echo "$size / $1 / 1048576" | bc -l | xargs printf '%.1f'; }
{
	echo "## be: sync-be vs raw zfs receive"
	echo
	echo "A $(echo "$size / 1048576" | bc) MiB full send stream (incompressible"
	echo "files, made by \`stasis image zfs\`) received on a pool backed by a file"
	echo "in $D"
	echo "under zfs-fuse, $RUNS interleaved runs (median and best). sync-be does the"
	echo "whole job: receive under a temporary name, mount, copy 3 local"
	echo "paths, unmount, rename into place, activate for the next boot."
	echo
	echo "| input | | zfs receive | sync-be | sync-be / zfs receive (throughput) |"
	echo "| --- | --- | --- | --- | --- |"
	for mode in pipe file; do
		for stat in median best; do
			r=$($stat <$W/raw.$mode); s=$($stat <$W/sync.$mode)
			ratio=$(echo "$r / $s" | bc -l | xargs printf '%.2f')
			echo "| $mode | $stat | $(printf '%.2f' $r) s ($(mbs $r) MiB/s) | $(printf '%.2f' $s) s ($(mbs $s) MiB/s) | ${ratio}x |"
		done
	done
	echo
	for mode in pipe file; do
		echo "Runs ($mode), seconds: zfs receive $(xargs printf '%.2f ' <$W/raw.$mode| sed 's/ $//');" \
		    "sync-be $(xargs printf '%.2f ' <$W/sync.$mode | sed 's/ $//')."
	done
	echo
	echo "From a pipe, sync-be counts the stream (for its progress bar and"
	echo "summary) as it splices it into a 1 MiB pipe to zfs receive, having"
	echo "grown its input pipe to 1 MiB too; from a file it hands zfs receive"
	echo "the file itself, as the raw case does, and follows the offset. Its fixed cost (about 0.1 s of zfs commands:"
	echo "mount, unmount, rename, activate) is why small streams score lower:"
	echo "try BENCH_BE_MB=64. The machine's load during the run: $(cut -d' ' -f1-3 /proc/loadavg)."
	echo
	echo "Command: \`make bench BENCH=be\` (BENCH_BE_MB=$MB BENCH_BE_RUNS=$RUNS)."
} >"$out"
cat "$out"
