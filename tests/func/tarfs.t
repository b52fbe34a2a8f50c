#!/bin/sh
# stasis tarfs: archives written by GNU tar, bsdtar and Python's tarfile,
# in every format they write, mounted and compared entry by entry with
# tar -x of the same archive (type, mode, owner, mtime, size, sha256,
# link target, device numbers, link count, hardlink inode equality).
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/lib/tarfs.sh"
need_root
[ -c /dev/fuse ] || skip_all "no /dev/fuse"
for t in bsdtar python3 tar; do
	command -v $t >/dev/null || skip_all "$t missing"
done

TMPD=$(mktemp -d "/tmp/stasis-tarfs.$$.XXXXXX")
cleanup "rm -rf '$TMPD'"

# The tree every tool archives.  basic: what ustar can hold; full adds
# long names, big owners, old and sub-second times, sparse files.
make_tree() {
	d=$1
	mkdir -p "$d/etc" "$d/bin" "$d/tmp" "$d/dev" "$d/private" "$d/ro"
	echo "hello" >"$d/etc/hello.txt"
	: >"$d/etc/empty"
	head -c 1500000 /dev/urandom >"$d/bin/blob"
	printf '#!/bin/sh\necho hi\n' >"$d/bin/tool"
	chmod 4755 "$d/bin/tool"
	ln "$d/etc/hello.txt" "$d/etc/hard1"
	ln "$d/etc/hello.txt" "$d/bin/hard2"
	ln -s ../etc/hello.txt "$d/bin/link"
	ln -s /nowhere/at/all "$d/bin/dangling"
	mkfifo "$d/dev/fifo"
	mknod "$d/dev/null" c 1 3
	mknod "$d/dev/loop99" b 7 99
	chmod 1777 "$d/tmp"
	chmod 0700 "$d/private"
	echo secret >"$d/private/key"
	chmod 0600 "$d/private/key"
	chown 1234:5678 "$d/private" "$d/private/key"
	echo "with space" >"$d/etc/a name with spaces"
	chmod 0555 "$d/ro"
	touch -d '2001-02-03 04:05:06' "$d/etc/hello.txt"
	[ "$2" = full ] || return 0
	long=$(printf 'x%.0s' $(seq 1 150))
	mkdir -p "$d/deep/$long/$long"
	echo long >"$d/deep/$long/$long/file-with-a-long-name-$long"
	ln -s "../../target/$long/$long/$long" "$d/deep/longlink"
	echo "utf8" >"$d/etc/héllo wörld ✓.txt"
	echo big >"$d/etc/bigowner"
	chown 3000000:3000001 "$d/etc/bigowner"
	echo old >"$d/etc/old"
	touch -d '1950-06-01 12:00:00' "$d/etc/old"
	echo frac >"$d/etc/frac"
	touch -d '2023-09-17 10:11:12.123456789' "$d/etc/frac"
	truncate -s 20M "$d/bin/sparse"
	printf 'start' | dd of="$d/bin/sparse" conv=notrunc 2>/dev/null
	printf 'middle' | dd of="$d/bin/sparse" bs=1 seek=7340032 \
	    conv=notrunc 2>/dev/null
	printf 'end' | dd of="$d/bin/sparse" bs=1 seek=20971517 \
	    conv=notrunc 2>/dev/null
	truncate -s 3M "$d/bin/allhole"
	# Directory times last: the files above touched them.
	find "$d" -type d -exec touch -h -d '2020-01-02 03:04:05.5' {} +
}

make_tree "$TMPD/basic" basic
make_tree "$TMPD/full" full
A=$TMPD/a
mkdir "$A"

# GNU tar
tar --format=gnu --sparse -cf "$A/gnu.tar" -C "$TMPD/full" .
tar --format=posix --sparse --sparse-version=0.0 -cf "$A/gnu-pax-s00.tar" \
    -C "$TMPD/full" .
tar --format=posix --sparse --sparse-version=0.1 -cf "$A/gnu-pax-s01.tar" \
    -C "$TMPD/full" .
tar --format=posix --sparse --sparse-version=1.0 -cf "$A/gnu-pax-s10.tar" \
    -C "$TMPD/full" .
tar --format=ustar -cf "$A/gnu-ustar.tar" -C "$TMPD/basic" .
(cd "$TMPD/full" && tar --format=posix -cf "$A/gnu-nodot.tar" *)
tar --format=oldgnu -cf "$A/gnu-oldgnu.tar" -C "$TMPD/basic" .
# bsdtar (libarchive)
bsdtar --format pax -cf "$A/bsd-pax.tar" -C "$TMPD/full" .
bsdtar --format ustar -cf "$A/bsd-ustar.tar" -C "$TMPD/basic" .
bsdtar --format gnutar -cf "$A/bsd-gnutar.tar" -C "$TMPD/basic" .
# Python's tarfile
for f in PAX GNU USTAR; do
	src=full
	[ $f = USTAR ] && src=basic
	python3 - "$TMPD/$src" "$A/py-$f.tar" $f <<'PY'
