# Shell helpers for tests on a real ZFS pool under zfs-fuse.
# Source after tap.sh:  . "$(dirname "$0")/lib/zfs.sh"
#
# zfs_start: the zfs-fuse daemon (started if none runs; never stopped:
#   other tests on this machine may share it).
# zfs_pool NAME [SIZE]: a file-backed pool NAME on a sparse file under
#   /var/tmp, destroyed (with its file) when the test exits.
# be_pool NAME: zfs_pool plus NAME/ROOT (mountpoint=none) and
#   NAME/ROOT/default as a boot environment; exports STASIS_BEROOT.

zfs_start() {
	command -v zpool >/dev/null 2>&1 || skip_all "zfs tools not installed"
	[ "$(id -u)" -eq 0 ] || skip_all "needs root"
	[ -e /dev/fuse ] || skip_all "no /dev/fuse"
	if ! zpool list >/dev/null 2>&1; then
		# One starter at a time: parallel tests race otherwise.
		(
			flock 9
			if ! zpool list >/dev/null 2>&1; then
				pgrep -x zfs-fuse >/dev/null ||
				    zfs-fuse --no-kstat-mount \
				    --pidfile /var/run/zfs-fuse.pid
				WAIT_TRIES=100 wait_for zpool list
			fi
		) 9>/var/lock/stasis-zfs-fuse.lock
	fi
	zpool list >/dev/null 2>&1 || skip_all "cannot start zfs-fuse"
}

zfs_pool() {
	_p=$1
	_img=/var/tmp/$_p.img
	rm -f "$_img"
	truncate -s "${2:-256M}" "$_img" || return 1
	zpool create -m none "$_p" "$_img" >/dev/null || { rm -f "$_img"; return 1; }
	cleanup "zfs_pool_destroy $_p $_img"
}

# zfs-fuse calls a pool busy for a moment after a send or receive ends.
zfs_pool_destroy() {	# zfs_pool_destroy POOL IMG
	_i=0
	while ! zpool destroy -f "$1" 2>/dev/null && [ $_i -lt 50 ]; do
		zpool list "$1" >/dev/null 2>&1 || break
		sleep 0.1
		_i=$((_i + 1))
	done
	rm -f "$2"
}

be_pool() {
	zfs_pool "$1" "${2:-256M}" || return 1
	zfs create -o mountpoint=none "$1/ROOT" &&
	zfs create -o canmount=noauto -o mountpoint=/ "$1/ROOT/default" &&
	zpool set bootfs="$1/ROOT/default" "$1" || return 1
	STASIS_BEROOT=$1/ROOT
	export STASIS_BEROOT
}

# Put files into a BE through a temporary mount.
be_fill() {	# be_fill POOL/ROOT/BE CMD... (CMD runs with $1 = the mount)
	_ds=$1; shift
	_m=$(mktemp -d /tmp/stasis-befill.XXXXXX)
	zfs set mountpoint="$_m" "$_ds" && zfs mount "$_ds" &&
	    "$@" "$_m"
	_rc=$?
	zfs unmount "$_ds"
	zfs set mountpoint=/ "$_ds"
	rmdir "$_m"
	return $_rc
}
