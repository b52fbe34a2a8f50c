#!/bin/sh
# stasis tarfs on tar.zst: archives made by `tar --zstd`, by `zstd`
# (one frame, and many frames with and without sizes), and by
# `stasis tarfs --compress`, mounted and compared with `tar -x` of the
# same tar; random reads; --index, then a remount that uses the saved
# index (no decompression pass); a corrupt frame gives EIO on that file
# only.
. "$(dirname "$0")/tap.sh"
need_root
[ -c /dev/fuse ] || skip_all "no /dev/fuse"
command -v zstd >/dev/null || skip_all "no zstd"

tmp=$(mktemp -d "/tmp/stasis-tarfs-zstd.$$.XXXXXX")
cleanup "rm -rf '$tmp'"
cleanup 'for m in "$tmp"/mnt*; do umount -l "$m"; done'
export XDG_CACHE_HOME="$tmp/cache"

# The tree: a big incompressible file first (it spans many frames), text,
# a hardlink, symlinks, an empty file, modes and an old mtime.
src="$tmp/src"
mkdir -p "$src/d/e" "$src/x"
head -c 3000000 /dev/urandom >"$src/big"
seq 1 300000 >"$src/d/e/seq"
i=0
while [ $i -lt 200 ]; do
	echo "file $i $(seq 1 $((i * 7)) | tr '\n' ' ')" >"$src/x/f$i"
	i=$((i + 1))
done
: >"$src/d/empty"
ln "$src/d/e/seq" "$src/d/hard"
ln -s e/seq "$src/d/sym"
ln -s ../nonexistent "$src/x/dangling"
chmod 0751 "$src/d/e"
chmod 0600 "$src/x/f1"
touch -d '2001-02-03 04:05:06' "$src/x/f2"
tar -cf "$tmp/t.tar" -C "$src" big d x
mkdir "$tmp/ref"
tar -xpf "$tmp/t.tar" -C "$tmp/ref"

# The archives.
a1="$tmp/t1.tar.zst"; a2="$tmp/t2.tar.zst"; a3="$tmp/t3.tar.zst"
a4="$tmp/t4.tar.zst"; a5="$tmp/t5.tar.zst"
tar --zstd -cf "$a1" -C "$src" big d x
zstd -q "$tmp/t.tar" -o "$a2"
( cd "$tmp" && split -b 700000 t.tar part. &&
  n=0; for p in part.*; do
	if [ $((n % 2)) -eq 0 ]; then zstd -q -c "$p"; else zstd -q -c <"$p"; fi
	n=$((n + 1))
  done >"$a3" && rm -f part.* )
run_ok "--compress -F 64k" -- stasis tarfs --compress -F 64k "$tmp/t.tar" "$a4"
out=$(stasis tarfs --compress -l 1 "$tmp/t.tar" - 2>"$tmp/err" >"$a5")
ok $? "--compress to stdout"
like "$(cat "$tmp/err")" "frames" "--compress prints a summary line"
zstd -q -d -c "$a4" | cmp -s - "$tmp/t.tar"
ok $? "zstd -d reads the seekable archive back to the tar"
zstd -q -d -c "$a3" | cmp -s - "$tmp/t.tar"
ok $? "the multi-frame archive is the tar"

listing() {	# type, mode, size (not of dirs), owner, mtime, link; sorted
	(cd "$1" && find . -printf '%P|%y|%m|%s|%U|%G|%T@|%l\n' |
	    sed 's/\.[0-9]*|/|/; s/^\([^|]*|d|[0-7]*|\)[0-9]*|/\1-|/' |
	    grep -v '^|' | sort)
}
reflist=$(listing "$tmp/ref")

n=0
mount_ok() {	# mount_ok ARCHIVE [OPTIONS...]: mount on a fresh dir
	n=$((n + 1))
	m="$tmp/mnt$n"
	mkdir "$m"
	a=$1; shift
	stasis tarfs "$@" "$a" "$m" 2>"$tmp/mount$n.err" &&
	    wait_for mountpoint -q "$m"
}

compare() {	# compare NAME: the mount equals tar -x
	is "$(listing "$m")" "$reflist" "$1: types, modes, sizes, owners, times, links"
	diff -r --no-dereference "$tmp/ref" "$m" >"$tmp/diff" 2>&1
	ok $? "$1: every file's content equals tar -x"
	[ "$(stat -c %i "$m/d/hard")" = "$(stat -c %i "$m/d/e/seq")" ]
	ok $? "$1: the hardlink shares its inode"
	bad=0
	for blk in 0 7 100 377 512 640 731 5 301 699; do
		dd if="$m/big" bs=4096 skip=$blk count=1 2>/dev/null >"$tmp/r1"
		dd if="$tmp/ref/big" bs=4096 skip=$blk count=1 2>/dev/null >"$tmp/r2"
		cmp -s "$tmp/r1" "$tmp/r2" || bad=1
	done
	ok $bad "$1: random 4 KiB reads of the big file"
	# FUSE serves these from several threads at once.
	want=$(cat "$tmp/ref/big" "$tmp/ref/d/e/seq" | md5sum)
	for j in 1 2 3 4; do
		cat "$m/big" "$m/d/e/seq" | md5sum >"$tmp/par$j" &
	done
	wait
	bad=0
	for j in 1 2 3 4; do [ "$(cat "$tmp/par$j")" = "$want" ] || bad=1; done
	ok $bad "$1: four readers at once"
}

