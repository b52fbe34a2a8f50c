#!/bin/sh
# make install into a DESTDIR: the binaries, the personality links (and the
# mount helper where mount(8) looks), the man pages; then uninstall.
. "$(dirname "$0")/tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
d=$(mktemp -d /tmp/stasis-install.XXXXXX)
cleanup "rm -rf '$d'"

run_ok "make install DESTDIR" -- make -s -C "$top" install B="${STASIS_BUILD#$top/}" \
    DESTDIR="$d" PREFIX=/usr/local
ok "$([ -x "$d/usr/local/sbin/stasis" ]; echo $?)" "stasis installed"
for p in bectl sync-be; do
	is "$(readlink "$d/usr/local/sbin/$p")" "stasis" "$p links to stasis"
done
# The jail tools are a binary of their own (see the Makefile).
for p in jail jls jexec; do
	is "$(readlink "$d/usr/local/sbin/$p")" "stasis-jailtools" \
	    "$p links to stasis-jailtools"
done
like "$("$d/usr/local/sbin/jail" --help 2>&1)" "^usage: jail " \
    "the installed jail runs"
like "$("$d/usr/local/sbin/stasis-jailtools" tarfs --help 2>&1)" \
    "^usage: stasis tarfs" "a command it lacks runs from stasis-tarfs next to it"
# So does mount.tarfs: a cold mount reads the whole binary.
ok "$([ -x "$d/usr/local/sbin/stasis-tarfs" ]; echo $?)" \
    "stasis-tarfs installed"
is "$(readlink "$d/sbin/mount.tarfs")" "/usr/local/sbin/stasis-tarfs" \
    "mount.tarfs where mount(8) looks, linked to stasis-tarfs"
like "$("$d/usr/local/sbin/stasis-tarfs" hooks --help 2>&1)" \
    "^usage: stasis hooks" "stasis-tarfs runs what it lacks from stasis"
# And the hooks daemon without TLS: a third less memory.
ok "$([ -x "$d/usr/local/sbin/stasis-hooks" ]; echo $?)" \
    "stasis-hooks installed"
like "$("$d/usr/local/sbin/stasis-hooks" tarfs --help 2>&1)" \
    "^usage: stasis tarfs" "stasis-hooks runs what it lacks from stasis-tarfs"
ok "$([ -f "$d/usr/local/share/man/man8/stasis.8" ]; echo $?)" \
    "stasis(8) installed"
for p in jail jls jexec; do
	is "$(cat "$d/usr/local/share/man/man8/$p.8" 2>/dev/null)" \
	    ".so man8/stasis-$p.8" "man $p: an alias of stasis-$p(8)"
done
is "$(cat "$d/usr/local/share/man/man8/bectl.8" 2>/dev/null)" \
    ".so man8/stasis-be.8" "man bectl: an alias of stasis-be(8)"
is "$(cat "$d/usr/local/share/man/man8/mount.tarfs.8" 2>/dev/null)" \
    ".so man8/stasis-tarfs.8" "man mount.tarfs: an alias of stasis-tarfs(8)"
# `stasis --help` says "see stasis-COMMAND(8)": every command has one,
# a page or an alias of the page that documents it; so has every link.
cmds=$("$d/usr/local/sbin/stasis" --help | \
    awk '/^commands:/ { f = 1; next } f && /^  [a-z]/ { print $1 }')
ok "$([ -n "$cmds" ]; echo $?)" "stasis --help lists commands"
for c in $cmds; do
	ok "$([ -f "$d/usr/local/share/man/man8/stasis-$c.8" ]; echo $?)" \
	    "stasis-$c(8) installed"
done
if command -v man >/dev/null; then
	for p in $(printf 'stasis-%s\n' $cmds) jail jls jexec bectl sync-be \
	    mount.tarfs; do
		# Its title (STASIS-JAIL(8)) or its NAME (stasis-tarfs, mount.tarfs).
		like "$(MANPAGER=cat man -M "$d/usr/local/share/man" 8 $p 2>/dev/null | head -20 | tr A-Z a-z)" \
		    "(^| )$p([(,]| |$)" "man $p shows the page that names it"
	done
fi
out=$("$d/usr/local/sbin/stasis" --version)
like "$out" "^stasis " "the installed binary runs"
run_ok "make uninstall" -- make -s -C "$top" uninstall DESTDIR="$d" \
    PREFIX=/usr/local B="${STASIS_BUILD#$top/}"
is "$(find "$d" -type f -o -type l | wc -l | tr -d ' ')" 0 \
    "uninstall removes everything it installed"
done_testing
