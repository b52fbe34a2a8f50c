#!/bin/sh
# The talk's upgrade, end to end on a scratch pool (needs root, zfs-fuse
# or OpenZFS): build an image from a tree, stream it into sync-be, see the
# new BE chosen for the next boot only, make it permanent, roll back.
# Everything it makes is removed at the end.
set -eu
P=stasisdemo$$
W=$(mktemp -d /var/tmp/stasis-demo.XXXXXX)
trap 'zpool destroy -f $P 2>/dev/null; rm -rf $W /var/tmp/$P.img' EXIT
# OpenZFS answers already; under zfs-fuse, start the daemon if none does.
zpool list >/dev/null 2>&1 ||
    "$(dirname "$0")/../../scripts/zfs-fuse-start"

# A pool with one BE, as a fresh install has.
truncate -s 512M /var/tmp/$P.img
zpool create -m none $P /var/tmp/$P.img
zfs create -o mountpoint=none $P/ROOT
zfs create -o canmount=noauto -o mountpoint=/ $P/ROOT/default
zpool set bootfs=$P/ROOT/default $P
export STASIS_BEROOT=$P/ROOT STASIS_BE_ROOTFS=$P/ROOT/default

# The build machine's output: a tree made into a stream.
mkdir -p $W/image/etc $W/image/usr/bin
echo "release 2" >$W/image/etc/release
echo "rc from the image" >$W/image/etc/rc.conf
stasis image zfs -o $W/release2.zfs $W/image

# This server's own state (a stand-in for /), and what to carry over.
mkdir -p $W/local/etc $W/local/root
echo 'hostname="web1"' >$W/local/etc/rc.conf
echo "ssh-ed25519 AAAA... admin" >$W/local/root/.authorized_keys
printf '/etc/rc.conf\n/root\n' >$W/syncbe.conf

sync-be -R $W/local release2 $W/syncbe.conf <$W/release2.zfs
bectl list
m=$(bectl mount release2)
echo "--- in the new BE:"; cat $m/etc/release $m/etc/rc.conf
bectl umount release2

bectl activate release2          # it booted fine: keep it
bectl list
bectl activate default           # or roll back
bectl list
