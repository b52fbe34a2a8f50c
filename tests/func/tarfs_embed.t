#!/bin/sh
# stasis tarfs: the index embedded in the archive (--index --embed for a
# tar, --compress for a tar.zst).  The archive still lists and extracts
# exactly as without it with GNU tar, bsdtar, Python's tarfile and
# zstd -d; a mount uses it and gives the same tree, entry by entry, as a
# mount that reads the headers; a damaged, cut or stale one (tar -r,
# bsdtar -r, tarfile append) is ignored and the headers read; a failed
# --embed leaves the archive as it was, byte for byte.
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/lib/tarfs.sh"
need_root
[ -c /dev/fuse ] || skip_all "no /dev/fuse"
for t in bsdtar python3 tar zstd; do
	command -v $t >/dev/null || skip_all "$t missing"
done

TMPD=$(mktemp -d "/tmp/stasis-tarfs-embed.$$.XXXXXX")
cleanup "rm -rf '$TMPD'"
export XDG_CACHE_HOME="$TMPD/cache"
A=$TMPD/a

# A tree with most of what tar holds: long names, hardlinks, symlinks,
# a sparse file, a fifo, modes, owners, sub-second times.
S=$TMPD/src
mkdir -p "$S/etc" "$S/bin" "$S/d/e" "$S/private" "$A"
long=$(printf 'x%.0s' $(seq 1 150))
mkdir -p "$S/deep/$long"
echo long >"$S/deep/$long/file-$long"
echo hello >"$S/etc/hello"
: >"$S/etc/empty"
head -c 700000 /dev/urandom >"$S/bin/blob"
seq 1 100000 >"$S/d/e/seq"
ln "$S/etc/hello" "$S/bin/hard"
ln -s ../etc/hello "$S/bin/link"
mkfifo "$S/d/fifo"
truncate -s 5M "$S/d/sparse"
printf 'middle' | dd of="$S/d/sparse" bs=1 seek=3000000 conv=notrunc \
    2>/dev/null
chmod 0700 "$S/private"
chown 1234:5678 "$S/private"
touch -d '2023-09-17 10:11:12.123456789' "$S/etc/hello"
i=0
while [ $i -lt 300 ]; do
	echo "file $i" >"$S/d/f$i"
	i=$((i + 1))
done
tar --format=pax -S -cf "$A/t.tar" -C "$S" .
T=$A/t.tar

# ls_tar TOOL ARCHIVE: the tool's verbose listing (exit status last).
ls_tar() {
	case $1 in
	tar)	tar --numeric-owner --full-time -tvf "$2" 2>&1; echo "rc=$?" ;;
	bsdtar)	bsdtar --numeric-owner -tvf "$2" 2>&1; echo "rc=$?" ;;
	python)	python3 - "$2" <<'PY' 2>&1; echo "rc=$?"
import sys, tarfile
with tarfile.open(sys.argv[1]) as t:
    for m in t.getmembers():
        print(m.name, m.type, m.mode, m.uid, m.gid, m.size, m.mtime,
              m.linkname, m.sparse)
PY
	;;
	esac
}

# x_tar TOOL ARCHIVE DIR: extract; stderr and status must be silent/0.
x_tar() {
	mkdir -p "$3"
	case $1 in
	tar)	tar --numeric-owner -xpf "$2" -C "$3" ;;
	bsdtar)	bsdtar --numeric-owner -xpf "$2" -C "$3" ;;
	python)	python3 -c 'import sys, tarfile
t = tarfile.open(sys.argv[1])
t.extractall(sys.argv[2], numeric_owner=True)' "$2" "$3" ;;
	esac
}

# same_as_plain NAME ARCHIVE: every tool lists and extracts ARCHIVE
# exactly as the tar without an index.
same_as_plain() {
	for tool in tar bsdtar python; do
		is "$(ls_tar $tool "$2")" "$(ls_tar $tool "$T")" \
		    "$1: $tool lists it as the plain tar, exit 0"
		rm -rf "$TMPD/x1" "$TMPD/x2"
		e1=$(x_tar $tool "$T" "$TMPD/x1" 2>&1; echo "rc=$?")
		e2=$(x_tar $tool "$2" "$TMPD/x2" 2>&1; echo "rc=$?")
		is "$e2" "$e1" "$1: $tool -x: same messages and status"
		# Python's tarfile leaves a symlink's mtime as it finds it.
		sl=; [ $tool = python ] && sl='/^[^ ]* l /s/mtime=[0-9]*//'
		is "$(tarfs_list "$TMPD/x2" | sed "$sl")" \
		    "$(tarfs_list "$TMPD/x1" | sed "$sl")" \
		    "$1: $tool -x gives the same tree"
	done
}

