# A minimal TAP producer for the functional tests (POSIX sh + bash-isms
# avoided where cheap).  Source it: . "$(dirname "$0")/tap.sh"
#
# STASIS_BUILD points at the build directory; $STASIS is the binary and
# the personality links are first in PATH (the Makefile sets both).

: "${STASIS_BUILD:=$(cd "$(dirname "$0")/../.." && pwd)/build}"
STASIS="$STASIS_BUILD/stasis"
PATH="$STASIS_BUILD/bin:$PATH"
export STASIS STASIS_BUILD PATH

_tap_n=0
_tap_failed=0
_tap_cleanups=""

# A failure's details go to stderr, which prove shows without -v: the
# make check log of a CI run then says what differed, not only which.
ok() {	# ok STATUS NAME...: pass when STATUS is 0
	_s=$1; shift
	_tap_n=$((_tap_n + 1))
	if [ "$_s" -eq 0 ]; then
		echo "ok $_tap_n - $*"
	else
		_tap_failed=$((_tap_failed + 1))
		echo "not ok $_tap_n - $*"
	fi
}

is() {	# is GOT WANT NAME...
	_g=$1; _w=$2; shift 2
	if [ "$_g" = "$_w" ]; then
		ok 0 "$@"
	else
		ok 1 "$@"
		printf '#   got:  %s\n#   want: %s\n' "$_g" "$_w" | sed 's/^/#/' >&2
	fi
}

like() {	# like GOT PATTERN(grep -E) NAME...
	_g=$1; _p=$2; shift 2
	if printf '%s\n' "$_g" | grep -Eq -- "$_p"; then
		ok 0 "$@"
	else
		ok 1 "$@"
		printf '#   got:  %s\n#   want match: %s\n' "$_g" "$_p" >&2
	fi
}

run_ok() {	# run_ok NAME -- CMD...: pass when CMD exits 0
	_name=$1; shift; [ "$1" = "--" ] && shift
	if _out=$("$@" 2>&1); then ok 0 "$_name"; else
		ok 1 "$_name"; printf '%s\n' "$_out" | sed 's/^/#   /' >&2; fi
}

run_fails() {	# run_fails NAME -- CMD...: pass when CMD exits non-zero
	_name=$1; shift; [ "$1" = "--" ] && shift
	if _out=$("$@" 2>&1); then
		ok 1 "$_name"; printf '%s\n' "$_out" | sed 's/^/#   /' >&2
	else ok 0 "$_name"; fi
}

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

diag() {
	printf '# %s\n' "$*"
}

# cleanup CMD: run CMD (a string) at exit, last registered first.
cleanup() {
	_tap_cleanups="$1
$_tap_cleanups"
}

_tap_exit() {
	_rc=$?
	set +e
	printf '%s\n' "$_tap_cleanups" | while IFS= read -r _c; do
		[ -n "$_c" ] && eval "$_c" >/dev/null 2>&1
	done
	return $_rc
}
trap _tap_exit EXIT
trap 'exit 130' INT TERM

done_testing() {
	echo "1..$_tap_n"
	[ "$_tap_failed" -eq 0 ]
}

need_root() {
	[ "$(id -u)" -eq 0 ] || skip_all "needs root"
}

# wait_for CMD...: retry CMD for up to ${WAIT_TRIES:-50} x 0.1 s.
wait_for() {
	_i=0
	while [ $_i -lt "${WAIT_TRIES:-50}" ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# free_port: a TCP port nobody listens on now, on loopback.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