import os, sys, tarfile
src, out, fmt = sys.argv[1:]
with tarfile.open(out, "w", format=getattr(tarfile, fmt + "_FORMAT")) as t:
    t.add(src, arcname=".")
PY
done

for a in "$A"/*.tar; do
	case $a in
	*/bsd-*) tarfs_compare "$(basename "$a")" "$a" bsdtar ;;
	*) tarfs_compare "$(basename "$a")" "$a" ;;
	esac
done

# Python: what only a hand-made archive has: sub-second mtimes as pax
# floats, a global header, duplicates (the later wins, as with tar -x),
# entries replaced by other types, names without any directory entry.
#
# And duplicates tar -x will not apply: a non-directory over a directory
# that has entries (kept, "Directory not empty"), and entries under a
# file or a symlink (skipped: neither tar goes through them); an empty
# directory is replaced.  GNU tar follows a relative symlink to a
# directory, so that case is checked against bsdtar alone.
python3 - "$A/py-crafted.tar" "$A/py-dups.tar" "$A/py-dups-rel.tar" <<'PY'
import io, sys, tarfile
def add(t, name, data=None, **kw):
    ti = tarfile.TarInfo(name)
    for k, v in kw.items():
        setattr(ti, k, v)
    if data is not None:
        ti.size = len(data)
        t.addfile(ti, io.BytesIO(data))
    else:
        t.addfile(ti)
with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT,
                  pax_headers={"comment": "a global header"}) as t:
    add(t, "d", type=tarfile.DIRTYPE, mode=0o755, mtime=1000)
    add(t, "d/f", b"first", mode=0o644, mtime=1700000000.25)
    add(t, "d/f", b"second, longer", mode=0o600, mtime=1700000001.75)
    add(t, "d/s", b"a file", mode=0o644, mtime=5)
    add(t, "d/s", type=tarfile.SYMTYPE, linkname="f", mtime=6)
    add(t, "d/l", type=tarfile.SYMTYPE, linkname="f", mtime=7)
    add(t, "d/l", b"now a file", mode=0o640, mtime=8, uid=7, gid=8)
    add(t, "d", type=tarfile.DIRTYPE, mode=0o750, mtime=1000, uid=9)
    add(t, "./d/./h", type=tarfile.LNKTYPE, linkname="d/f", mtime=9)
    add(t, "d/big", b"x", mode=0o644, uid=5000000, gid=6000000,
        mtime=1500000000.123456)
def dup(t, name, data=None, **kw):
    add(t, name, data, mtime=1700000000, **kw)
D, S = tarfile.DIRTYPE, tarfile.SYMTYPE
with tarfile.open(sys.argv[2], "w", format=tarfile.PAX_FORMAT) as t:
    dup(t, "full", type=D, mode=0o755)
    dup(t, "full/kid", b"kept", mode=0o644)
    dup(t, "full", b"not applied", mode=0o644)
    dup(t, "full", type=S, linkname="nowhere")
    dup(t, "empty", type=D, mode=0o755)
    dup(t, "empty", b"replaces the empty directory", mode=0o644)
    dup(t, "file", b"a file", mode=0o644)
    dup(t, "file/under", b"not applied", mode=0o644)
    dup(t, "abs", type=S, linkname="/etc")
    dup(t, "abs/passwd", b"not applied", mode=0o644)
    dup(t, "dotdot", type=S, linkname="../..")
    dup(t, "dotdot/x", b"not applied", mode=0o644)
with tarfile.open(sys.argv[3], "w", format=tarfile.PAX_FORMAT) as t:
    dup(t, "real", type=D, mode=0o755)
    dup(t, "rel", type=S, linkname="real")
    dup(t, "rel/f", b"not applied", mode=0o644)
PY
tarfs_compare "py-crafted.tar" "$A/py-crafted.tar" bsdtar
tarfs_compare "duplicates tar -x refuses" "$A/py-dups.tar"
tarfs_compare "duplicates tar -x refuses" "$A/py-dups.tar" bsdtar
tarfs_compare "an entry through a relative symlink" "$A/py-dups-rel.tar" bsdtar
like "$("$STASIS" tarfs --check "$A/py-dups.tar" 2>&1)" \
    "full: at offset [0-9]+: would replace a directory that is not empty, skipped" \
    "says which entry it skipped, and where"