# check ARCHIVE: which index --check used.
check() {
	"$STASIS" tarfs --check "$1" 2>&1
}

# mounted_same NAME ARCHIVE [OPTS...]: mount it, the tree equals the
# plain tar's, read from its headers (tarfs_list: entry by entry).
n=0
mounted_same() {
	_name=$1; _arch=$2; shift 2
	n=$((n + 1))
	mkdir -p "$TMPD/m$n"
	if ! tarfs_mount "$_arch" "$TMPD/m$n" "$@"; then
		ok 1 "$_name: mounts"
		return
	fi
	tarfs_list "$TMPD/m$n" >"$TMPD/m$n.list"
	if diff -u "$TMPD/ref.list" "$TMPD/m$n.list" >"$TMPD/m$n.diff"; then
		ok 0 "$_name: the mount equals the headers' ($(wc -l <"$TMPD/m$n.list") entries)"
	else
		ok 1 "$_name: the mount equals the headers'"
		sed 's/^/#   /' "$TMPD/m$n.diff" | head -30 >&2
	fi
	tarfs_umount "$TMPD/m$n"
}

mkdir "$TMPD/ref"
tarfs_mount "$T" "$TMPD/ref" -o reindex
tarfs_list "$TMPD/ref" >"$TMPD/ref.list"
tarfs_umount "$TMPD/ref"
ok "$([ "$(wc -l <"$TMPD/ref.list")" -gt 300 ]; echo $?)" \
    "the reference mount of the plain tar lists the tree"

# --- plain tar ------------------------------------------------------------
E=$A/e.tar
cp "$T" "$E"
out=$("$STASIS" tarfs --index --embed "$E" 2>&1)
ok $? "--index --embed"
like "$out" "embedded the tarfs index in $E \([0-9]+ inodes\)" "says so"
is "$(cmp -n "$(stat -c %s "$T")" "$T" "$E"; echo $?)" 0 \
    "the tar's bytes are untouched, the index follows them"
like "$(check "$E")" "from the index embedded in the archive" \
    "--check uses the embedded index"
like "$("$STASIS" tarfs -v --check "$E" 2>&1)" "from the index embedded in it" \
    "-v says which index"
like "$("$STASIS" tarfs -v --check -o reindex "$E" 2>&1)" \
    "read from the archive's headers" "-o reindex ignores it"
same_as_plain "embedded .tar" "$E"
mounted_same "embedded .tar" "$E"
mounted_same "embedded .tar, -o reindex" "$E" -o reindex
cp "$E" "$A/e2.tar"
"$STASIS" tarfs --index --embed -q "$A/e2.tar"
is "$(sha256sum <"$A/e2.tar")" "$(sha256sum <"$E")" \
    "embedding again replaces the index: the same bytes"
"$STASIS" tarfs --index -q "$E"
like "$(check "$E")" "from the index embedded" \
    "the embedded index comes before ARCHIVE.tfidx"
like "$("$STASIS" tarfs --check -o "tarindex=$E.tfidx" "$E" 2>&1)" \
    "from the saved index $E.tfidx" "but -o tarindex= names one to use"
rm -f "$E.tfidx"

# --- damaged, cut, stale: ignored, the headers read -------------------------
size=$(stat -c %s "$E")
flip() {	# flip FILE OFFSET: change one byte
	python3 - "$1" "$2" <<'PY'
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(int(sys.argv[2]))
    b = f.read(1)
    f.seek(int(sys.argv[2]))
    f.write(bytes([b[0] ^ 0x20]))
PY
}
cp "$E" "$A/bad-idx.tar"; flip "$A/bad-idx.tar" $((size - 200))
cp "$E" "$A/bad-trl.tar"; flip "$A/bad-trl.tar" $((size - 40))
cp "$E" "$A/bad-zero.tar"; flip "$A/bad-zero.tar" $(($(stat -c %s "$T") - 100))
head -c $((size - 10)) "$E" >"$A/cut.tar"
head -c $((size - 64)) "$E" >"$A/cut-trl.tar"
cat "$E" "$E" >"$A/cat.tar"
for a in bad-idx bad-trl bad-zero cut cut-trl cat; do
	c=$(check "$A/$a.tar")
	ok "$(echo "$c" | grep -q embedded; echo $((! $?)))" \
	    "$a: the embedded index is not used"
	mounted_same "$a" "$A/$a.tar"
