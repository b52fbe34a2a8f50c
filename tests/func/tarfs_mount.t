#!/bin/sh
# mount -t tarfs through the mount.tarfs personality, as mount(8) runs
# it (/sbin/mount.tarfs SPEC DIR [-sfnv] -o OPTS), umount(8), and the
# talk's demo: a root filesystem tarball mounted, /dev and /tmp mounted
# on top, a shell run in it with chroot; all inside a private mount
# namespace (as a jail's), so nothing shows outside it.
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/lib/tarfs.sh"
need_root
[ -c /dev/fuse ] || skip_all "no /dev/fuse"
command -v unshare >/dev/null || skip_all "no unshare"

TMPD=$(mktemp -d "/tmp/stasis-tarfs-m.$$.XXXXXX")
cleanup "rm -rf '$TMPD'"

# A minimal root: /bin/sh and a few tools with the libraries they load.
R=$TMPD/root
mkdir -p "$R/dev" "$R/tmp" "$R/proc" "$R/etc" "$R/bin"
chmod 1777 "$R/tmp"
for b in sh cat ls mkdir; do
	p=$(command -v $b)
	cp -L "$p" "$R/bin/$b"
	ldd "$p" | grep -o '/[^ ]*' | while read -r l; do
		mkdir -p "$R$(dirname "$l")"
		cp -Ln "$l" "$R$l"
	done
done
echo "stasis" >"$R/etc/motd"
tar --numeric-owner -cf "$TMPD/root.tar" -C "$R" .
rm -rf "$R"

cat >"$TMPD/inner.sh" <<'INNER'
set -u
T=$1; STASIS=$2
M=$T/mnt
mkdir -p "$M" "$T/sbin"
n=0
t() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else
	echo "not ok $n - $2"; fi; }
# Whatever happens below, unmount before the namespace's last process
# (the FUSE daemon) would keep it alive.
trap 'umount "$M/tmp" "$M/dev" 2>/dev/null; umount -l "$M" 2>/dev/null' EXIT

# mount(8) looks for /sbin/mount.tarfs; give it one in this namespace,
# on top of the real /usr/sbin (an overlay of both, read-only).
ln -s "$STASIS" "$T/sbin/mount.tarfs"
mount -t overlay overlay -o "lowerdir=$T/sbin:/usr/sbin" /usr/sbin
t $? "mount.tarfs installed in this namespace only"
mount -t tarfs -o nosuid,nodev "$T/root.tar" "$M"
t $? "mount -t tarfs ARCHIVE DIR"
line=$(grep " $M " /proc/self/mounts)
case $line in
"$T/root.tar $M fuse.tarfs ro,nosuid,nodev"*) t 0 "listed as fuse.tarfs, ro, options passed on" ;;
*) t 1 "listed as fuse.tarfs, ro, options passed on"; echo "# $line" ;;
esac
[ "$(findmnt -n -o SOURCE "$M")" = "$T/root.tar" ]
t $? "findmnt shows the archive as the source"

# The demo: /dev and /tmp on top, a shell in a chroot.
mount --bind /dev "$M/dev" && mount -t tmpfs tmpfs "$M/tmp"
t $? "/dev and /tmp mounted on top"
out=$(chroot "$M" /bin/sh -c 'cat /etc/motd; echo hello >/tmp/x &&
    cat /tmp/x; echo $(ls /bin); echo x >/dev/null && echo devnull')
[ "$out" = "stasis
hello
cat ls mkdir sh
devnull" ]
t $? "a shell runs in the chroot: reads the image, writes /tmp, /dev"
[ -n "$out" ] && echo "$out" | sed 's/^/#   /'
err=$(chroot "$M" /bin/mkdir /coimbra 2>&1)
rc=$?
[ $rc -ne 0 ] && case $err in *"Read-only file system"*) true ;; *) false ;; esac
t $? "mkdir /coimbra in the chroot: read-only file system"
umount "$M/tmp" "$M/dev"
umount "$M"
t $? "umount DIR"
sleep 0.2
grep -q " $M " /proc/self/mounts
t $((! $?)) "gone from the mount table"

# The mount(8) conventions: -f (fake) mounts nothing; bad options fail.
mount.tarfs "$T/root.tar" "$M" -f -o ro
grep -q " $M " /proc/self/mounts
t $((! $?)) "mount.tarfs -f: nothing mounted"
mount -t tarfs -o no_such_option "$T/root.tar" "$M" 2>"$T/err"
t $((! $?)) "an unknown option fails"
grep -q " $M " /proc/self/mounts
t $((! $?)) "and leaves nothing mounted"
INNER

unshare -m --propagation private sh "$TMPD/inner.sh" "$TMPD" "$STASIS" |
    tee "$TMPD/inner.out"
n=$(grep -c '^ok\|^not ok' "$TMPD/inner.out")
grep -q '^not ok' "$TMPD/inner.out" && fails=1 || fails=0

# mount(8) -N: into another mount namespace, not ours.
unshare -m --propagation private sleep 60 &
UPID=$!
cleanup "kill $UPID"
sleep 0.3
NSPID=$(pgrep -P $UPID -x sleep || echo $UPID)
mkdir -p "$TMPD/nsmnt"
n=$((n + 1))
if mount.tarfs "$TMPD/root.tar" "$TMPD/nsmnt" -N "$NSPID" -o ro -t tarfs &&
    grep -q " $TMPD/nsmnt fuse.tarfs" "/proc/$NSPID/mounts" &&
    ! grep -q " $TMPD/nsmnt " /proc/self/mounts; then
	echo "ok $n - mount.tarfs -N PID mounts in that namespace only"
else
	echo "not ok $n - mount.tarfs -N PID mounts in that namespace only"
	fails=1
fi
nsenter -t "$NSPID" -m umount "$TMPD/nsmnt" 2>/dev/null
kill $UPID 2>/dev/null

# The demo with stasis jail: the tarball mounted as the jail's root,
# devfs and a tmpfs /tmp added by the jail, the shell inside.
if "$STASIS" jail --help >/dev/null 2>&1; then
	export STASIS_RUNDIR="$TMPD/run"
	J=$TMPD/jroot
	mkdir "$J"
	tarfs_mount "$TMPD/root.tar" "$J"
	out=$(timeout 60 jail -c name=tarfs$$ path="$J" mount.devfs \
	    "mount=tmpfs $J/tmp tmpfs rw" command=/bin/sh -c \
	    'cat /etc/motd; echo hi >/tmp/x && cat /tmp/x; mkdir /coimbra' 2>&1)
	rc=$?
	n=$((n + 1))
	case $out in
	"stasis
hi
"*"mkdir: "*"/coimbra"*"Read-only file system"*)
		[ $rc -ne 0 ] && echo "ok $n - jail on the tarball: reads it, writes its /tmp, mkdir /coimbra is EROFS" ;;
	*)	echo "not ok $n - jail on the tarball"
		echo "$out" | sed 's/^/#   /'
		fails=1 ;;
	esac
	umount "$J"
fi
echo "1..$n"
exit $fails
