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
done_testing
