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

# The operator commands share their long options: one that is another
# command's is a usage error (before, drain --weight 50 drained and
# dropped the weight, reload --json was ignored), and needs no daemon.
for a in "drain --weight 50 web" "drain --libxo json web" "undrain --maint web" \
    "reload --json" "status --weight 5" "status --libxo xml"; do
	out=$(stasis $a 2>&1 </dev/null); rc=$?
	is "$rc" 64 "stasis $a: a usage error (64)"
	like "$out" "^usage: stasis ${a%% *}" "stasis $a: prints the usage"
done
like "$(stasis drain --weight 50 web 2>&1)" \
    "^stasis: drain: --weight is not an option of drain$" "and says which option"

# --libxo as libxo reads it (base/libxo.c): its modifiers are taken,
# a word that only starts like a format is not (jls and status took
# "jsonx" for json, be list refused libxo's own "json,pretty").
out=$(stasis status --libxo jsonx 2>&1 </dev/null); rc=$?
is "$rc" 64 "status --libxo jsonx: a usage error (64)"
like "$out" '"jsonx" is not a libxo format' "and says why"
out=$(jls --libxo jsonx 2>&1); rc=$?
is "$rc" 1 "jls --libxo jsonx fails"
like "$out" '^jls: --libxo jsonx: "jsonx" is not a libxo format or option$' \
    "and says why, once"
jls --libxo json,pretty | jq -e '."jail-information".jail | type == "array"' \
    >/dev/null
ok $? "jls --libxo json,pretty is json"
out=$(jail diff --libxo jsn web 2>&1); rc=$?
ok $((rc == 0)) "jail diff --libxo jsn fails ($rc)"
like "$out" '"jsn" is not a libxo format' "and says why"

# An error is prefixed with the command once, not twice.
like "$(sync-be -p k name conf 2>&1 </dev/null)" "^sync-be: -p and -x go together" \
    "sync-be: one prefix (was sync-be: sync-be:)"
like "$(stasis sync-be -p k name conf 2>&1 </dev/null)" \
    "^stasis: sync-be: -p and -x go together" "stasis sync-be: one prefix"
like "$(stasis image tar -z . 2>&1)" "^stasis: image: tar: -z needs -o file" \
    "stasis image: one prefix (was image: image tar:)"

# Options that do not go together are usage errors, 64 as the pages say
# (they exited 1).
for a in "sync-be -p k name conf" "image tar -z ." "tarfs --embed a.tar" \
    "tarfs --no-embed --index a.tar" "tarfs --index --embed a.tar a.idx"; do
	stasis $a >/dev/null 2>&1 </dev/null
	is "$?" 64 "stasis $a: a usage error (64)"
done
# So is an option's bad value (they exited 1), saying what it wants.
for a in "tarfs --compress -l 99 a.tar b" "tarfs --compress -F 1 a.tar b" \
    "sync-be -m 0 name conf" "sync-be -m lots name conf"; do
	out=$(stasis $a 2>&1 >/dev/null </dev/null); rc=$?
	is "$rc" 64 "stasis $a: a usage error (64)"
	like "$out" "range|from 4k|above 0" "stasis $a: says what it wants"
done
done_testing