# The same archives compressed: seekable (ours) and plain zstd(1).
"$STASIS" tarfs --compress -F 256k "$A/gnu-pax-s10.tar" "$A/seekable.tar.zst" \
    >/dev/null 2>&1
zstd -q -T2 "$A/gnu.tar" -o "$A/plain.tar.zst"
"$STASIS" tarfs --compress --no-embed -F 256k "$A/gnu-pax-s10.tar" \
    "$A/seekable-ne.tar.zst" >/dev/null 2>&1
tarfs_compare "seekable tar.zst" "$A/seekable.tar.zst"
tarfs_compare "seekable tar.zst, no index in it" "$A/seekable-ne.tar.zst"
tarfs_compare "zstd(1) tar.zst" "$A/plain.tar.zst"

# A saved index (--index): a remount reads it instead of the headers,
# gives the same tree, and is ignored once the archive changes.
for a in gnu-pax-s10.tar seekable-ne.tar.zst; do
	cp "$A/$a" "$TMPD/idx-$a"
	run_ok "$a: --index" -- "$STASIS" tarfs --index "$TMPD/idx-$a"
	like "$("$STASIS" tarfs --check "$TMPD/idx-$a")" "from the saved index" \
	    "$a: the next open uses it"
	tarfs_compare "$a from its saved index" "$TMPD/idx-$a"
done
touch -d '2001-01-01' "$TMPD/idx-gnu-pax-s10.tar"
OUT=$("$STASIS" tarfs --check "$TMPD/idx-gnu-pax-s10.tar" 2>&1)
like "$OUT" "index is stale.*reading the archive instead" \
    "a changed archive: the index is ignored, with a warning"
printf 'junk' >"$TMPD/idx-gnu-pax-s10.tar.tfidx"
like "$("$STASIS" tarfs --check "$TMPD/idx-gnu-pax-s10.tar" 2>&1)" \
    "not a tarfs index.*reading the archive instead" "a damaged index too"

# Sizes past ustar's 8 GiB: pax "size=" and GNU base-256, in archives
# whose data is a hole (the archive file is sparse, so no 9 GiB is
# written), read at both ends through the mount.
python3 - "$TMPD" <<'PY'
import os, sys, tarfile
for fmt, name in ((tarfile.PAX_FORMAT, "huge-pax.tar"),
                  (tarfile.GNU_FORMAT, "huge-gnu.tar")):
    ti = tarfile.TarInfo("huge")
    ti.size = 9 * 2**30 + 5
    ti.mtime = 1700000000
    ti.mode = 0o644
    with open(os.path.join(sys.argv[1], name), "wb") as f:
        f.write(ti.tobuf(fmt))
        at = f.tell()
        f.write(b"head!")
        f.seek(at + ti.size - 5)
        f.write(b"tail!")
        f.write(b"\0" * (-ti.size % 512 + 1024))
PY
for a in huge-pax.tar huge-gnu.tar; do
	M=$TMPD/m-$a
	mkdir "$M"
	if tarfs_mount "$TMPD/$a" "$M"; then
		is "$(stat -c %s "$M/huge")" 9663676421 "$a: a 9 GiB size"
		is "$(head -c 5 "$M/huge")$(tail -c 5 "$M/huge")" "head!tail!" \
		    "$a: its first and last bytes"
		is "$(dd if="$M/huge" bs=4096 skip=1000000 count=1 2>/dev/null |
		    tr -d '\0' | wc -c)" 0 "$a: a hole in the middle reads zeros"
		tarfs_umount "$M"
	else
		ok 1 "$a: mounts"
	fi
done
like "$(tar -tvf "$TMPD/huge-gnu.tar")" " 9663676421 " \
    "GNU tar reads the same size"

# The kernel's page cache is kept (keep_cache): a file read twice reaches
# the daemon once; reads are large (the 128 KiB FUSE default raised);
# the loop runs several threads.  Seen in the FUSE debug log (-d).
mkdir -p "$TMPD/kc/src" "$TMPD/kc/m"
head -c 4194304 /dev/urandom >"$TMPD/kc/src/f"
tar -C "$TMPD/kc/src" -cf "$TMPD/kc/a.tar" f
"$STASIS" tarfs -d "$TMPD/kc/a.tar" "$TMPD/kc/m" 2>"$TMPD/kc/log" &
kcpid=$!
cleanup "umount -l '$TMPD/kc/m' 2>/dev/null"
wait_for mountpoint -q "$TMPD/kc/m"
cat "$TMPD/kc/m/f" >/dev/null
cat "$TMPD/kc/m/f" >/dev/null
cat "$TMPD/kc/m/f" "$TMPD/kc/m/f" "$TMPD/kc/m/f" >/dev/null &
cat "$TMPD/kc/m/f" >/dev/null
wait $!
nthr=$(ls "/proc/$kcpid/task" | wc -l)
umount "$TMPD/kc/m"
wait $kcpid
# "unique: N, success, outsize: BYTES" answers each READ
awk '/opcode: READ /{ r[$2] = 1 } /success, outsize:/ && r[$2] {
	n += $5 - 16; if ($5 - 16 > big) big = $5 - 16 }
	END { print n + 0, big + 0 }' "$TMPD/kc/log" >"$TMPD/kc/sum"
