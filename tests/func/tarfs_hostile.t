#!/bin/sh
# stasis tarfs against hostile and broken archives: names that try to
# leave the mount, oversized and endless metadata, deep nesting, bad
# checksums, truncation (refused with the offset), corruption found
# late (EIO on that file only).  Never a crash or a hang.
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/lib/tarfs.sh"
need_root
[ -c /dev/fuse ] || skip_all "no /dev/fuse"

TMPD=$(mktemp -d "/tmp/stasis-tarfs-h.$$.XXXXXX")
cleanup "rm -rf '$TMPD'"
A=$TMPD
M=$TMPD/mnt
mkdir "$M"

# refuses NAME ARCHIVE PATTERN: --check and a mount both fail, with a
# message matching PATTERN, and nothing is left mounted.
refuses() {
	_out=$("$STASIS" tarfs --check -q "$2" 2>&1)
	_rc=$?
	ok $((_rc == 0)) "$1: refused"
	like "$_out" "$3" "$1: says why ($_out)"
	"$STASIS" tarfs -q "$2" "$M" >/dev/null 2>&1
	_rc=$?
	ok $((_rc == 0)) "$1: mount fails"
	ok "$(grep -c " $M " /proc/mounts)" "$1: nothing mounted"
	grep -q " $M " /proc/mounts && umount -l "$M"
}

python3 - "$A" <<'PY'
import io, os, sys, tarfile
d = sys.argv[1]
def f(name, data=b"x", **kw):
    ti = tarfile.TarInfo(name)
    ti.size = len(data)
    for k, v in kw.items():
        setattr(ti, k, v)
    return ti, io.BytesIO(data)
with tarfile.open(d + "/escape.tar", "w", format=tarfile.PAX_FORMAT) as t:
    for n in ("../../escaped", "/abs/file", "a/../../../b", "./././c",
              "x/./y/../z", "//double//slash"):
        t.addfile(*f(n, n.encode()))
    ti = tarfile.TarInfo("..")
    ti.type = tarfile.DIRTYPE
    t.addfile(ti)
with tarfile.open(d + "/deep.tar", "w", format=tarfile.PAX_FORMAT) as t:
    t.addfile(*f("/".join(["d"] * 2000) + "/f"))
    t.addfile(*f("ok"))
with tarfile.open(d + "/bigpax.tar", "w", format=tarfile.PAX_FORMAT,
                  pax_headers={"comment": "x" * (2 << 20)}) as t:
    t.addfile(*f("a"))
with tarfile.open(d + "/longname.tar", "w", format=tarfile.GNU_FORMAT) as t:
    t.addfile(*f("n" * 100000))
# Many pax headers in a row with no entry after them: each replaces the
# last, memory stays flat.
with open(d + "/endless.tar", "wb") as out:
    one = tarfile.TarInfo("p" * 200)
    blob = one.tobuf(tarfile.PAX_FORMAT)
    pax = blob[:len(blob) - 512]	# the 'x' header and its data only
    for i in range(20000):
        out.write(pax)
    out.write(b"\0" * 1024)
# A record that says it is longer than its header.
with open(d + "/badrecord.tar", "wb") as out:
    data = b"999 path=foo\n"
    ti = tarfile.TarInfo("PaxHeader")
    ti.type = tarfile.XHDTYPE
    ti.size = len(data)
    out.write(ti.tobuf(tarfile.USTAR_FORMAT))
    out.write(data + b"\0" * (512 - len(data)))
    out.write(tarfile.TarInfo("f").tobuf(tarfile.USTAR_FORMAT))
    out.write(b"\0" * 1024)
# pax sparse map whose chunks overlap.
with open(d + "/badsparse.tar", "wb") as out:
    ti = tarfile.TarInfo("s")
    ti.size = 20
    ti.pax_headers = {"GNU.sparse.map": "0,10,5,10",
                      "GNU.sparse.size": "100", "GNU.sparse.major": "0",
                      "GNU.sparse.minor": "1", "GNU.sparse.name": "s"}
    out.write(ti.tobuf(tarfile.PAX_FORMAT))
    out.write(b"y" * 20 + b"\0" * 492 + b"\0" * 1024)
with open(d + "/garbage.tar", "wb") as out:
    out.write(os.urandom(10240))
# A size field in base-256 that is negative.
with open(d + "/negsize.tar", "wb") as out:
    h = bytearray(tarfile.TarInfo("f").tobuf(tarfile.USTAR_FORMAT))
    h[124:136] = b"\xff" * 12
    h[148:156] = b"        "
    h[148:156] = b"%06o\0 " % sum(h)
    out.write(bytes(h) + b"\0" * 1024)
