#!/bin/sh
# Every manual page parses cleanly (mandoc -Tlint at warning level), and
# every command in the table has one.
. "$(dirname "$0")/tap.sh"
command -v mandoc >/dev/null || skip_all "mandoc not installed"
top=$(cd "$(dirname "$0")/../.." && pwd)

for m in "$top"/man/*.[0-9]; do
	out=$(mandoc -Tlint -W warning "$m" 2>&1)
	ok $? "$(basename "$m") lints clean"
	[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/# /'
done
ok "$([ -f "$top/man/stasis.8" ]; echo $?)" "stasis(8) exists"
# Each command has stasis-COMMAND(8): a page in man/, or an alias (the
# Makefile's MANALIASES, NAME:PAGE) of a page in man/ that names it.
aliases=$(make -s -C "$top" -p -n -f Makefile 2>/dev/null | \
    sed -n 's/^MANALIASES = //p' | head -1)
ok "$([ -n "$aliases" ]; echo $?)" "the Makefile's MANALIASES read"
for a in $aliases; do
	n=${a%%:*} t=${a#*:}
	ok "$([ -f "$top/man/$t.8" ] && grep -q "^\.Nm $n\( ,\)\{0,1\}$" "$top/man/$t.8"; echo $?)" \
	    "alias $n: $t.8 exists and names $n"
done
cmds=$("$STASIS" --help | awk '/^commands:/ { f = 1; next } f && /^  [a-z]/ { print $1 }')
for c in $cmds; do
	found=1
	[ -f "$top/man/stasis-$c.8" ] && found=0
	for a in $aliases; do [ "${a%%:*}" = "stasis-$c" ] && found=0; done
	ok $found "stasis $c: stasis-$c(8) is a page or an alias"
done
done_testing