read -r kbytes kbig <"$TMPD/kc/sum"
is "$kbytes" 4194304 "read six times, the file reached the daemon once (keep_cache)"
ok $((kbig <= 131072)) "reads larger than FUSE's 128 KiB default ($kbig bytes)"
ok $((nthr < 2)) "the FUSE loop runs several threads ($nthr)"

# -o saveindex: the first mount saves it; an archive in a read-only
# directory gets its index in the cache dir.
export XDG_CACHE_HOME="$TMPD/cache"
cp "$A/gnu.tar" "$TMPD/save.tar"
M=$TMPD/msave
mkdir "$M"
tarfs_mount "$TMPD/save.tar" "$M" -o saveindex
ok $? "mount -o saveindex"
tarfs_umount "$M"
ok "$([ -s "$TMPD/save.tar.tfidx" ]; echo $?)" "saved beside the archive"
mkdir "$TMPD/rodir"
cp "$A/gnu.tar" "$A/plain.tar.zst" "$TMPD/rodir/"
mount --bind "$TMPD/rodir" "$TMPD/rodir" && cleanup "umount -l '$TMPD/rodir'"
mount -o remount,bind,ro "$TMPD/rodir"
like "$("$STASIS" tarfs --index "$TMPD/rodir/gnu.tar")" \
    "wrote the tarfs index $TMPD/cache/stasis/tarfs/.*\.tfidx" \
    "read-only archive dir: the index goes to the cache dir"
like "$("$STASIS" tarfs --check "$TMPD/rodir/gnu.tar")" "from the saved index" \
    "and is found there"
like "$("$STASIS" tarfs --index "$TMPD/rodir/plain.tar.zst")" \
    "wrote index $TMPD/cache/stasis/tarfs/.*\.zidx" \
    "a zstd(1) tar.zst in a read-only dir: its zstd index in the cache dir"
like "$("$STASIS" tarfs --check -v "$TMPD/rodir/plain.tar.zst" 2>&1)" \
    "index from $TMPD/cache/stasis/tarfs/.*\.zidx" "and used from there"
umount "$TMPD/rodir"

python3 - "$A/implied.tar" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w", format=tarfile.USTAR_FORMAT) as t:
    ti = tarfile.TarInfo("a/b/c/file")
    ti.size = 3
    t.addfile(ti, io.BytesIO(b"abc"))
PY
M=$TMPD/implied
mkdir "$M"
tarfs_mount "$A/implied.tar" "$M"
is "$(stat -c %F "$M/a" "$M/a/b" "$M/a/b/c" | sort -u)" "directory" \
    "parents the archive never lists are directories"
is "$(cat "$M/a/b/c/file")" "abc" "the file under implied parents reads"
is "$(stat -c %h "$M/a")" "3" "an implied directory's link count"
tarfs_umount "$M"

# mount(8) and umount(8) see the mount properly.
M=$TMPD/mnt
mkdir "$M"
tarfs_mount "$A/gnu.tar" "$M"
like "$(grep " $M " /proc/mounts)" "^$A/gnu.tar $M fuse.tarfs ro," \
    "/proc/mounts: the archive, fuse.tarfs, ro"
like "$(findmnt -n -o FSTYPE,SOURCE "$M")" "fuse.tarfs +$A/gnu.tar" \
    "findmnt shows type and source"
run_ok "umount DIR unmounts" -- umount "$M"
sleep 0.2
ok "$(grep -c " $M " /proc/mounts)" "no mount left behind"

run_ok "--help" -- "$STASIS" tarfs --help
run_fails "no arguments: usage" -- "$STASIS" tarfs
run_fails "a missing archive" -- "$STASIS" tarfs "$TMPD/nope.tar" "$M"
like "$("$STASIS" tarfs "$TMPD/nope.tar" "$M" 2>&1)" \
    "^stasis: tarfs: .*nope.tar: No such file" "says which archive"
run_fails "mount on a missing directory" -- \
    "$STASIS" tarfs -q "$A/gnu.tar" "$TMPD/nodir"

done_testing