PY

# Names: everything lands inside the mount.
tarfs_mount "$A/escape.tar" "$M"
is "$(cd "$M" && find . | sort | tr '\n' ' ')" \
    ". ./abs ./abs/file ./b ./c ./double ./double/slash ./escaped ./x ./x/z " \
    "../, absolute and dotted names are kept inside the mount"
is "$(cat "$M/escaped")" "../../escaped" "an escaping name's content"
tarfs_umount "$M"

WARN=$("$STASIS" tarfs --check "$A/deep.tar" 2>&1)
like "$WARN" "too deeply nested, skipped" "2000 levels deep: skipped, warned"
tarfs_mount "$A/deep.tar" "$M"
is "$(ls "$M")" "ok" "the rest of a deep archive mounts"
tarfs_umount "$M"

refuses "2 MiB pax header" "$A/bigpax.tar" "pax header of [0-9]+ bytes at offset 0 exceeds"
refuses "100 KB GNU long name" "$A/longname.tar" "long name of 10000[01] bytes at offset 0 exceeds"
refuses "pax record past its header" "$A/badrecord.tar" "corrupt pax header at offset 0"
refuses "overlapping sparse chunks" "$A/badsparse.tar" "corrupt sparse map at offset [0-9]+"
refuses "random bytes" "$A/garbage.tar" "corrupt header at offset 0 \\(bad checksum\\)"
refuses "negative size" "$A/negsize.tar" "corrupt header at offset 0 \\(bad size\\)"

run_ok "20000 pax headers in a row: indexed" -- \
    "$STASIS" tarfs --check -q "$A/endless.tar"

# Truncation and corruption of a real archive.
mkdir -p "$TMPD/src/d"
head -c 300000 /dev/urandom >"$TMPD/src/d/one"
seq 1 200000 >"$TMPD/src/two"
tar -cf "$A/real.tar" -C "$TMPD/src" .
SZ=$(stat -c %s "$A/real.tar")
head -c $((SZ - 20000)) "$A/real.tar" >"$A/cut-data.tar"
refuses "cut in a file's data" "$A/cut-data.tar" \
    "truncated archive: entry at offset [0-9]+ has [0-9]+ bytes of data, archive ends at"
head -c 700 "$A/real.tar" >"$A/cut-header.tar"
refuses "cut in a header" "$A/cut-header.tar" \
    "truncated archive: partial header at offset 512"