done
like "$("$STASIS" tarfs -v --check "$A/bad-idx.tar" 2>&1)" \
    "ignoring the embedded index: index checksum mismatch" \
    "-v says why it was ignored"

# Appends write from the end-of-archive marker on: the trailer left at
# the end names a tar end that now holds a header.
echo appended >"$TMPD/newfile"
cp "$E" "$A/r-gnu.tar"
tar -rf "$A/r-gnu.tar" -C "$TMPD" newfile
cp "$E" "$A/r-bsd.tar"
bsdtar -rf "$A/r-bsd.tar" -C "$TMPD" newfile
cp "$E" "$A/r-py.tar"
(cd "$TMPD" && python3 -c 'import sys, tarfile
with tarfile.open(sys.argv[1], "a") as t:
    t.add("newfile")' "$A/r-py.tar")
for a in r-gnu r-bsd r-py; do
	like "$("$STASIS" tarfs -v --check "$A/$a.tar" 2>&1)" \
	    "ignoring the embedded index: no end-of-archive marker" \
	    "$a: appended to, the stale trailer is ignored"
	m=$TMPD/m-$a
	mkdir "$m"
	if tarfs_mount "$A/$a.tar" "$m"; then
		is "$(cat "$m/newfile" 2>&1)" appended \
		    "$a: the appended entry is in the mount"
		tarfs_list "$m" | grep -v '^newfile ' >"$m.l"
		tarfs_umount "$m"
		is "$(diff "$TMPD/ref.list" "$m.l" && echo same)" same \
		    "$a: and the old ones, as they were"
	else
		ok 1 "$a: mounts"
	fi
	run_ok "$a: embedding again" -- "$STASIS" tarfs --index --embed -q "$A/$a.tar"
	like "$(check "$A/$a.tar")" "from the index embedded" \
	    "$a: the new index is used"
	is "$(ls_tar tar "$A/$a.tar" | tail -2 | head -1 | awk '{print $NF}')" \
	    newfile "$a: GNU tar lists it, the appended entry last"
done

# --- refusals, and failure leaves the archive as it was ---------------------
head -c "$(stat -c %s "$T")" "$T" >"$A/junk.tar"
echo "not ours" >>"$A/junk.tar"
sum=$(sha256sum <"$A/junk.tar")
run_fails "data after the end marker that is not ours: refused" -- \
    "$STASIS" tarfs --index --embed "$A/junk.tar"
is "$(sha256sum <"$A/junk.tar")" "$sum" "and left as it was"
python3 - "$T" "$A/noend.tar" <<'PY'
import sys
b = open(sys.argv[1], "rb").read()
end = len(b)
while end >= 512 and b[end - 512:end] == bytes(512):
    end -= 512
open(sys.argv[2], "wb").write(b[:end])
PY
run_fails "no end-of-archive marker: refused" -- \
    "$STASIS" tarfs --index --embed "$A/noend.tar"
run_fails "--embed with an INDEX path: refused" -- \
    "$STASIS" tarfs --index --embed "$E" "$TMPD/idx"
run_fails "--no-embed without --compress: refused" -- \
    "$STASIS" tarfs --index --no-embed "$E"

# A full file system: the write fails half-way; the archive is put back.
F=$TMPD/full
mkdir "$F"
mount -t tmpfs -o size=$(( ($(stat -c %s "$T") / 4096 + 2) * 4096 )) \
    stasis-embed$$ "$F" && cleanup "umount -l '$F'"
cp "$T" "$F/t.tar"
touch -d '2020-01-01 00:00:00.5' "$F/t.tar"
sum=$(sha256sum <"$F/t.tar"); mt=$(stat -c %y "$F/t.tar")
out=$("$STASIS" tarfs --index --embed "$F/t.tar" 2>&1)
ok $((! $?)) "--embed on a full file system fails"
like "$out" "No space left on device" "with the reason"
is "$(sha256sum <"$F/t.tar")" "$sum" "the archive is byte for byte as it was"
is "$(stat -c %y "$F/t.tar")" "$mt" "its mtime too"
is "$(stat -c %s "$F/t.tar")" "$(stat -c %s "$T")" "and its size"

# --- tar.zst -----------------------------------------------------------------
Z=$A/z.tar.zst
run_ok "--compress embeds the index" -- "$STASIS" tarfs --compress -q -F 64k "$T" "$Z"
like "$(check "$Z")" "from the index embedded in the archive" \
    "--check uses it"
is "$(zstd -q -d -c "$Z" | sha256sum)" "$(sha256sum <"$T")" \
    "zstd -d gives the tar back (the index frame skipped)"
run_ok "zstd -t: the file is valid" -- zstd -q -t "$Z"
is "$(tar --zstd --numeric-owner --full-time -tvf "$Z" 2>&1; echo "rc=$?")" \
    "$(ls_tar tar "$T")" "tar --zstd lists it as the plain tar"
mounted_same "embedded .tar.zst" "$Z"
mounted_same "embedded .tar.zst, -o reindex" "$Z" -o reindex
"$STASIS" tarfs --compress -q --no-embed -F 64k "$T" "$A/ne.tar.zst"
ok "$(check "$A/ne.tar.zst" | grep -q embedded; echo $((! $?)))" \
    "--no-embed: no index in it"
is "$(zstd -q -d -c "$A/ne.tar.zst" | sha256sum)" "$(sha256sum <"$T")" \
    "--no-embed: the same tar"
cp "$A/ne.tar.zst" "$A/ne2.tar.zst"
run_ok "--index --embed on a seekable tar.zst" -- \
    "$STASIS" tarfs --index --embed -q "$A/ne2.tar.zst"
is "$(sha256sum <"$A/ne2.tar.zst")" "$(sha256sum <"$Z")" \
    "the same bytes as --compress writes"
"$STASIS" tarfs --compress -q -F 64k - "$A/stdin.tar.zst" <"$T"
is "$(sha256sum <"$A/stdin.tar.zst")" "$(sha256sum <"$Z")" \
    "--compress from stdin to a file: the same bytes"
"$STASIS" tarfs --compress -q -F 64k "$E" "$A/ee.tar.zst"
like "$(check "$A/ee.tar.zst")" "from the index embedded in the archive" \
    "--compress of a tar with its index embedded: the tar.zst has one too"
is "$(zstd -q -d -c "$A/ee.tar.zst" | sha256sum)" "$(sha256sum <"$E")" \
    "and decompresses to that tar, its index included"
mounted_same "tar.zst of a tar with an index" "$A/ee.tar.zst"
head -c 100000 /dev/urandom >"$A/noise"
out=$("$STASIS" tarfs --compress "$A/noise" "$A/noise.zst" 2>&1)
ok $? "--compress of something not a tar still compresses"
like "$out" "noise: .*; no index embedded" "and says no index went in"
out=$("$STASIS" tarfs --compress - - <"$T" 2>&1 >"$A/pipe.tar.zst")
like "$out" "no index embedded when writing to stdout from stdin" \
    "stdin to stdout: no index, and a note saying how to add one"
m=$TMPD/mv
mkdir "$m"
cleanup "umount -l '$m'"
out=$("$STASIS" tarfs -v "$Z" "$m" 2>&1)
like "$out" "from the index embedded in it" "a mount with -v says which index"
umount "$m"
zstd -q -c "$T" >"$A/plain.tar.zst"
sum=$(sha256sum <"$A/plain.tar.zst")
run_fails "--embed into a tar.zst without a seek table: refused" -- \
    "$STASIS" tarfs --index --embed "$A/plain.tar.zst"
is "$(sha256sum <"$A/plain.tar.zst")" "$sum" "and left as it was"
# A full file system: the tar.zst's old end is put back too.
G=$TMPD/fullz
mkdir "$G"
mount -t tmpfs -o size=$(( ($(stat -c %s "$A/ne.tar.zst") / 4096 + 2) * 4096 )) \
    stasis-embedz$$ "$G" && cleanup "umount -l '$G'"
cp "$A/ne.tar.zst" "$G/z.tar.zst"
sum=$(sha256sum <"$G/z.tar.zst")
out=$("$STASIS" tarfs --index --embed "$G/z.tar.zst" 2>&1)
ok $((! $?)) "--embed into a tar.zst on a full file system fails"
like "$out" "No space left on device" "with the reason"
is "$(sha256sum <"$G/z.tar.zst")" "$sum" "the tar.zst is as it was"

zsize=$(stat -c %s "$Z")
cp "$Z" "$A/zbad.tar.zst"; flip "$A/zbad.tar.zst" $((zsize - 2000))
like "$("$STASIS" tarfs -v --check "$A/zbad.tar.zst" 2>&1)" \
    "ignoring the embedded index" "a damaged index frame is ignored"
mounted_same "damaged index frame" "$A/zbad.tar.zst"
is "$(zstd -q -d -c "$A/zbad.tar.zst" | sha256sum)" "$(sha256sum <"$T")" \
    "zstd -d does not care"

done_testing
