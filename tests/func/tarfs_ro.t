#!/bin/sh
# stasis tarfs is read-only for real: every kind of write fails with
# EROFS, and the archive is left as it was.
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/lib/tarfs.sh"
need_root
[ -c /dev/fuse ] || skip_all "no /dev/fuse"

TMPD=$(mktemp -d "/tmp/stasis-tarfs-ro.$$.XXXXXX")
cleanup "rm -rf '$TMPD'"
mkdir -p "$TMPD/src/dir" "$TMPD/mnt"
echo data >"$TMPD/src/file"
ln -s file "$TMPD/src/link"
tar -cf "$TMPD/a.tar" -C "$TMPD/src" .
SUM=$(sha256sum <"$TMPD/a.tar")
M=$TMPD/mnt
tarfs_mount "$TMPD/a.tar" "$M"

erofs() {	# erofs NAME CMD...: fails, saying read-only
	_n=$1; shift
	_o=$("$@" 2>&1)
	_rc=$?
	if [ $_rc -ne 0 ] && printf '%s' "$_o" | grep -q "Read-only file system"
	then
		ok 0 "$_n: EROFS"
	else
		ok 1 "$_n: EROFS"
		diag "rc=$_rc: $_o"
	fi
}

erofs "create" touch "$M/new"
erofs "write" sh -c "echo x >>'$M/file'"
erofs "truncate" truncate -s 0 "$M/file"
erofs "mkdir" mkdir "$M/newdir"
erofs "rmdir" rmdir "$M/dir"
erofs "unlink" rm -f "$M/file"
erofs "rename" mv "$M/file" "$M/file2"
erofs "hard link" ln "$M/file" "$M/file3"
erofs "symlink" ln -s file "$M/link2"
erofs "chmod" chmod 777 "$M/file"
erofs "chown" chown 1:1 "$M/file"
erofs "utimes" touch -d 2000-01-01 "$M/file"
erofs "mknod" mknod "$M/fifo" p
erofs "setxattr" python3 -c 'import os, sys; os.setxattr(sys.argv[1], "user.x", b"1")' "$M/file"
erofs "open O_RDWR" python3 -c 'import os, sys; os.open(sys.argv[1], os.O_RDWR)' "$M/file"
is "$(cat "$M/file")" "data" "the file still reads"
is "$(sha256sum <"$TMPD/a.tar")" "$SUM" "the archive is unchanged"
like "$(stat -f -c %T "$M" 2>/dev/null; grep " $M " /proc/mounts)" \
    " ro," "mounted ro"
tarfs_umount "$M"
done_testing
