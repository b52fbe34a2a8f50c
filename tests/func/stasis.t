#!/bin/sh
# The stasis binary: dispatch, personalities, --help and --version.
. "$(dirname "$0")/tap.sh"

out=$(stasis --help)
ok $? "stasis --help exits 0"
like "$out" "^usage: stasis command" "--help prints usage"
like "$out" "sync-be" "--help lists the commands"
like "$(stasis --version)" "^stasis [0-9]+\.[0-9]+\.[0-9]+$" "--version"
# Output that cannot be written (a full disk) is a failure, not exit 0.
for a in "--version" "--help" "be --help" "jls --help"; do
	out=$(stasis $a 2>&1 >/dev/full); rc=$?
	ok $((rc == 0)) "stasis $a >/dev/full fails ($rc)"
	like "$out" "write to standard output" "stasis $a >/dev/full says so"
done

out=$(stasis frobnicate 2>&1); rc=$?
is "$rc" 64 "unknown command exits 64 (EX_USAGE)"
like "$out" "stasis: frobnicate: unknown command" "and says so"

out=$(stasis 2>&1); rc=$?
is "$rc" 64 "no command exits 64"

# Each personality link reaches its command (which answers --help itself,
# or says clearly that it is not built).
for p in jail jls jexec bectl sync-be mount.tarfs; do
	out=$("$p" --help 2>&1 </dev/null)
	rc=$?
	if printf '%s' "$out" | grep -q "does not exist yet"; then
		is "$rc" 69 "$p: unbuilt command exits 69"
	else
		like "$out" "[Uu]sage" "$p --help prints its usage"
	fi
done
done_testing
