#!/bin/sh
# release.sh VERSION [DIR]: build release VERSION of the demo app as a
# seekable tar.zst in DIR (default /var/db/talk/releases): a whole root,
# never changed after it is built, signed with the build host's key
# (/usr/local/etc/talk/release.sec, from `stasis image keygen`).  The app
# is a static site served by the host's python3 (the jail mounts /usr
# read-only).
set -eu
ver=${1:?usage: release.sh VERSION [DIR]}
dir=${2:-/var/db/talk/releases}
case $ver in
"" | *[!0-9A-Za-z.-]*) echo "release: bad version '$ver'" >&2; exit 2 ;;
esac
mkdir -p "$dir"
tree=$(mktemp -d)
chmod 755 "$tree"	# the root of the release: /
trap 'rm -rf "$tree"' EXIT
mkdir -p "$tree/usr" "$tree/etc" "$tree/dev" "$tree/proc" "$tree/tmp" \
    "$tree/srv/app"
for l in bin sbin lib lib64; do ln -s "usr/$l" "$tree/$l"; done
printf 'root:x:0:0:root:/root:/bin/sh\nwww:x:80:80:www:/nonexistent:/bin/false\n' \
    >"$tree/etc/passwd"
printf 'root:x:0:\nwww:x:80:\n' >"$tree/etc/group"
echo "app $ver" >"$tree/srv/app/index.html"
echo "$ver" >"$tree/etc/release"
# Reproducible: sorted names, owners 0, no mtime after 1970 (the same
# tree gives the same bytes), seekable, and the index inside it: every
# mount of this release, the first one on a node included, reads it
# instead of scanning the archive (one file to ship).
stasis image tar -q -z --owner-root --mtime 0 -o "$dir/app-$ver.tar.zst" \
    "$tree"
# app-VERSION.tar.zst.sig beside it: what deploy.sh checks (as signify -V
# would) before the release goes near a jail.
stasis image sign -q -s /usr/local/etc/talk/release.sec "$dir/app-$ver.tar.zst"
echo "$dir/app-$ver.tar.zst"
