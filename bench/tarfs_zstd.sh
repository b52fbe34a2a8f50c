#!/bin/sh
# bench/tarfs_zstd.sh OUTFILE: stasis tarfs vs archivemount on the same
# .tar.zst files, side by side: mount time and random 4 KiB reads (cold
# page cache), for a ~50k-file tree from /usr and for one big file, each
# as a seekable tar.zst (stasis tarfs --compress) and as `tar --zstd`
# output (one frame; stasis uses its saved --index, and once more a
# first mount without it, whose header scan leaves the entry points
# random reads start from: docs/tarfs-zstd.md), and a first mount of
# the same tar as `zstd FILE` writes it (the size in the frame header).
#   BIG_MB (512): size of the big file; READS (300): random reads per
#   run; PEER_SECS (60): time cap for each archivemount read run.
set -eu
out=${1:-/dev/stdout}
: "${STASIS:=stasis}"
BIG_MB=${BIG_MB:-512}
READS=${READS:-300}
PEER_SECS=${PEER_SECS:-60}
command -v archivemount >/dev/null || { echo "no archivemount" >&2; exit 1; }

tmp=$(mktemp -d "/tmp/stasis-bench-zstd.$$.XXXXXX")
mnt="$tmp/mnt"
mkdir "$mnt"
cleanup() {
	umount -l "$mnt" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l | sed 's/^\./0./'; }
cold() { sync; echo 3 >/proc/sys/vm/drop_caches; }

# Random reads: $1 list of "path offset" (relative to the mount), $2 time
# cap in seconds.  Prints "reads seconds".
cat >"$tmp/rr.py" <<'EOF'
import os, sys, time
root, lst, cap = sys.argv[1], sys.argv[2], float(sys.argv[3])
jobs = [l.rsplit(" ", 1) for l in open(lst).read().splitlines()]
n, t0 = 0, time.monotonic()
for p, off in jobs:
    fd = os.open(os.path.join(root, p), os.O_RDONLY)
    b = os.pread(fd, 4096, int(off))
    os.close(fd)
    n += 1
    if time.monotonic() - t0 > cap:
        break
print(n, time.monotonic() - t0)
EOF

# The tree (about 50k files from /usr) and the big file.
echo "bench tarfs_zstd: building archives in $tmp" >&2
tar -cf "$tmp/tree.tar" -C / usr/share/doc usr/include usr/lib/python3.11 \
    usr/share/man usr/share/locale usr/share/perl 2>/dev/null || true
mkdir "$tmp/b"
find /usr/lib /usr/bin -type f -size +100k 2>/dev/null | sort |
    xargs cat 2>/dev/null | head -c $((BIG_MB * 1048576)) >"$tmp/b/big"
tar -cf "$tmp/big.tar" -C "$tmp/b" big
rm -rf "$tmp/b"

# The read lists: random regular files of the tree at random offsets,
# random offsets in the big file.  Fixed seed: every tool reads the same.
python3 - "$tmp" "$READS" "$BIG_MB" <<'EOF'
import random, sys, tarfile
tmp, n, big = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) << 20
r = random.Random(42)
files = [(m.size, m.name) for m in tarfile.open(tmp + "/tree.tar")
    if m.isreg() and m.size > 0 and "\n" not in m.name]
open(tmp + "/files", "w").write("%d\n" % len(files))
with open(tmp + "/tree.list", "w") as f:
    for size, p in r.sample(files, min(n, len(files))):
        f.write("%s %d\n" % (p, r.randrange(0, max(1, int(size) - 4096 + 1))))
