#!/bin/sh
# What an operator reads matches what the code takes: every option a
# command's source accepts (its getopt strings and long options) and
# every option its --help shows is in its manual page, and every page
# lints clean with mandoc at style level (but for pages it cannot find
# on this machine: the cross-references between ours, and FreeBSD's).
. "$(dirname "$0")/tap.sh"
command -v mandoc >/dev/null || skip_all "mandoc not installed"
command -v perl >/dev/null || skip_all "perl not installed"
top=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d /tmp/stasis-manopt.XXXXXX)
cleanup "rm -rf $T"

# opts MODE: the options in the text on stdin, one a line.  MODE getopt:
# -abc is three options, -[cmr] too, --long is one; MODE go (hooks, as
# Go's flag package): -word and --word are the flag -word.
opts() {
	perl -ne '
		$m = "'"$1"'";
		while (/(?<![\w.\/=-])(--?)([A-Za-z][\w.-]*)/g) {
			($d, $w) = ($1, $2);
			$w =~ s/[.]+$//;
			if ($m eq "go") { print "-$w\n"; next }
			if ($d eq "--") { print "--$w\n"; next }
			print "-$_\n" for split //, $w;
		}
		while (/(?<![\w-])-\[([A-Za-z]+)\]/g) { print "-$_\n" for split //, $1 }
	' | sort -u
}

# src_opts MODE FILE...: what the source accepts.  getopt: the letters
# of getopt's option strings and the names of struct option; go: the
# names of cmd_hooks.c's flag table.  Help (-h, --help, -help) is left
# out: it prints the usage, which is checked against the page below.
src_opts() {
	_m=$1; shift
	perl -0777 -ne '
		$m = "'"$_m"'";
		if ($m eq "go") {
			while (/\{\s*"([\w-]+)",\s*F_[A-Z]+/g) {
				print "-$1\n" unless $1 eq "h" || $1 eq "help";
			}
			next;
		}
		%help = ();
		while (/\{\s*"([\w-]+)",\s*\w+_argument,\s*NULL,\s*\x27(.)\x27/g) {
			if ($1 eq "help") { $help{$2} = 1; next }
			print "--$1\n";
		}
		# Letters of the literals in getopt calls and optstr = ...,
		# but not a literal compared with (strcmp(cmd, "drain")).
		@lit = ();
		push @lit, $1 while /getopt(?:_long)?\s*\(\s*argc,\s*argv,(.*?)\)\)\s*!=\s*-1/gs;
		push @lit, $1 while /optstr = (.*?);/gs;
		for $s (@lit) {
			while ($s =~ /"([^"]*)"(\s*\))?/g) {
				next if defined $2;
				for (split //, $1) {
					next if /[+:]/ || $help{$_};
					print "-$_\n";
				}
			}
		}
	' "$@" | sort -u
}

# man_has PAGE OPT: OPT is written on the page, alone (not inside -abc).
render() {	# render PAGE: the page as text, without overstrike
	mandoc -Tascii "$1" | perl -pe 's/.\x08//g'
}
man_has() {
	perl -e '
		($opt, $f) = @ARGV; local $/; open F, $f or die; $t = <F>;
		exit($t =~ /(?<![\w-])\Q$opt\E(?![\w-])/ ? 0 : 1);
	' -- "$2" "$1"
}

