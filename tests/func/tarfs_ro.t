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

writes() {	# writes PREFIX: the writes that need no open file
	erofs "$1create" touch "$M/new"
	erofs "$1truncate" truncate -s 0 "$M/file"
	erofs "$1mkdir" mkdir "$M/newdir"
	erofs "$1rmdir" rmdir "$M/dir"
	erofs "$1unlink" rm -f "$M/file"
	erofs "$1rename" mv "$M/file" "$M/file2"
	erofs "$1hard link" ln "$M/file" "$M/file3"
	erofs "$1symlink" ln -s file "$M/link2"
	erofs "$1chmod" chmod 777 "$M/file"
	erofs "$1chown" chown 1:1 "$M/file"
	erofs "$1utimes" touch -d 2000-01-01 "$M/file"
	erofs "$1mknod" mknod "$M/fifo" p
	erofs "$1setxattr" python3 -c 'import os, sys; os.setxattr(sys.argv[1], "user.x", b"1")' "$M/file"
}

writes ""
erofs "write" sh -c "echo x >>'$M/file'"
erofs "open O_RDWR" python3 -c 'import os, sys; os.open(sys.argv[1], os.O_RDWR)' "$M/file"
is "$(cat "$M/file")" "data" "the file still reads"
is "$(sha256sum <"$TMPD/a.tar")" "$SUM" "the archive is unchanged"
like "$(stat -f -c %T "$M" 2>/dev/null; grep " $M " /proc/mounts)" \
    " ro," "mounted ro"

# The kernel refuses writes on a ro mount before they reach the daemon.
# An operator can remount it rw (mount -o remount,rw, no helper); the
# daemon must then refuse them itself.
run_ok "remount,rw" -- mount -i -o remount,rw "$M"
like "$(grep " $M " /proc/mounts)" " rw," "now mounted rw"
# Opens are not sent to the daemon (FUSE's no-open mode: a round trip
# less per file), so a write open succeeds now; everything it could do
# must fail.  (sh's echo reports any failed write as "I/O error".)
P="after remount,rw: "
writes "$P"
erofs "${P}write" python3 -c 'import os, sys; os.write(os.open(sys.argv[1], os.O_WRONLY), b"x")' "$M/file"
erofs "${P}append" python3 -c 'import os, sys; os.write(os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND), b"x")' "$M/file"
erofs "${P}pwrite O_RDWR" python3 -c 'import os, sys; os.pwrite(os.open(sys.argv[1], os.O_RDWR), b"x", 0)' "$M/file"
erofs "${P}open O_TRUNC" python3 -c 'import os, sys; os.open(sys.argv[1], os.O_WRONLY | os.O_TRUNC)' "$M/file"
erofs "${P}ftruncate" python3 -c 'import os, sys; os.ftruncate(os.open(sys.argv[1], os.O_RDWR), 0)' "$M/file"
erofs "${P}fallocate" fallocate -l 1M "$M/file"
erofs "${P}removexattr" python3 -c 'import os, sys; os.removexattr(sys.argv[1], "user.x")' "$M/file"
is "$(cat "$M/file")" "data" "the file still reads"
is "$(sha256sum <"$TMPD/a.tar")" "$SUM" "the archive is still unchanged"
tarfs_umount "$M"
done_testing
