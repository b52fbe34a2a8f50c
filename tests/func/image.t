#!/bin/sh
# stasis image zfs: a directory tree as a ZFS send stream, checked by
# receiving it with plain zfs receive on a real zfs-fuse pool.
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/lib/zfs.sh"
need_root
zfs_start
P=stasisimgt$$
zfs_pool $P || { echo "Bail out! cannot make pool $P"; exit 1; }
W=$(mktemp -d /var/tmp/stasis-image.XXXXXX)
cleanup "rm -rf $W"
I=$W/tree
mkdir -p $I/etc $I/var/empty $I/dev
echo hello >$I/etc/motd
chown 42:43 $I/etc/motd; chmod 640 $I/etc/motd
touch -d '2019-05-06 07:08:09' $I/etc/motd
ln -s motd $I/etc/link
mkfifo $I/dev/fifo
dd if=/dev/urandom of=$I/blob bs=64k count=33 status=none

pools() { zpool list -H -o name | grep '^stasisimg[0-9]' | sort; }
before=$(pools)
out=$("$STASIS" image zfs -o $W/a.zfs $I 2>&1)
ok $? "image zfs -o FILE"
like "$out" "wrote [0-9.]+[KMG] stream in [0-9]+ seconds" "summary line"
is "$(pools)" "$before" "scratch pool destroyed"
ok $(ls /var/tmp/stasisimg[0-9]*.img >/dev/null 2>&1; echo $((! $?))) "scratch file removed"
"$STASIS" image zfs -q -s v1 $I >$W/b.zfs
ok $? "image zfs to stdout, -s v1"

run_ok "zfs receive takes it" -- sh -c "zfs receive $P/got <$W/a.zfs"
is "$(zfs list -H -o name -t snapshot -r $P/got)" "$P/got@image" "default snapshot name"
run_ok "zfs receive -s v1" -- sh -c "zfs receive $P/v1 <$W/b.zfs"
is "$(zfs list -H -o name -t snapshot -r $P/v1)" "$P/v1@v1" "snapshot named by -s"
m=$(mktemp -d /tmp/stasis-imgm.XXXXXX); cleanup "rmdir $m"
zfs set mountpoint=$m $P/got && zfs mount $P/got 2>/dev/null
cleanup "zfs unmount -f $P/got"
is "$(cat $m/etc/motd)" hello "file content"
is "$(stat -c '%u:%g %a %Y' $m/etc/motd)" "$(stat -c '%u:%g %a %Y' $I/etc/motd)" "owner, mode, mtime kept"
is "$(readlink $m/etc/link)" motd "symlink kept"
ok $([ -p $m/dev/fifo ]; echo $?) "fifo kept"
ok $([ -d $m/var/empty ]; echo $?) "empty dir kept"
is "$(cmp $I/blob $m/blob && echo same)" same "blob intact"
zfs unmount $P/got

out=$("$STASIS" image zfs -o $W/c.zfs $W/nope 2>&1); rc=$?
ok $((rc == 0)) "missing dir fails"
like "$out" "nope: No such file" "missing dir: message"
ok $([ ! -e $W/c.zfs ]; echo $?) "no output file left on failure"
run_fails "bad snapshot name" -- "$STASIS" image zfs -o $W/d.zfs -s 'a b' $I

# -o FILE replaces FILE only with a complete stream: every failure leaves
# the previous file as it was, and no temporary file beside it.
echo previous >$W/keep.zfs
run_fails "-o over a file: missing dir fails" -- "$STASIS" image zfs -q -o $W/keep.zfs $W/nope
is "$(cat $W/keep.zfs)" previous "missing dir: the previous file is intact"
run_fails "-o over a file: not a directory fails" -- "$STASIS" image zfs -q -o $W/keep.zfs $I/etc/motd
is "$(cat $W/keep.zfs)" previous "not a directory: the previous file is intact"
run_fails "-o over a file: bad snapshot name fails" -- "$STASIS" image zfs -q -s 'a b' -o $W/keep.zfs $I
is "$(cat $W/keep.zfs)" previous "bad snapshot name: the previous file is intact"
is "$(ls -A $W | grep '^\.keep' || true)" "" "no temporary file left beside it"
run_ok "-o over a file: a good build replaces it" -- "$STASIS" image zfs -q -o $W/keep.zfs $I
run_ok "the replacement is a whole stream (zfs receive takes it)" -- sh -c "zfs receive $P/keep <$W/keep.zfs"
is "$(stat -c %a $W/keep.zfs)" 644 "the replacement is mode 0644"
is "$(ls -A $W | grep '^\.keep' || true)" "" "no temporary file left after success"
run_fails "unknown format" -- "$STASIS" image cpio $I
run_ok "--help" -- "$STASIS" image --help
is "$(pools)" "$before" "no scratch pool left at the end"

done_testing