# check NAME MODE PAGE HELPTEXT SRC...: every option of the help text
# and of the source files is on PAGE.
check() {
	_n=$1 _m=$2 _p=$3 _h=$4; shift 4
	render "$top/man/$_p" >"$T/page"
	_miss=
	for o in $(printf '%s\n' "$_h" | opts "$_m"); do
		man_has "$T/page" "$o" || _miss="$_miss $o"
	done
	ok "$([ -z "$_miss" ]; echo $?)" "$_n: the options of its --help are in $_p"
	[ -n "$_miss" ] && echo "#   not in $_p:$_miss" >&2
	[ $# -eq 0 ] && return
	_miss=
	for o in $(src_opts "$_m" "$@"); do
		man_has "$T/page" "$o" || _miss="$_miss $o"
	done
	ok "$([ -z "$_miss" ]; echo $?)" "$_n: the options its source accepts are in $_p"
	[ -n "$_miss" ] && echo "#   accepted but not in $_p:$_miss" >&2
	:
}

# usage NAME CMD...: CMD (NAME --help) must exit 0; its output is $U.
usage() {
	_n=$1; shift
	U=$("$@" 2>&1 </dev/null)
	ok $? "$_n --help exits 0"
}

s=$top/src
usage stasis "$STASIS" --help
check "stasis" getopt stasis.8 "$U"
usage "stasis hooks" "$STASIS" hooks -help
check "stasis hooks" go stasis-hooks.8 "$U" "$s/hooks/cmd_hooks.c"
usage "stasis tarfs" "$STASIS" tarfs --help
check "stasis tarfs" getopt stasis-tarfs.8 "$U" "$s/tarfs/cmd_tarfs.c"
usage mount.tarfs mount.tarfs --help
check "mount.tarfs" getopt stasis-tarfs.8 "$U"
usage jail jail --help
check "jail" getopt stasis-jail.8 "$U" "$s/jail/cmd_jail.c"
usage "stasis jail diff" "$STASIS" jail diff --help
check "stasis jail diff" getopt stasis-jail.8 "$U"
usage jls jls --help
check "jls" getopt stasis-jls.8 "$U" "$s/jail/cmd_jls.c"
usage jexec jexec --help
check "jexec" getopt stasis-jexec.8 "$U" "$s/jail/cmd_jexec.c"
usage "stasis be" "$STASIS" be --help
check "stasis be" getopt stasis-be.8 "$U" "$s/be/cmd_be.c"
usage bectl bectl --help
check "bectl" getopt stasis-be.8 "$U"
usage sync-be sync-be --help
check "sync-be" getopt sync-be.8 "$U" "$s/be/cmd_sync_be.c"
usage "stasis image" "$STASIS" image --help
check "stasis image" getopt stasis-image.8 "$U" "$s/image/cmd_image.c"
usage "stasis serve" "$STASIS" serve --help
check "stasis serve" getopt stasis-serve.8 "$U" "$s/node/cmd_serve.c"
all=
for c in drain undrain status reload; do
	usage "stasis $c" "$STASIS" $c --help
	all="$all
$U"
done
check "drain, undrain, status, reload" getopt stasis-serve.8 "$all" \
    "$s/node/cmd_ctl.c"

# Every environment variable a feature reads (getenv, be.c's env) is on
# the pages of the commands built on it.
envcheck() {	# envcheck DIR PAGE...
	_d=$1; shift
	for _p in "$@"; do render "$top/man/$_p"; done >"$T/page"
	_miss=
	for v in $(perl -ne 'while (/\b(?:getenv|env)\((.*?)\)/g) {
		$a = $1; print "$1\n" while $a =~ /"([A-Za-z_][A-Za-z0-9_]*)"/g }' \
	    "$s/$_d"/*.c | sort -u); do
		man_has "$T/page" "$v" || _miss="$_miss $v"
	done
	ok "$([ -z "$_miss" ]; echo $?)" "src/$_d: the environment it reads is in $*"
	[ -n "$_miss" ] && echo "#   not on the pages:$_miss" >&2
	:
}
envcheck hooks stasis-hooks.8
envcheck tarfs stasis-tarfs.8
envcheck jail stasis-jail.8 stasis-jls.8 stasis-jexec.8
envcheck be stasis-be.8 sync-be.8
envcheck zfs stasis-be.8
envcheck zfs sync-be.8
envcheck zfs stasis-image.8
envcheck image stasis-image.8

# Every command of stasis --help is in stasis(8)'s list.
render "$top/man/stasis.8" >"$T/page"
for c in $("$STASIS" --help | awk '/^commands:/ { f = 1; next } f && /^  [a-z]/ { print $1 }'); do
	ok "$(grep -Eq "^ {5,}(.*[ ,])?$c(,|$| )" "$T/page"; echo $?)" \
	    "stasis(8) lists the command $c"
done

for m in "$top"/man/*.[0-9]; do
	out=$(mandoc -Tlint -W style "$m" 2>&1 | grep -v \
	    -e 'referenced manual not found' -e 'mandoc.db')
	ok "$([ -z "$out" ]; echo $?)" "$(basename "$m") lints clean at style level"
	[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/#   /' >&2
done
done_testing
