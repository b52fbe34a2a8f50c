#!/bin/sh
# bench/tarfs.sh OUTFILE: stasis tarfs against archivemount, squashfuse
# and the kernel's squashfs (the limit), in one run, on the same trees:
# a ~50k-entry root filesystem (files from this host's /usr) and one
# 1 GiB file, as .tar and seekable .tar.zst (squashfs: the same tree,
# mksquashfs -comp zstd).  Measured cold (page cache dropped): mount
# time (and once more warm, the archive in the page cache), find of the whole tree, reading every file, sequential and
# random 4 KiB reads of the big file, and the daemon's peak memory.
# The tree's first mount twice: of a foreign archive (GNU tar's .tar, a
# .tar.zst from `--compress --no-embed`), whose headers tarfs must read,
# and of the same tree built by stasis, its index embedded (`--index
# --embed`, `--compress`); archivemount mounts both files too.
# Slow peers get a time budget per step; their rate is what they did
# within it.  Inputs are cached in $BENCH_TARFS_DIR between runs.
set -eu
OUT=${1:-/dev/stdout}
: "${STASIS_BUILD:=$(cd "$(dirname "$0")/.." && pwd)/build}"
STASIS=$STASIS_BUILD/stasis
# Mounts are timed as mount(8) runs them, through the mount.tarfs helper
# (the small stasis-tarfs binary; `stasis tarfs` in the full binary has
# a row of its own).
MOUNT_TARFS=$STASIS_BUILD/bin/mount.tarfs
W=${BENCH_TARFS_DIR:-/var/tmp/stasis-bench-tarfs}
BUDGET=${BENCH_TARFS_BUDGET:-45}	# seconds per slow step
NFILES=${BENCH_TARFS_FILES:-50000}
REPEAT=${BENCH_TARFS_REPEAT:-3}	# mounts timed per row: the median is kept
M=$(mktemp -d "/tmp/stasis-bench-tarfs.$$.XXXXXX")
R=$M.results
mkdir -p "$W"
: >"$R"
trap 'set +e; umount -l "$M" 2>/dev/null; rmdir "$M" 2>/dev/null; rm -f "$R"' EXIT

[ "$(id -u)" -eq 0 ] || { echo "bench tarfs: needs root" >&2; exit 1; }
for t in archivemount squashfuse mksquashfs python3 zstd; do
	command -v $t >/dev/null || { echo "bench tarfs: $t missing" >&2; exit 1; }
done
log() { echo "bench tarfs: $*" >&2; }
now() { date +%s.%N; }
${CC:-cc} -O2 -o "$W/timeit" "$(dirname "$0")/timeit.c"
${CC:-cc} -O2 -pthread -o "$W/tar_floor" "$(dirname "$0")/tar_floor.c"
TIMEIT=			# "$W/timeit FILE" while a mount is timed

# --- inputs (cached) ---------------------------------------------------
if [ ! -f "$W/tree.tar" ]; then
	log "building the $NFILES-entry tree tar"
	find /usr/share /usr/include /usr/bin /usr/sbin -xdev 2>/dev/null |
	    head -n "$NFILES" | sed 's|^/||' >"$W/tree.list"
	tar --no-recursion -C / -cf "$W/tree.tar.tmp" -T "$W/tree.list"
	mv "$W/tree.tar.tmp" "$W/tree.tar"
fi
if [ ! -f "$W/big.tar" ]; then
	log "building the 1 GiB file"
	mkdir -p "$W/bigsrc"
	# Host libraries, concatenated: compressible the way binaries are.
	python3 - "$W/bigsrc/big" <<'PY'
import os, sys
want, n = 1 << 30, 0
with open(sys.argv[1], "wb") as out:
    while n < want:
        for d, _, fs in os.walk("/usr/lib"):
            for f in fs:
                p = os.path.join(d, f)
                if os.path.islink(p) or not os.path.isfile(p):
                    continue
                try:
                    b = open(p, "rb").read(want - n)
                except OSError:
                    continue
                out.write(b)
                n += len(b)
                if n >= want:
                    break
            if n >= want:
                break
PY
	tar -C "$W/bigsrc" -cf "$W/big.tar" big
	rm -rf "$W/bigsrc"