with open(tmp + "/big.list", "w") as f:
    for i in range(n):
        f.write("big %d\n" % (r.randrange(0, big - 4096) // 4096 * 4096))
EOF

for a in tree big; do
	"$STASIS" tarfs --compress "$tmp/$a.tar" "$tmp/$a.seek.tar.zst" \
	    2>/dev/null
	# what tar --zstd writes: zstd of a pipe, one frame, no sizes
	zstd -q -c <"$tmp/$a.tar" >"$tmp/$a.one.tar.zst"
	# what an operator does once: the zstd index (one frame only) and
	# tarfs's own index of the tar headers, for both layouts
	# the same bytes under another name: no saved index is found
	cp "$tmp/$a.one.tar.zst" "$tmp/$a.one1.tar.zst"
	# zstd FILE: one frame that states its size
	zstd -q -c "$tmp/$a.tar" >"$tmp/$a.one2.tar.zst"
	"$STASIS" tarfs -q --index "$tmp/$a.one.tar.zst" >/dev/null 2>&1
	"$STASIS" tarfs -q --index "$tmp/$a.seek.tar.zst" >/dev/null 2>&1
done
nfiles=$(cat "$tmp/files")

run() {	# run TOOL ARCHIVE LIST CAP: prints "mount_s reads read_s"
	cold
	t0=$(now)
	case $1 in
	stasis) "$STASIS" tarfs -q "$2" "$mnt" ;;
	archivemount) archivemount -o readonly "$2" "$mnt" >/dev/null ;;
	esac
	while ! mountpoint -q "$mnt"; do sleep 0.01; done
	ls "$mnt" >/dev/null
	t1=$(now)
	cold
	r=$(python3 "$tmp/rr.py" "$mnt" "$3" "$4")
	umount "$mnt"
	echo "$(secs "$t0" "$t1") $r"
}

{
	echo "## tarfs: tar.zst random access (stasis tarfs vs archivemount)"
	echo
	echo "Same .tar.zst files for both; page cache dropped before the"
	echo "mount and before the reads.  \"seekable\": \`stasis tarfs"
	echo "--compress\` (256 KiB frames, level 3); \"one frame\": \`zstd\`"
	echo "of the tar, as \`tar --zstd\` writes it.  stasis mounts after"
	echo "\`stasis tarfs --index\` (saved zstd and tar indexes), and"
	echo "for one frame also on its first mount, no saved index: the"
	echo "header scan decodes the frame once and leaves entry points"
	echo "(archivemount's row for one frame is the same file's): from"
	echo "a pipe (no size in the frame header), and as \`zstd FILE\`"
	echo "writes it (size stated)."
	echo "Tree: $nfiles files from /usr,"
	echo "$(du -m "$tmp/tree.tar" | cut -f1) MiB; big: one ${BIG_MB} MiB file."
	echo "Random reads: $READS x 4 KiB at random offsets (archivemount"
	echo "capped at ${PEER_SECS} s per run)."
	echo
	echo "| archive | zstd layout | size | tool | mount (s) | random 4 KiB reads/s | stasis / archivemount |"
	echo "| --- | --- | --- | --- | --- | --- | --- |"
} >"$out"

for a in tree big; do
	for l in seek one one1 one2; do
		f="$tmp/$a.$l.tar.zst"
		sz=$(du -m "$f" | cut -f1)
		set -- $(run stasis "$f" "$tmp/$a.list" 100000)
		sm=$1; sr=$(echo "$2 / $3" | bc -l)
		if [ $l != one1 ] && [ $l != one2 ]; then
			set -- $(run archivemount "$f" "$tmp/$a.list" \
			    "$PEER_SECS")
			am=$1; ar=$(echo "$2 / $3" | bc -l)
		fi
		case $l in
		seek)	lay=seekable ;;
		one)	lay="one frame, saved index" ;;
		one1)	lay="one frame, first mount (from a pipe, no size)" ;;
		one2)	lay="one frame, first mount (size in the header)" ;;
		esac
		printf '| %s | %s | %s MiB | stasis | %.2f | %.0f | %.0fx reads, %.1fx mount |\n' \
		    "$a" "$lay" "$sz" "$sm" "$sr" "$(echo "$sr / $ar" | bc -l)" \
		    "$(echo "$am / $sm" | bc -l)" >>"$out"
		[ $l = one1 ] || [ $l = one2 ] ||
		printf '| %s | %s | %s MiB | archivemount | %.2f | %.1f | |\n' \
		    "$a" "$lay" "$sz" "$am" "$ar" >>"$out"
		echo "bench tarfs_zstd: $a $l done" >&2
	done
done
