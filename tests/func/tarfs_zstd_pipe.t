#!/bin/sh
# stasis tarfs on a tar.zst written from a pipe (`tar --zstd`): one
# frame that does not state its size, big enough (over 8 MiB) that its
# first mount does not count it before walking the headers but learns
# its size from that walk (docs/tarfs-zstd.md).  The mount must equal
# tar -x; a bomb limit, a corrupt frame, a bad checksum and a cut file
# are refused with a message naming the frame; --index saves the size
# and the remount decompresses nothing to index it.
. "$(dirname "$0")/tap.sh"
need_root
[ -c /dev/fuse ] || skip_all "no /dev/fuse"
command -v zstd >/dev/null || skip_all "no zstd"

tmp=$(mktemp -d "/tmp/stasis-tarfs-zpipe.$$.XXXXXX")
cleanup "rm -rf '$tmp'"
cleanup 'for m in "$tmp"/mnt*; do umount -l "$m" 2>/dev/null; done'
export XDG_CACHE_HOME="$tmp/cache"

src="$tmp/src"
mkdir -p "$src/d/e" "$src/x"
seq 1 2000000 >"$src/d/e/seq"
i=0
while [ $i -lt 100 ]; do
	echo "file $i" >"$src/x/f$i"
	i=$((i + 1))
done
head -c 2000000 /dev/urandom >"$src/x/rand"
ln -s e/seq "$src/d/sym"
ln "$src/d/e/seq" "$src/d/hard"
chmod 0640 "$src/x/f3"
a="$tmp/p.tar.zst"
tar --zstd -cf "$a" -C "$src" d x
mkdir "$tmp/ref"
tar --zstd -xpf "$a" -C "$tmp/ref"
# The frame header's descriptor: no content size field, not single-segment.
fhd=$(od -An -tu1 -j4 -N1 "$a" | tr -d ' ')
ok $((fhd & 0xe0)) "tar --zstd wrote a frame that states no size"

listing() {
	(cd "$1" && find . -printf '%P|%y|%m|%s|%U|%G|%T@|%l\n' |
	    sed 's/\.[0-9]*|/|/; s/^\([^|]*|d|[0-7]*|\)[0-9]*|/\1-|/' |
	    grep -v '^|' | sort)
}
reflist=$(listing "$tmp/ref")

n=0
mount_ok() {	# mount_ok ARCHIVE [OPTIONS...]
	n=$((n + 1))
	m="$tmp/mnt$n"
	mkdir "$m"
	x=$1; shift
	stasis tarfs "$@" "$x" "$m" 2>"$tmp/mount$n.err" &&
	    wait_for mountpoint -q "$m"
}

compare() {
	is "$(listing "$m")" "$reflist" "$1: types, modes, sizes, owners, times, links"
	diff -r --no-dereference "$tmp/ref" "$m" >"$tmp/diff" 2>&1
	ok $? "$1: every file's content equals tar -x"
	bad=0
	for off in 0 1000003 5000011 9999991 14000000; do
		dd if="$m/d/e/seq" bs=1 skip=$off count=4096 2>/dev/null >"$tmp/r1"
		dd if="$tmp/ref/d/e/seq" bs=1 skip=$off count=4096 2>/dev/null >"$tmp/r2"
		cmp -s "$tmp/r1" "$tmp/r2" || bad=1
	done
	ok $bad "$1: reads at random offsets"
}

# The first mount: one pass, the same tree.
if mount_ok "$a" -v; then
	ok 0 "first mount"
	like "$(cat "$tmp/mount$n.err")" "index from frame headers" \
	    "the frame is not counted at open"
	like "$(cat "$tmp/mount$n.err")" "decompressed it once" \
	    "its size is learned once the headers are read"
	compare "first mount"
	umount "$m"
else
	ok 1 "first mount"; sed 's/^/#   /' "$tmp/mount$n.err"
fi
# --check of the same tar with the size in its header says the same.
tar -cf "$tmp/s.tar" -C "$src" d x
zstd -q "$tmp/s.tar" -o "$tmp/s.tar.zst"
p=$(stasis tarfs -q --check "$a" 2>&1 | sed 's/^[^:]*: //')
s=$(stasis tarfs -q --check "$tmp/s.tar.zst" 2>&1 | sed 's/^[^:]*: //')
like "$p" "^tar.zst, [0-9]+ inodes" "--check: $p"
is "$p" "$s" "--check: as with the size stated"

# Bomb limits still hold: the frame's bound is over max_size, so it is
# counted at open, and refused there.
mkdir "$tmp/mb"
out=$(stasis tarfs -o max_size=4M "$a" "$tmp/mb" 2>&1)
ok $((! $?)) "-o max_size=4M: refused"
like "$out" "frame at offset 0: .*decompression bomb" "naming the frame: $out"
mountpoint -q "$tmp/mb"
ok $((! $?)) "and nothing is mounted"

# Damage inside the frame: the walk meets it, the message names the frame.
sz=$(stat -c %s "$a")
cp "$a" "$tmp/bad.tar.zst"
printf 'XXXXXXXXXXXXXXXX' | dd of="$tmp/bad.tar.zst" bs=1 seek=$((sz / 2)) \
    conv=notrunc 2>/dev/null
out=$(stasis tarfs --check "$tmp/bad.tar.zst" 2>&1)
ok $((! $?)) "a corrupt frame is refused"
like "$out" "frame at offset 0" "naming it: $out"
mkdir "$tmp/mbad"
stasis tarfs "$tmp/bad.tar.zst" "$tmp/mbad" 2>/dev/null
ok $((! $?)) "and does not mount"
mountpoint -q "$tmp/mbad"
ok $((! $?)) "nothing is left mounted"
# A wrong checksum shows at the frame's end, past the end-of-archive
# marker: learning the size finds it.
cp "$a" "$tmp/sum.tar.zst"
printf '\377\377\377\377' | dd of="$tmp/sum.tar.zst" bs=1 seek=$((sz - 4)) \
    conv=notrunc 2>/dev/null
out=$(stasis tarfs --check "$tmp/sum.tar.zst" 2>&1)
ok $((! $?)) "a bad checksum is refused"
like "$out" "frame at offset 0: .*checksum" "naming the frame: $out"
head -c $((sz / 2)) "$a" >"$tmp/cut.tar.zst"
out=$(stasis tarfs --check "$tmp/cut.tar.zst" 2>&1)
ok $((! $?)) "a cut file is refused"
like "$out" "truncated" "with a message: $out"

# --index saves the size; the remount does not decompress to index.
# Both indexes come from one header walk: the frame is not counted at
# open (it was, by a first pass that saved the .zidx, then the walk
# decoded it again).
rm -f "$a.zidx" "$a.tfidx"
out=$(stasis tarfs --index -v "$a" 2>&1)
like "$out" "wrote index $a.zidx" "--index writes ARCHIVE.zidx"
like "$out" "wrote the tarfs index $a.tfidx" "and ARCHIVE.tfidx"
like "$out" "index from frame headers" "--index: the frame is not counted at open"
like "$out" "decompressed it once" "its size comes from the header walk"
rm -f "$a.tfidx"
if mount_ok "$a" -v; then
	like "$(cat "$tmp/mount$n.err")" "index from $a.zidx" \
	    "the remount loads the saved .zidx"
	ok $(grep -c "decompressed" "$tmp/mount$n.err") \
	    "and decompresses nothing to index"
	compare "from the saved index"
	umount "$m"
else
	ok 1 "remount with the saved index"; sed 's/^/#   /' "$tmp/mount$n.err"
fi

done_testing