fi
for a in tree big; do
	if [ ! -f "$W/$a.tar.zst" ]; then
		log "compressing $a.tar (seekable zstd, no index in it)"
		"$STASIS" tarfs --compress --no-embed "$W/$a.tar" \
		    "$W/$a.tar.zst" >&2
	fi
	if [ ! -f "$W/$a.sqfs" ]; then
		log "mksquashfs $a"
		rm -rf "$W/x"
		mkdir "$W/x"
		tar -C "$W/x" -xf "$W/$a.tar"
		mksquashfs "$W/x" "$W/$a.sqfs" -comp zstd -Xcompression-level 3 \
		    -no-progress -quiet >/dev/null
		rm -rf "$W/x"
	fi
done

# The tree as stasis builds it: the index embedded (rebuilt each run,
# so it is the current build's format).
log "embedding the index: tree-emb.tar, tree-emb.tar.zst"
cp "$W/tree.tar" "$W/tree-emb.tar"
"$STASIS" tarfs --index --embed -q "$W/tree-emb.tar"
"$STASIS" tarfs --compress -q "$W/tree.tar" "$W/tree-emb.tar.zst"

cat >"$W/reader.py" <<'PY'
# reader.py all DIR BUDGET | seq FILE BUDGET | rand FILE BUDGET
import os, random, sys, time
mode, path, budget = sys.argv[1], sys.argv[2], float(sys.argv[3])
t0 = time.monotonic()
n = nbytes = 0
done = True
if mode == "all":
    for d, _, fs in os.walk(path):
        for f in fs:
            p = os.path.join(d, f)
            if os.path.islink(p) or not os.path.isfile(p):
                continue
            # os.open, as cat(1) reads: Python's open() adds an isatty
            # ioctl that FUSE sends to the daemon and squashfs answers
            # in the kernel.
            fd = os.open(p, os.O_RDONLY)
            while True:
                b = os.read(fd, 1 << 20)
                if not b:
                    break
                nbytes += len(b)
            os.close(fd)
            n += 1
            if time.monotonic() - t0 > budget:
                done = False
                break
        if not done:
            break
elif mode == "seq":
    fd = os.open(path, os.O_RDONLY)
    while True:
        b = os.read(fd, 1 << 20)
        if not b:
            break
        nbytes += len(b)
        if time.monotonic() - t0 > budget:
            done = False
            break
else:
    fd = os.open(path, os.O_RDONLY)
    size = os.fstat(fd).st_size
    rnd = random.Random(42)
    while n < 20000:
        off = rnd.randrange(0, size - 4096) & ~4095
        nbytes += len(os.pread(fd, 4096, off))
        n += 1
        if time.monotonic() - t0 > budget:
            done = False
            break
dt = time.monotonic() - t0
print("%d %d %.3f %d" % (n, nbytes, dt, done))
PY

cold() { sync; echo 3 >/proc/sys/vm/drop_caches; }

# pid of the daemon serving $M (its command line names the mount point)
daemon_pid() {
	for p in /proc/[0-9]*; do
		if (tr '\0' ' ' <"$p/cmdline") 2>/dev/null |
		    grep -q " $M\( \|$\)"; then
			echo "${p#/proc/}"
			return
		fi
	done
}

daemon_hwm() {
	_p=$(daemon_pid)
	if [ -n "$_p" ]; then
		awk '/VmHWM/ { print $2 }' "/proc/$_p/status"
	else
		echo 0
	fi
}

# umount, then wait (up to 10 s) for the daemon to exit: one that
# lingers (archivemount freeing its tree) is otherwise taken for the
# next tool's daemon.
unmount() {
	umount "$M"
	_i=0
	while [ $_i -lt 100 ] && [ -n "$(daemon_pid)" ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
}

do_mount() {	# do_mount KIND SOURCE
	case $1 in
	tarfs)	$TIMEIT "$MOUNT_TARFS" -q "$2" "$M" ;;
	stasis)	$TIMEIT "$STASIS" tarfs -q "$2" "$M" ;;
	archivemount) $TIMEIT archivemount -o ro,readonly "$2" "$M" \
	    >/dev/null 2>&1 ;;
	squashfuse) $TIMEIT squashfuse "$2" "$M" ;;
	kernel)	$TIMEIT mount -t squashfs -o loop,ro "$2" "$M" ;;
	esac
}

put() { echo "$1 $2" >>"$R"; }
field() { echo "$res" | cut -d' ' -f"$1"; }

