#!/bin/sh
# Build tests/freebsd/mock_kernel: jail_freebsd.c compiled against
# FreeBSD's declarations (as check.sh does, but to an object), linked
# with a mock kernel (mock_kernel.c) and the Linux build's objects for
# the shared code.  Runs on Linux; see mock_kernel.c for what it shows.
#
# usage: tests/freebsd/mock.sh BUILD OUT   (BUILD: make's build dir)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
B=$1
out=$2
CC=${CC:-cc}
inc=$root/tests/freebsd/include
port=$(mktemp -d "${TMPDIR:-/tmp}/stasis-fbsd.XXXXXX")
trap 'rm -rf "$port"' EXIT INT TERM
jdir=$(pkg-config --variable=includedir jansson 2>/dev/null || :)
: "${jdir:=/usr/include}"
for h in jansson.h jansson_config.h; do
	[ -f "$jdir/$h" ] && ln -s "$jdir/$h" "$port/$h"
done
# Where FreeBSD's values differ from glibc's, the FreeBSD side goes
# through mock_host.c: stat and lstat (struct stat) and inet_pton and
# inet_ntop (AF_INET6 is 28 on FreeBSD, 10 on Linux).
fbsd="-std=gnu11 -nostdinc -isystem $inc -isystem $port -I$root/src
    -U__linux__ -U__linux -Ulinux -U__gnu_linux__ -D__FreeBSD__=14
    -Dstat=fbsd_stat -Dlstat=fbsd_lstat -Dinet_pton=fbsd_inet_pton
    -Dinet_ntop=fbsd_inet_ntop -Wall -Wno-unused-parameter -g"
# ifconfig(8) is a script that notes how it was called in OUT.ifconfig.log
# (run through base/spawn, its output would not be seen).
cat > "$out.ifconfig" <<'IFC'
#!/bin/sh
echo "ifconfig $*" >> "$0.log"
IFC
chmod +x "$out.ifconfig"
# shellcheck disable=SC2086
"$CC" $fbsd -DIFCONFIG="\"$out.ifconfig\"" -c -o "$port/jail_freebsd.o" \
    "$root/src/jail/jail_freebsd.c"
# shellcheck disable=SC2086
"$CC" $fbsd -c -o "$port/net.o" "$root/src/jail/net.c"
# shellcheck disable=SC2086
"$CC" $fbsd -c -o "$port/params.o" "$root/src/jail/params.c"
# shellcheck disable=SC2086
"$CC" $fbsd -c -o "$port/mock_kernel.o" "$root/tests/freebsd/mock_kernel.c"
"$CC" -std=gnu11 -Wall -g -c -o "$port/mock_host.o" \
    "$root/tests/freebsd/mock_host.c"
# A SANITIZE=1 build's objects need the sanitizers at link time.
san=
if nm "$B/src/base/buf.o" 2>/dev/null | grep -q __asan; then
	san="-fsanitize=address,undefined"
fi
objs=
for o in base/buf base/encode base/err base/libxo base/file base/log base/path base/spawn \
    jail/hooks jail/mounts jail/state jail/user \
    zfs/zfs_cmd zfs/zfs_parse; do
	objs="$objs $B/src/$o.o"
done
# shellcheck disable=SC2086
"$CC" $san -o "$out" "$port/mock_kernel.o" "$port/jail_freebsd.o" \
    "$port/mock_host.o" "$port/net.o" "$port/params.o" $objs -ljansson -lpthread
