# Shell helpers for tests on a real ZFS pool under zfs-fuse.
# Source after tap.sh:  . "$(dirname "$0")/lib/zfs.sh"
#
# zfs_start: the zfs-fuse daemon (scripts/zfs-fuse-start; never stopped:
#   other tests on this machine may share it), or skip the file.
# zfs_pool NAME [SIZE]: a file-backed pool NAME on a sparse file under
#   /var/tmp, destroyed (with its file) when the test exits.
# be_pool NAME: zfs_pool plus NAME/ROOT (mountpoint=none) and
#   NAME/ROOT/default as a boot environment; exports STASIS_BEROOT.

ZFS_FUSE_START=$(cd "$(dirname "$0")/../.." && pwd)/scripts/zfs-fuse-start

zfs_start() {
	zfs_try_start || skip_all "cannot start zfs-fuse: $ZFS_START_ERR"
}

# zfs_try_start: like zfs_start, but returns non-zero (reason in
# $ZFS_START_ERR) instead of skipping the whole file, for tests that
# have already run others.
zfs_try_start() {
	ZFS_START_ERR=
	if ! command -v zpool >/dev/null 2>&1; then
		ZFS_START_ERR="zfs tools not installed"
	elif [ "$(id -u)" -ne 0 ]; then
		ZFS_START_ERR="needs root"
	else
		ZFS_START_ERR=$("$ZFS_FUSE_START" 2>&1) && return 0
	fi
	return 1
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