# timed_mount KIND SOURCE KEY cold|warm: mount $REPEAT times, each
# after dropping the page cache (cold) or reading the archive into it
# (warm), and record the median; the last mount stays.
timed_mount() {
	rm -f "$R.t"
	_n=1
	while :; do
		if [ "$4" = cold ]; then cold; else cat "$2" >/dev/null; fi
		TIMEIT="$W/timeit $R.t"
		do_mount "$1" "$2"
		TIMEIT=
		[ $_n -ge "$REPEAT" ] && break
		unmount
		_n=$((_n + 1))
	done
	put "$3" "$(sort -n "$R.t" | awk '{ t[NR] = $1 }
	    END { print t[int((NR + 1) / 2)] }')"
	rm -f "$R.t"
}

# run_tree KIND LABEL SOURCE
run_tree() {
	log "$2: tree"
	timed_mount "$1" "$3" "$2.mount" cold
	cold
	t0=$(now)
	n=$(timeout 300 find "$M" 2>/dev/null | wc -l)
	t1=$(now)
	put "$2.find" "$(awk "BEGIN { print $t1 - $t0 }")"
	put "$2.entries" "$n"
	cold
	res=$(python3 "$W/reader.py" all "$M" "$BUDGET")
	put "$2.all_files" "$(field 1)"
	put "$2.all_bytes" "$(field 2)"
	put "$2.all_secs" "$(field 3)"
	put "$2.all_done" "$(field 4)"
	put "$2.hwm" "$(daemon_hwm)"
	unmount
	# Warm: the archive already in the page cache (as after a first
	# mount, or on a machine with the image in RAM), so what is left is
	# each tool's own work, not the disk's.
	timed_mount "$1" "$3" "$2.warmmount" warm
	unmount
}

# mount_only KIND LABEL SOURCE: the tree's mount, cold and warm.
mount_only() {
	log "$2: mount only"
	timed_mount "$1" "$3" "$2.mount" cold
	unmount
	timed_mount "$1" "$3" "$2.warmmount" warm
	unmount
}

# run_big KIND LABEL SOURCE
run_big() {
	log "$2: 1 GiB file"
	timed_mount "$1" "$3" "$2.bigmount" cold
	# Cold sequential reads swing with the disk's other traffic: the
	# median of $REPEAT whole reads, as for mounts (a tool that did not
	# finish within the budget gets one).
	rm -f "$R.s"
	_n=1
	while :; do
		cold
		res=$(python3 "$W/reader.py" seq "$M/big" "$BUDGET")
		echo "$(field 3) $(field 2)" >>"$R.s"
		[ "$(field 4)" = 1 ] && [ $_n -lt "$REPEAT" ] || break
		_n=$((_n + 1))
	done
	res=$(sort -n "$R.s" | awk '{ l[NR] = $0 } END { print l[int((NR + 1) / 2)] }')
	rm -f "$R.s"
	put "$2.seq_bytes" "$(field 2)"
	put "$2.seq_secs" "$(field 1)"
	cold
	res=$(python3 "$W/reader.py" rand "$M/big" 15)
	put "$2.rand_n" "$(field 1)"
	put "$2.rand_secs" "$(field 3)"
	put "$2.bighwm" "$(daemon_hwm)"
	unmount
}

# idx_mount LABEL KEY SOURCE: cold mount time with a saved index.
idx_mount() {
	log "$1: mount with a saved index"
	"$STASIS" tarfs --index -q "$3" >/dev/null
	timed_mount tarfs "$3" "$1.$2" cold
	unmount
	rm -f "$3.tfidx"
}

# full_mount LABEL SOURCE: the 1 GiB file mounted by `stasis tarfs`, the
# full binary, whose cold start pages in ~6 MiB more than stasis-tarfs.
full_mount() {
	log "$1: 1 GiB file, stasis tarfs"
	timed_mount stasis "$2" "$1.bigfullmount" cold
	unmount
}

