#!/bin/sh
# The FreeBSD jail backend compiles: src/jail as FreeBSD builds it
# (jail_freebsd.c, no *_linux.c), and the base and zfs files the jail
# tools link, through -fsyntax-only against FreeBSD's
# declarations alone (tests/freebsd/include, -nostdinc).  A compile
# check only: no FreeBSD machine runs it here.  Also: the check catches
# a Linux header or a glibc-only call, and the Linux build leaves the
# FreeBSD file out.
. "$(dirname "$0")/tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
chk=$top/tests/freebsd/check.sh
command -v "${CC:-cc}" >/dev/null 2>&1 || skip_all "no C compiler"

out=$("$chk" 2>&1); rc=$?
n=0
for r in $(printf '%s\n' "$out" | sed -n 's/^\(ok\|FAIL\) //p'); do
	n=$((n + 1))
	if printf '%s\n' "$out" | grep -qx "ok $r"; then
		ok 0 "$r compiles for FreeBSD"
	else
		ok 1 "$r compiles for FreeBSD"
		printf '%s\n' "$out" | sed 's/^/#   /' >&2
	fi
done
ok $(printf '%s\n' "$out" | grep -qx "ok src/jail/jail_freebsd.c"; echo $?) \
    "jail_freebsd.c is among them"
ok $([ "$n" -ge 20 ]; echo $?) "$n files checked"
is "$rc" 0 "check.sh exits 0"

# The other compiler, when there is one: its warnings differ (clang's
# -Wfortify-source found a %4095s into a PATH_MAX buffer, 1024 on BSD).
for other in clang gcc; do
	command -v "$other" >/dev/null 2>&1 || continue
	"${CC:-cc}" --version 2>/dev/null | grep -qi "$other" && continue
	out=$(CC=$other "$chk" 2>&1); orc=$?
	ok $orc "the same files compile with $other"
	[ $orc -ne 0 ] && printf '%s\n' "$out" | grep -v '^ok' |
	    sed 's/^/#   /' >&2
	break
done

T=$(mktemp -d "${TMPDIR:-/tmp}/jfbsd.XXXXXX")
cleanup "rm -rf '$T'"
cp "$top/src/jail/jail_freebsd.c" "$T/linux_header.c"
printf '#include <sys/prctl.h>\n' >> "$T/linux_header.c"
run_fails "a Linux header in the FreeBSD build fails the check" -- \
    "$chk" "$T/linux_header.c"
cp "$top/src/jail/jail_freebsd.c" "$T/glibc_call.c"
printf 'const char *x(void) { return (strerrordesc_np(1)); }\n' \
    >> "$T/glibc_call.c"
run_fails "a glibc-only call fails the check" -- "$chk" "$T/glibc_call.c"
sed 's/jail_attach(st->info.jid)/jail_attach(st->info.name)/' \
    "$top/src/jail/jail_freebsd.c" > "$T/bad_type.c"
run_fails "a wrong argument type to a FreeBSD call fails the check" -- \
    "$chk" "$T/bad_type.c"

lib=$STASIS_BUILD/libstasis.a
if [ -f "$lib" ] && [ "$(uname -s)" = Linux ]; then
	m=$(ar t "$lib")
	ok $(printf '%s\n' "$m" | grep -qx jail_linux.o; echo $?) \
	    "the Linux build has jail_linux.o"
	ok $(printf '%s\n' "$m" | grep -q freebsd; [ $? -ne 0 ]; echo $?) \
	    "and no FreeBSD object"
fi
done_testing
