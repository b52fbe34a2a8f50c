#!/bin/sh
# bench/image.sh OUTFILE: `stasis image tar` against GNU tar --sort=name
# and bsdtar writing the same tree, and `stasis image tar -z` against the
# pipeline it replaces (GNU tar | stasis tarfs --compress, then --index)
# and plain `tar --zstd` (not seekable), in one run.  BENCH_IMAGE_TREE is
# the tree (default /usr/share), BENCH_IMAGE_RUNS the runs per case
# (default 3; median and best reported), BENCH_IMAGE_DIR where the
# outputs go (default /var/tmp).  One untimed pass first warms the cache,
# so every case reads the tree from memory.
set -eu
out=${1:-/dev/stdout}
: "${STASIS_BUILD:=$(cd "$(dirname "$0")/.." && pwd)/build}"
STASIS=$STASIS_BUILD/stasis
TREE=${BENCH_IMAGE_TREE:-/usr/share}
RUNS=${BENCH_IMAGE_RUNS:-3}
W=$(mktemp -d "${BENCH_IMAGE_DIR:-/var/tmp}/stasis-bench-image.XXXXXX")
trap 'rm -rf "$W"' EXIT
trap "exit 130" INT TERM

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
best() { sort -n | head -1; }

one() {		# one CASE: write $W/o.$CASE
	case $1 in
	stasis) "$STASIS" image tar -q -o $W/o.stasis "$TREE" ;;
	stdout) "$STASIS" image tar -q "$TREE" >$W/o.stdout ;;
	gnutar) tar -C "$TREE" --sort=name --format=pax --numeric-owner \
	    --one-file-system -cf $W/o.gnutar . ;;
	bsdtar) bsdtar -C "$TREE" --one-file-system -cf $W/o.bsdtar . ;;
	stasisz) "$STASIS" image tar -q -z -o $W/o.stasisz "$TREE" ;;
	gnupipe) tar -C "$TREE" --sort=name --format=pax --numeric-owner \
	    --one-file-system -cf - . | "$STASIS" tarfs --compress --no-embed - \
	    $W/o.gnupipe 2>/dev/null &&
	    "$STASIS" tarfs --index -q $W/o.gnupipe ;;
	tarzstd) tar -C "$TREE" --sort=name --format=pax --numeric-owner \
	    --one-file-system --zstd -cf $W/o.tarzstd . ;;
	esac
}

run() {		# run CASE: RUNS timings, one per line
	i=0
	while [ $i -lt "$RUNS" ]; do
		rm -f $W/o.$1 $W/o.$1.tfidx
		sync
		t0=$(now)
		one $1 >/dev/null 2>&1
		t1=$(now)
		echo "$t1 - $t0" | bc -l
		i=$((i + 1))
	done
}

one stasis >/dev/null 2>&1
files=$(find "$TREE" -xdev | wc -l)
tsize=$(du -sh --apparent-size -x "$TREE" | cut -f1)
{
	echo "## image: a tree as a reproducible tar / seekable tar.zst"
	echo
	echo "\`$TREE\` ($files entries, $tsize), warm cache, outputs on"
	echo "$(df -P $W | awk 'NR==2{print $1}'), $RUNS runs per case."
	echo "Ratio: the case's median over \`stasis image tar\`'s (or -z's)."
	echo
	echo "| case | median s | best s | output | ratio |"
	echo "| --- | ---: | ---: | ---: | ---: |"
} >"$out"
base=
for c in ${BENCH_IMAGE_CASES:-stasis stdout gnutar bsdtar stasisz gnupipe tarzstd}; do
	run $c >$W/t.$c
	m=$(median <$W/t.$c)
	b=$(best <$W/t.$c)
	case $c in stasis | stasisz) base=$m ;; esac
	sz=$(du -h --apparent-size $W/o.$c | cut -f1)
	case $c in
	stasis) name="stasis image tar -o (fsync, rename)" ;;
	stdout) name="stasis image tar > file (no fsync)" ;;
	gnutar) name="tar --sort=name --format=pax -cf" ;;
	bsdtar) name="bsdtar -cf (unsorted)" ;;
	stasisz) name="stasis image tar -z (+ index)" ;;
	gnupipe) name="tar --sort=name \\| tarfs --compress; tarfs --index" ;;
	tarzstd) name="tar --sort=name --zstd (not seekable)" ;;
	esac
	printf '| %s | %.2f | %.2f | %s | %.2f |\n' "$name" $m $b $sz \
	    $(echo "$m / $base" | bc -l) >>"$out"
	rm -f $W/o.$c $W/o.$c.tfidx
done
