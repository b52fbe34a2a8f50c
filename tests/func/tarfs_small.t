#!/bin/sh
# stasis-tarfs, the small binary behind mount.tarfs (a cold mount reads
# a binary whole, see docs/ARCHITECTURE.md): it mounts plain and zstd
# archives itself, the jail tools hand it their tarball roots, and what
# it lacks (the zstd compressor, other commands) runs from the stasis
# beside it, or fails saying so when there is none.
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/lib/tarfs.sh"
need_root
[ -c /dev/fuse ] || skip_all "no /dev/fuse"

T=$(mktemp -d "/tmp/stasis-tarfs-small.$$.XXXXXX")
cleanup "umount -l '$T/m' 2>/dev/null; rm -rf '$T'"
SMALL=$STASIS_BUILD/stasis-tarfs
mkdir -p "$T/src/d" "$T/m" "$T/lone"
echo hello >"$T/src/d/f"
head -c 3000000 /dev/urandom >"$T/src/big"	# the walk reads past it
echo after >"$T/src/z"
tar -C "$T/src" -cf "$T/a.tar" d big z

is "$(readlink "$STASIS_BUILD/bin/mount.tarfs")" "../stasis-tarfs" \
    "mount.tarfs is a link to stasis-tarfs"
nm "$SMALL" 2>/dev/null | grep -q ' T ZSTD_createCCtx$'
ok $((! $?)) "stasis-tarfs holds no zstd compressor"

# Who serves a mount: the daemon's binary.
daemon_exe() {
	for p in /proc/[0-9]*; do
		if tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -q " $1\$\| $1 "
		then
			readlink "$p/exe"
			return
		fi
	done
}

mount.tarfs -q "$T/a.tar" "$T/m"
ok $? "mount.tarfs mounts a plain tar"
is "$(cat "$T/m/d/f" "$T/m/z")" "hello
after" "the entries before and after a 3 MB file"
is "$(daemon_exe "$T/m")" "$SMALL" "served by stasis-tarfs"
umount "$T/m"

"$SMALL" tarfs --compress -q "$T/a.tar" "$T/a.tar.zst"
ok $? "stasis-tarfs tarfs --compress (runs from stasis)"
zstd -tq "$T/a.tar.zst"
ok $? "zstd reads what it wrote"
mount.tarfs -q -v "$T/a.tar.zst" "$T/m" 2>"$T/err"
ok $? "mount.tarfs mounts the tar.zst"
like "$(cat "$T/err")" "embedded" "with the index --compress embedded"
is "$(cat "$T/m/z")" "after" "and reads it"
umount "$T/m"

"$STASIS_BUILD/stasis-jailtools" tarfs -q "$T/a.tar" "$T/m"
ok $? "stasis-jailtools tarfs (a jail's tarball root)"
is "$(daemon_exe "$T/m")" "$SMALL" "is handed to stasis-tarfs"
umount "$T/m"

cp "$SMALL" "$T/lone/stasis-tarfs"
out=$("$T/lone/stasis-tarfs" tarfs --compress "$T/a.tar" "$T/lone/x.zst" 2>&1)
ok $((! $?)) "a stasis-tarfs alone cannot compress"
like "$out" "has no zstd compressor, and there is no stasis beside it" \
    "and says why"
ok "$([ ! -e "$T/lone/x.zst" ]; echo $?)" "and writes nothing"
out=$("$T/lone/stasis-tarfs" hooks --help 2>&1)
is "$?" 69 "nor run other commands (exit 69)"
"$T/lone/stasis-tarfs" tarfs -q "$T/a.tar.zst" "$T/m"
ok $? "but mounts a tar.zst"
is "$(cat "$T/m/d/f")" "hello" "and reads it"
umount "$T/m"
done_testing