# floor: the least a first mount of the foreign archives must cost on
# this machine, whatever the tool.  .tar: reading only the disk pages
# that hold headers, their offsets known in advance, O_DIRECT with a deep
# queue (bench/tar_floor.c); .tar.zst: decoding it (zstd -d, the archive
# in the page cache), split perfectly over every CPU.
floor() {
	log "floor: the foreign archives' headers"
	"$W/tar_floor" "$W/tree.tar" >"$R.f" 2>/dev/null
	put tarfs.floor "$(awk '$1 == "secs" { print $2 }' "$R.f")"
	put tarfs.floor_bytes "$(awk '$1 == "bytes" { print $2 }' "$R.f")"
	rm -f "$R.f"
	cat "$W/tree.tar.zst" >/dev/null
	rm -f "$R.t"
	for _i in 1 2 3; do
		"$W/timeit" "$R.t" sh -c 'exec zstd -qdc "$1" >/dev/null' sh \
		    "$W/tree.tar.zst"
	done
	put tarfs_zst.floor "$(sort -n "$R.t" | head -1 |
	    awk -v n="$(nproc)" '{ print $1 / n }')"
	rm -f "$R.t"
}

# First mounts read the headers: no saved index may be lying around.
rm -f "$W"/*.tfidx
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
run_tree tarfs tarfs "$W/tree.tar"
run_tree tarfs tarfs_zst "$W/tree.tar.zst"
floor
idx_mount tarfs idxmount "$W/tree.tar"
idx_mount tarfs_zst idxmount "$W/tree.tar.zst"
idx_mount tarfs bigidxmount "$W/big.tar"
idx_mount tarfs_zst bigidxmount "$W/big.tar.zst"
mount_only tarfs tarfs_emb "$W/tree-emb.tar"
mount_only tarfs tarfs_zst_emb "$W/tree-emb.tar.zst"
mount_only archivemount am_emb "$W/tree-emb.tar"
mount_only archivemount am_zst_emb "$W/tree-emb.tar.zst"
run_tree archivemount am "$W/tree.tar"
run_tree archivemount am_zst "$W/tree.tar.zst"
run_tree squashfuse sqfuse "$W/tree.sqfs"
run_tree kernel sqkernel "$W/tree.sqfs"
run_big tarfs tarfs "$W/big.tar"
run_big tarfs tarfs_zst "$W/big.tar.zst"
full_mount tarfs "$W/big.tar"
full_mount tarfs_zst "$W/big.tar.zst"
run_big archivemount am "$W/big.tar"
run_big archivemount am_zst "$W/big.tar.zst"
run_big squashfuse sqfuse "$W/big.sqfs"
run_big kernel sqkernel "$W/big.sqfs"

LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
python3 - "$R" "$W" "$BUDGET" "$LOAD0" "$LOAD1" "$(nproc)" "$REPEAT" \
    >"$OUT" <<'PY'
import os, sys
r = {}
for line in open(sys.argv[1]):
    k, v = line.split()
    r[k] = float(v)
W, budget = sys.argv[2], sys.argv[3]
load0, load1, ncpu, repeat = sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7]
cols = [("tarfs", "stasis tarfs .tar"), ("tarfs_zst", "stasis tarfs .tar.zst"),
        ("am", "archivemount .tar"), ("am_zst", "archivemount .tar.zst"),
        ("sqfuse", "squashfuse (zstd)"), ("sqkernel", "kernel squashfs (zstd)")]
def g(c, k):
    return r.get(c + "." + k)
# The stasis-built (index embedded) runs of each column's tool.
emb = {"tarfs": "tarfs_emb", "tarfs_zst": "tarfs_zst_emb",
       "am": "am_emb", "am_zst": "am_zst_emb"}
def ge(c, k):
    return g(emb[c], k) if c in emb else None
def secs(t):
    # Mounts that take milliseconds are shown in them.
    return "%.1f ms" % (t * 1e3) if t < 0.1 else "%.3f s" % t
def mbs(b, s):
    return b / s / 1e6 if s else 0
def cell_all(c):
    f, b, s, d = (g(c, "all_files"), g(c, "all_bytes"), g(c, "all_secs"),
                  g(c, "all_done"))
    t = "%.0f MB/s (%.1f s)" % (mbs(b, s), s)
    if not d:
        t = "%.2f MB/s, %d files in %s s budget" % (mbs(b, s), f, budget)
    return t
rows = [
    ("mount, ~50k-entry tree, foreign archive (headers read)", lambda c: secs(g(c, "mount"))),
    ("mount, tree, foreign archive, warm cache (archive in the page cache)", lambda c: secs(g(c, "warmmount"))),
    ("mount, tree, stasis-built archive (index embedded)", lambda c: secs(ge(c, "mount"))),
    ("mount, tree, stasis-built archive, warm cache", lambda c: secs(ge(c, "warmmount"))),
    ("mount again, saved index (`--index`)", lambda c: secs(g(c, "idxmount"))),
    ("cold find of the tree", lambda c: "%.2f s (%d)" % (g(c, "find"), g(c, "entries"))),
    ("read every file, cold", cell_all),
    ("peak daemon memory (tree)", lambda c: "%.1f MiB" % (g(c, "hwm") / 1024) if g(c, "hwm") else "kernel"),
    ("mount, 1 GiB file", lambda c: secs(g(c, "bigmount"))),
    ("peak daemon memory (1 GiB file, after the reads)", lambda c: "%.1f MiB" % (g(c, "bighwm") / 1024) if g(c, "bighwm") else "kernel"),
    ("mount, 1 GiB file, by `stasis tarfs` (the full binary)", lambda c: secs(g(c, "bigfullmount"))),
    ("mount again, saved index", lambda c: secs(g(c, "bigidxmount"))),
    ("sequential read, cold", lambda c: "%.0f MB/s" % mbs(g(c, "seq_bytes"), g(c, "seq_secs"))),
    ("random 4 KiB reads, cold", lambda c: "%.0f /s" % (g(c, "rand_n") / g(c, "rand_secs"))),
]
print("## tarfs: mounting a tarball\n")
sz = lambda f: os.path.getsize(os.path.join(W, f)) / 2**20
print("Inputs: a %d-entry tree from this host's /usr (tar %.0f MiB, tar.zst "
      "%.0f MiB, squashfs %.0f MiB) and one 1 GiB file of concatenated "
      "/usr/lib binaries (tar.zst %.0f MiB, squashfs %.0f MiB). Page cache "
      "dropped before each step but the warm mount. squashfs images: `mksquashfs -comp zstd "
      "-Xcompression-level 3`; tar.zst: `stasis tarfs --compress --no-embed` "
      "(seekable zstd, level 3). Slow steps stop after %s s.\n" % (
      g("tarfs", "entries") - 1, sz("tree.tar"), sz("tree.tar.zst"),
      sz("tree.sqfs"), sz("big.tar.zst"), sz("big.sqfs"), budget))
print("Each mount time is the median of %s mounts, each after the page cache "
      "was dropped (or, warm, the archive read into it), timed by "
      "bench/timeit.c. stasis tarfs is timed as `mount -t tarfs` runs it, "
      "`mount.tarfs ARCHIVE DIR`: the stasis-tarfs binary (0.5 MiB), which "
      "a cold start reads whole; the full `stasis` binary, 8 MiB, has a row "
      "of its own. A cold sequential read of the 1 GiB file is likewise the "
      "median of %s whole reads (one for a tool that does not finish within "
      "the budget).\n" % (repeat, repeat))
print("Foreign archive: the tree as GNU tar writes it (tree.tar) and "
      "`stasis tarfs --compress --no-embed` of it (tree.tar.zst), so tarfs "
      "reads every header on the first mount. Stasis-built archive: the "
      "same files with the tarfs index embedded (tree-emb.tar: `stasis "
      "tarfs --index --embed`, %.1f MiB more; tree-emb.tar.zst: `stasis "
      "tarfs --compress`, %.1f MiB more), as `stasis image tar -o` and "
      "`--compress` write them; archivemount mounts those files too, in "
      "its own columns. The other rows use the foreign archives.\n" % (
      sz("tree-emb.tar") - sz("tree.tar"),
      sz("tree-emb.tar.zst") - sz("tree.tar.zst")))
print("Load average (1, 5, 15 min) on this %s-CPU machine: %s at the start, "
      "%s at the end; other work running beside the benchmark makes cold "
      "I/O numbers vary by 2x from run to run.\n" % (ncpu, load0, load1))
print("| | " + " | ".join(n for _, n in cols) + " |")
print("|---" * (len(cols) + 1) + "|")
for name, f in rows:
    cells = []
    for c, _ in cols:
        try:
            cells.append(f(c))
        except (TypeError, ZeroDivisionError):
            cells.append("n/a")
    print("| %s | %s |" % (name, " | ".join(cells)))
def ratio(a, b):
    # Two decimals below 1, so that 0.76 is not shown as a met 0.8.
    if not a or not b:
        return "n/a"
    return ("%.2fx" if a / b < 1 else "%.1fx") % (a / b)
allrate = lambda c: mbs(g(c, "all_bytes"), g(c, "all_secs"))
seq = lambda c: mbs(g(c, "seq_bytes"), g(c, "seq_secs"))
rnd = lambda c: g(c, "rand_n") / g(c, "rand_secs")
print("\nRatios (targets from issue 3 in brackets):\n")
print("- mount, tree, stasis-built archive (index embedded): archivemount / tarfs = %s (.tar), %s (.tar.zst) [>= 10x]" % (
    ratio(g("am_emb", "mount"), g("tarfs_emb", "mount")),
    ratio(g("am_zst_emb", "mount"), g("tarfs_zst_emb", "mount"))))
print("- mount, tree, stasis-built archive, warm cache: archivemount / tarfs = %s (.tar), %s (.tar.zst) [>= 10x]" % (
    ratio(g("am_emb", "warmmount"), g("tarfs_emb", "warmmount")),
    ratio(g("am_zst_emb", "warmmount"), g("tarfs_zst_emb", "warmmount"))))
print("- mount, tree, foreign archive (headers read): archivemount / tarfs = %s (.tar), %s (.tar.zst) [>= 10x]" % (
    ratio(g("am", "mount"), g("tarfs", "mount")),
    ratio(g("am_zst", "mount"), g("tarfs_zst", "mount"))))
print("- mount, tree, foreign archive: the floor, what any tool must spend "
      "here (.tar: reading only the %.0f MiB of disk pages that hold headers, "
      "their offsets known in advance, O_DIRECT, up to 64 reads in flight: "
      "bench/tar_floor.c; .tar.zst: `zstd -d` of the archive in the page "
      "cache divided by %s CPUs) = %s (.tar), %s (.tar.zst); the most any "
      "tool could be faster than archivemount here, archivemount / floor = "
      "%s (.tar), %s (.tar.zst)" % (
    (g("tarfs", "floor_bytes") or 0) / 2**20, ncpu,
    secs(g("tarfs", "floor")), secs(g("tarfs_zst", "floor")),
    ratio(g("am", "mount"), g("tarfs", "floor")),
    ratio(g("am_zst", "mount"), g("tarfs_zst", "floor"))))
print("- mount, tree, foreign archive, warm cache: archivemount / tarfs = %s (.tar), %s (.tar.zst) [>= 10x]" % (
    ratio(g("am", "warmmount"), g("tarfs", "warmmount")),
    ratio(g("am_zst", "warmmount"), g("tarfs_zst", "warmmount"))))
print("- mount, tree, saved index: archivemount / tarfs = %s (.tar), %s (.tar.zst) [>= 10x]" % (
    ratio(g("am", "mount"), g("tarfs", "idxmount")),
    ratio(g("am_zst", "mount"), g("tarfs_zst", "idxmount"))))
print("- mount, 1 GiB file: archivemount / tarfs = %s (.tar), %s (.tar.zst) [>= 10x]; by `stasis tarfs`: %s, %s" % (
    ratio(g("am", "bigmount"), g("tarfs", "bigmount")),
    ratio(g("am_zst", "bigmount"), g("tarfs_zst", "bigmount")),
    ratio(g("am", "bigmount"), g("tarfs", "bigfullmount")),
    ratio(g("am_zst", "bigmount"), g("tarfs_zst", "bigfullmount"))))
print("- sequential read, 1 GiB: tarfs / kernel squashfs = %s (.tar), %s (.tar.zst) [>= 0.8x]" % (
    ratio(seq("tarfs"), seq("sqkernel")), ratio(seq("tarfs_zst"), seq("sqkernel"))))
print("- read every file: tarfs / kernel squashfs = %s (.tar), %s (.tar.zst)" % (
    ratio(allrate("tarfs"), allrate("sqkernel")), ratio(allrate("tarfs_zst"), allrate("sqkernel"))))
print("- random 4 KiB reads: tarfs / archivemount = %s (.tar), %s (.tar.zst) [>= 10x for .tar.zst]" % (
    ratio(rnd("tarfs"), rnd("am")), ratio(rnd("tarfs_zst"), rnd("am_zst"))))
print("- random 4 KiB reads: tarfs / squashfuse = %s (.tar.zst)" % ratio(rnd("tarfs_zst"), rnd("sqfuse")))
PY
log "wrote $OUT"
exit 0