for v in "tar --zstd:$a1" "zstd one frame:$a2" "zstd many frames:$a3" \
    "tarfs --compress:$a4" "tarfs --compress -l 1 to stdout:$a5"; do
	name=${v%%:*}; a=${v#*:}
	if mount_ok "$a"; then
		ok 0 "$name: mounts"
		[ "$a" = "$a1" ] && like "$(cat "$tmp/mount$n.err")" \
		    "decompressed it once" "$name: no index yet: decompressed once to index it"
		compare "$name"
		umount "$m"
		ok $? "$name: unmounts"
	else
		ok 1 "$name: mounts"; sed 's/^/#   /' "$tmp/mount$n.err"
	fi
done

# The smallest cache still reads everything right (each frame decoded
# again and again); a cache too small to hold one piece is refused.
if mount_ok "$a4" -o cache=1M; then
	compare "-o cache=1M"
	umount "$m"
else
	ok 1 "-o cache=1M: mounts"; sed 's/^/#   /' "$tmp/mount$n.err"
fi
mkdir "$tmp/nocache"
out=$(stasis tarfs -o cache=4k "$a4" "$tmp/nocache" 2>&1)
ok $([ $? -ne 0 ]; echo $?) "-o cache=4k is refused"
like "$out" "cache=4k: want a size from 1M up" "and says what it wants"

# tar --zstd writes no frame sizes: the first mount decompresses once to
# index it, --index saves that, and the remount loads it instead.
out=$(stasis tarfs --check "$a1" 2>&1)
like "$out" "decompressed it once" "no index: --check decompresses to index"
out=$(stasis tarfs --index "$a1" 2>&1)
like "$out" "wrote index $a1.zidx" "--index writes ARCHIVE.zidx"
out=$(stasis tarfs --check "$a1" 2>&1)
ok $(printf '%s' "$out" | grep -c "decompressed") "--check now loads the index"
if mount_ok "$a1"; then
	ok $(grep -c "decompressed" "$tmp/mount$n.err") "the remount loads the index, decompresses nothing to index"
	compare "saved index"
	umount "$m"
else
	ok 1 "remount with the saved index"
fi
out=$(stasis tarfs --index "$a1" 2>&1)
like "$out" "up to date" "--index again: up to date"

# An index at a chosen path, used through -o index=.
run_ok "--index ARCHIVE INDEX" -- stasis tarfs --index "$a3" "$tmp/custom.zidx"
if mount_ok "$a3" -o index="$tmp/custom.zidx"; then
	ok $(grep -c "decompressed" "$tmp/mount$n.err") "-o index=PATH: used"
	compare "-o index="
	umount "$m"
else
	ok 1 "-o index=PATH mounts"
fi

# The archive changes: the index is stale, ignored, and says so.
touch -d '2020-01-01' "$a1"
out=$(stasis tarfs --check "$a1" 2>&1)
like "$out" "ignoring index.*stale" "a stale index is ignored, with a warning"
like "$out" "decompressed it once" "and the archive is indexed afresh"

# A seekable archive needs no index.
out=$(stasis tarfs --index "$a4" 2>&1)
like "$out" "seek table.*no zstd index needed" "--index on a seekable archive"
[ ! -e "$a4.zidx" ]
ok $? "and writes nothing"

# A corrupt frame inside the big file: EIO there, the rest reads.
cp "$a4" "$tmp/bad.tar.zst"
sz=$(stat -c %s "$tmp/bad.tar.zst")
printf 'XXXXXXXX' | dd of="$tmp/bad.tar.zst" bs=1 seek=$((sz / 3)) \
    conv=notrunc 2>/dev/null
if mount_ok "$tmp/bad.tar.zst"; then
	ok 0 "corrupt frame: the archive still mounts"
	out=$(cat "$m/big" 2>&1 >/dev/null)
	like "$out" "Input/output error" "reading the corrupt part: EIO"
	cmp -s "$m/d/e/seq" "$tmp/ref/d/e/seq"
	ok $? "other files still read"
	umount "$m"
else
	ok 1 "corrupt frame: the archive still mounts"
	sed 's/^/#   /' "$tmp/mount$n.err"
fi

# Truncated and garbage archives are refused with a message.
head -c 100000 "$a2" >"$tmp/trunc.tar.zst"
out=$(stasis tarfs --check "$tmp/trunc.tar.zst" 2>&1)
ok $((! $?)) "a truncated archive is refused"
like "$out" "truncated" "with a message: $out"
out=$(stasis tarfs --index "$tmp/nonexistent.zst" 2>&1)
ok $((! $?)) "--index on a missing file fails"
like "$out" "No such file" "and says why"
out=$(stasis tarfs --compress -F 100 "$tmp/t.tar" "$tmp/x.zst" 2>&1)
ok $((! $?)) "--compress -F 100 is refused"
[ ! -e "$tmp/x.zst" ]
ok $? "and leaves no output behind"

done_testing