cp "$A/real.tar" "$A/flip.tar"
OFF=$(python3 -c '
import sys, tarfile
t = tarfile.open(sys.argv[1]); m = t.getmembers()[-1]; print(m.offset)' \
    "$A/real.tar")
printf 'Z' | dd of="$A/flip.tar" bs=1 seek=$((OFF + 3)) conv=notrunc 2>/dev/null
refuses "a flipped header byte" "$A/flip.tar" \
    "corrupt header at offset $OFF \\(bad checksum\\)"
refuses "an empty archive name" "/nonexistent/$$.tar" "No such file"

# zstd: corruption inside one file's frames is found only when read:
# that file gives EIO, the rest of the mount works.
seq 1 1500000 >"$TMPD/src/d/one"
tar -cf "$A/z.tar" -C "$TMPD/src" .
"$STASIS" tarfs --compress -F 64k "$A/z.tar" "$A/z.tar.zst" >/dev/null 2>&1
ZS=$(stat -c %s "$A/z.tar.zst")
python3 - "$A/z.tar.zst" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
mid = len(b) // 4
b[mid:mid + 64] = b"\xa5" * 64
open(p, "wb").write(b)
PY
if tarfs_mount "$A/z.tar.zst" "$M"; then
	ok 0 "zstd archive with a corrupt frame inside a file mounts"
	cat "$M/d/one" >/dev/null 2>"$TMPD/err"
	ok $((! $?)) "reading the damaged file fails"
	like "$(cat "$TMPD/err")" "Input/output error" "with EIO"
	is "$(tail -1 "$M/two")" "200000" "other files still read"
	tarfs_umount "$M"
else
	ok 1 "zstd archive with a corrupt frame inside a file mounts"
fi

# Decompression bombs: one-frame tar.zst files of RLE blocks (4 bytes of
# archive per 128 KiB of zeros) holding a tar with one huge file and a
# header after it.  Unbounded, a mount decompresses all of it to reach
# that header (256 GiB: minutes); bounded, it is refused at once, naming
# the frame.  The timeout only stops a hang from hanging the test.
python3 - "$A" <<'PY'
import struct, sys, tarfile
d = sys.argv[1]
def raw(b, last=0):
    return struct.pack("<I", (len(b) << 3) | last)[:3] + b
def rle(n, last=0):
    return struct.pack("<I", (n << 3) | 2 | last)[:3] + b"\0"
def bomb(path, gib, with_size):
    s = gib << 30
    h1 = tarfile.TarInfo("bomb"); h1.size = s
    h2 = tarfile.TarInfo("after")
    body = (raw(h1.tobuf(tarfile.GNU_FORMAT)) + rle(128 << 10) * (s >> 17) +
            raw(h2.tobuf(tarfile.GNU_FORMAT)) + rle(1024, 1))
    hdr = b"\x28\xb5\x2f\xfd"
    if with_size:
        hdr += bytes([0xc0, 7 << 3]) + struct.pack("<Q", s + 2048)
    else:
        hdr += bytes([0x00, 7 << 3])
    open(path, "wb").write(hdr + body)
bomb(d + "/bomb.tar.zst", 256, True)
bomb(d + "/bomb-nosize.tar.zst", 256, False)
bomb(d + "/bomb2g.tar.zst", 2, True)
PY
for b in bomb bomb-nosize; do
	_out=$(timeout 120 "$STASIS" tarfs --check -q "$A/$b.tar.zst" 2>&1)
	_rc=$?
	ok $((_rc == 0 || _rc == 124)) "$b: refused, no hang (rc $_rc)"
	like "$_out" "frame at offset 0: uncompressed size exceeds 1.00G .*decompression bomb .*-o max_ratio=" \
	    "$b: says why ($_out)"
	timeout 120 "$STASIS" tarfs -q "$A/$b.tar.zst" "$M" >/dev/null 2>&1
	ok $(($? == 0)) "$b: mount fails"
	ok "$(grep -c " $M " /proc/mounts)" "$b: nothing mounted"
	grep -q " $M " /proc/mounts && umount -l "$M"
done
refuses "2 GiB in a 64 KiB tar.zst" "$A/bomb2g.tar.zst" "decompression bomb"
if tarfs_mount "$A/bomb2g.tar.zst" "$M" -o max_ratio=0; then
	is "$(stat -c %s "$M/bomb") $(ls "$M" | tr '\n' ' ')" \
	    "2147483648 after bomb " "-o max_ratio=0 lifts the limit"
	tarfs_umount "$M"
else
	ok 1 "-o max_ratio=0 lifts the limit"
fi
run_ok "-o max_ratio=40000 lets RLE's 32768x through" -- \
    "$STASIS" tarfs --check -q -o max_ratio=40000 "$A/bomb2g.tar.zst"
_out=$("$STASIS" tarfs --check -q -o max_size=1m "$A/z.tar.zst" 2>&1)
ok $(($? == 0)) "-o max_size=1m refuses an ordinary 2 MB tar.zst"
like "$_out" "exceeds max_size=1.00M" "-o max_size=1m: says why ($_out)"
_out=$("$STASIS" tarfs --check -o max_ratio=lots "$A/z.tar.zst" 2>&1)
ok $(($? == 0)) "-o max_ratio=lots: refused"
like "$_out" "max_ratio=lots" "-o max_ratio=lots: says which option ($_out)"

# A FIFO where an archive or a saved index should be: refused at once,
# not an open that waits for a writer (timeout: a hang fails the test).
mkfifo "$A/fifo.tar" "$A/fifo.tfidx"
_out=$(timeout 20 "$STASIS" tarfs --check -q "$A/fifo.tar" 2>&1)
is "$?" 1 "a FIFO as the archive: refused, not waited on"
like "$_out" "fifo.tar: not a regular file" "and says why ($_out)"
_out=$(timeout 20 "$STASIS" tarfs -q "$A/fifo.tar" "$M" 2>&1)
is "$?" 1 "a FIFO as the archive: the mount fails at once"
ok "$(grep -c " $M " /proc/mounts)" "nothing mounted"
_out=$(timeout 20 "$STASIS" tarfs --index -q "$A/fifo.tar" 2>&1)
is "$?" 1 "--index of a FIFO: refused at once"
_out=$(timeout 20 "$STASIS" tarfs --check -o "tarindex=$A/fifo.tfidx" \
    "$A/z.tar.zst" 2>&1)
is "$?" 0 "a FIFO as the saved index: not waited on, the archive read"
like "$_out" "fifo.tfidx: not a regular file; reading the archive instead" \
    "and says so once ($_out)"

done_testing
