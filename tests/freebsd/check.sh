#!/bin/sh
# Compile src/jail as FreeBSD builds it -- jail_freebsd.c and every other
# file but *_linux.c, and what else the jail tools link -- with -fsyntax-only, against FreeBSD's declarations
# alone (tests/freebsd/include; -nostdinc: no glibc, no Linux headers).
# A file that calls something FreeBSD does not declare, or includes a
# Linux header, fails.  This is a compile check: nothing is run.
#
# usage: tests/freebsd/check.sh [file.c ...]   (default: src/jail)
# Prints one line per file, "ok FILE" or "FAIL FILE" with the compiler's
# messages; exits non-zero if any failed.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
CC=${CC:-cc}
inc=$root/tests/freebsd/include

# jansson is a port on FreeBSD (/usr/local/include): its own header,
# the same file on both systems, reached without the rest of /usr/include.
port=$(mktemp -d "${TMPDIR:-/tmp}/stasis-fbsd.XXXXXX") || exit 1
trap 'rm -rf "$port"' EXIT INT TERM
jdir=$(pkg-config --variable=includedir jansson 2>/dev/null)
: "${jdir:=/usr/include}"
for h in jansson.h jansson_config.h; do
	[ -f "$jdir/$h" ] && ln -s "$jdir/$h" "$port/$h"
done

# By default: src/jail, and the rest of what the jail tools link
# (stasis-jailtools' link map on Linux: base and zfs pieces, stasis.c).
if [ $# -eq 0 ]; then
	set --
	for f in "$root"/src/jail/*.c; do
		case $f in *_linux.c) continue ;; esac
		set -- "$@" "$f"
	done
	for f in stasis.c base/buf.c base/err.c base/file.c base/log.c \
	    base/path.c base/spawn.c zfs/zfs_cmd.c zfs/zfs_parse.c; do
		set -- "$@" "$root/src/$f"
	done
fi

rc=0
for f in "$@"; do
	if out=$("$CC" -fsyntax-only -std=gnu11 -nostdinc \
	    -isystem "$inc" -isystem "$port" -I"$root/src" \
	    -U__linux__ -U__linux -Ulinux -U__gnu_linux__ -D__FreeBSD__=14 \
	    -DSTASIS_VERSION='"freebsd-check"' \
	    -Wall -Wextra -Wno-unused-parameter \
	    -Wno-missing-field-initializers -Werror \
	    "$f" 2>&1); then
		echo "ok ${f#"$root"/}"
	else
		echo "FAIL ${f#"$root"/}"
		printf '%s\n' "$out"
		rc=1
	fi
done
exit $rc
