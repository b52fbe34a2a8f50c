#!/bin/sh
# stasis serve reloads serve.conf (SIGHUP, `stasis reload`): an app
# added by reload answers on /_up, a removed one is gone, a changed check
# is restarted with the new settings, the operator's drain and weight
# survive, the hooks file can move, and a bad file (or one that changes
# what needs a restart) keeps the running configuration, says why and
# shows in `stasis status`.
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/lib/node.sh"
need_root
command -v nc >/dev/null || skip_all "nc not installed"

node_tmp
HTTP=$(free_port); AGENT=$(free_port)
export STASIS_RUNDIR="$T/run"

# conf APPS...: serve.conf with the apps given as "name:command-args".
conf() {
	{
		printf 'listen: [127.0.0.1:%s]\nagent: 127.0.0.1:%s\n' "$HTTP" "$AGENT"
		printf 'agent_wait: 200ms\nstate: %s/state.json\n' "$T"
		[ -n "$HOOKS" ] && printf 'hooks: %s\n' "$HOOKS"
		printf 'apps:\n'
		for a in "$@"; do
			printf '  %s:\n    check: {command: [%s], interval: 200ms, timeout: 150ms, rise: 1, fall: 1}\n' \
			    "${a%%:*}" "${a#*:}"
		done
	} >"$T/serve.conf.new"
	mv "$T/serve.conf.new" "$T/serve.conf"
}
code() { curl -s -m 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP$1"; }
# wait_code URL CODE: until /URL answers CODE (5 s).
wait_code() {
	WAIT_TRIES=50 wait_for sh -c "[ \$(curl -s -m 2 -o /dev/null -w '%{http_code}' http://127.0.0.1:$HTTP$1) = $2 ]"
}
st() { stasis status --json -s "$T/ctl.sock" | jq -r "$1"; }
agent() { echo "$1" | nc -q1 127.0.0.1 "$AGENT"; }

printf -- '- id: one\n  execute-command: /bin/echo\n  response-message: hook one\n' >"$T/h1.yaml"
printf -- '- id: two\n  execute-command: /bin/echo\n  response-message: hook two\n' >"$T/h2.yaml"
HOOKS=$T/h1.yaml
# slow: its check is in the middle of a probe most of the time, so the
# reload that removes it retires a thread that is still probing.
conf "web:test, -f, $T/web.ok" "db:true" "slow:sleep, 30"
touch "$T/web.ok"
node_serve "$T/serve.conf"; ok $? "stasis serve starts"
wait_code /_up/web 200; ok $? "web is up"
wait_code /_up/db 200; ok $? "db is up"
is "$(code /_up/new)" 503 "no app new yet: 503"
is "$(curl -s "http://127.0.0.1:$HTTP/hooks/one")" "hook one" "the hooks file serves /hooks/one"

run_ok "reload --help" -- stasis reload --help
stasis drain -s "$T/ctl.sock" web >/dev/null
is "$(code /_up/web)" 404 "web drained by the operator: 404"
stasis undrain -w 30 -s "$T/ctl.sock" db >/dev/null
is "$(agent db)" "up ready 30%" "db weighted 30% by the operator"
started=$(st .started)

# Add an app with `stasis reload`.
conf "web:test, -f, $T/web.ok" "db:true" "slow:sleep, 30" "new:true"
out=$(stasis reload -s "$T/ctl.sock"); ok $? "stasis reload succeeds"
like "$out" "reloaded $T/serve.conf: app new added" "and says what changed"
wait_code /_up/new 200; ok $? "the added app answers /_up/new 200"
is "$(agent new)" "up ready 100%" "and the agent knows it"
is "$(code /_up/web)" 404 "web is still drained after the reload"
is "$(st '.apps[] | select(.name == "web") | .admin')" drain "status: web admin drain"
is "$(agent db)" "up ready 30%" "db keeps the operator's weight"
is "$(st .pid)" "$SERVE_PID" "same process"
is "$(st .started)" "$started" "not restarted"
like "$(cat "$T/serve.log")" "reload: $T/serve.conf: app new added" "one log line says what changed"

# Remove an app with SIGHUP.
conf "web:test, -f, $T/web.ok" "new:true"
kill -HUP "$SERVE_PID"
wait_code /_up/db 503; ok $? "a removed app: /_up/db 503"
like "$(curl -s "http://127.0.0.1:$HTTP/_up/db")" "no such app" "and says it is not configured"
is "$(st '[.apps[].name] | join(",")')" "web,new" "status lists the apps of the new file"
is "$(agent db)" "down" "the agent says down for it"
like "$(cat "$T/serve.log")" 'SIGHUP: reloading' "SIGHUP reloads the configuration"
like "$(cat "$T/serve.log")" 'app db removed; app slow removed' "and logs the removals"
is "$(code /_up/slow)" 503 "the app whose check was probing is gone too"
is "$(code /_up/web)" 404 "web still drained"

# Change a check: new now tests a file that is not there.
conf "web:test, -f, $T/web.ok" "new:test, -f, $T/new.ok"
like "$(stasis reload -s "$T/ctl.sock")" "app new: check changed" "a changed check is reported"
wait_code /_up/new 503; ok $? "the new check runs: /_up/new 503"
like "$(curl -s "http://127.0.0.1:$HTTP/_up/new")" "test: exit 1" "with the new command"
touch "$T/new.ok"
wait_code /_up/new 200; ok $? "and passes when its file appears"

# A bad file: the running configuration stays, the error is reported.
cp "$T/serve.conf" "$T/good.conf"
printf 'apps:\n  web:\n    chek: {}\n' >"$T/serve.conf"
out=$(stasis reload -s "$T/ctl.sock" 2>&1); rc=$?
ok "$([ $rc -ne 0 ]; echo $?)" "a bad file: stasis reload exits non-zero ($rc)"
like "$out" "app web: unknown key \"chek\"" "and names the key"
like "$out" "running configuration stays" "and says nothing changed"
is "$(code /_up/new)" 200 "the running apps still answer"
is "$(code /_up/web)" 404 "web still drained"
is "$(st .config.reload_failed)" true "status --json: reload_failed"
like "$(stasis status -s "$T/ctl.sock")" 'last reload FAILED.*unknown key "chek"' "status says the last reload failed"
# A long key of 2-byte characters: the stored error is cut at 512 bytes,
# in the middle of a character for one of the two; it still shows in
# status --json (jansson refuses a string cut so).
e=$(printf '%0300d' 0 | sed 's/0/\xc3\xa9/g')
for k in "$e" "x$e"; do
	printf 'apps:\n  web:\n    %s: {}\n' "$k" >"$T/serve.conf"
	stasis reload -s "$T/ctl.sock" >/dev/null 2>&1
	like "$(st .config.reload_error)" 'unknown key' "status --json: a reload error cut in a character (${#k})"
done
printf 'apps:\n  web:\n    chek: {}\n' >"$T/serve.conf"
stasis reload -s "$T/ctl.sock" >/dev/null 2>&1
kill -HUP "$SERVE_PID"
WAIT_TRIES=50 wait_for sh -c "[ \$(grep -c 'unknown key \"chek\"' '$T/serve.log') -ge 2 ]"
ok $? "a bad file on SIGHUP is logged"
kill -0 "$SERVE_PID"; ok $? "and the daemon runs on"

# A key that needs a restart is refused, not half-applied.
sed "s/127.0.0.1:$HTTP/127.0.0.1:$(free_port)/" "$T/good.conf" >"$T/serve.conf"
out=$(stasis reload -s "$T/ctl.sock" 2>&1)
ok "$([ $? -ne 0 ]; echo $?)" "changing listen by reload fails"
like "$out" 'listen changed: .*restart stasis serve' "and says a restart is needed"
is "$(code /_up/new)" 200 "the old listener still answers"

# A good file again: the error goes; the hooks file moves.
sed "s|$T/h1.yaml|$T/h2.yaml|" "$T/good.conf" >"$T/serve.conf"
like "$(stasis reload -s "$T/ctl.sock")" "hooks $T/h2.yaml" "the hooks file moved"
is "$(st .config.reload_error)" null "status: no reload error any more"
is "$(curl -s "http://127.0.0.1:$HTTP/hooks/two")" "hook two" "the new hooks file serves /hooks/two"
is "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP/hooks/one")" 404 "the old hook is gone"
like "$(stasis reload -s "$T/ctl.sock")" ": no changes" "nothing changed: says so"
printf -- '- id: two\n  execute-command: /bin/echo\n  response-message: hook two again\n' >"$T/h2.yaml"
stasis reload -s "$T/ctl.sock" >/dev/null
is "$(curl -s "http://127.0.0.1:$HTTP/hooks/two")" "hook two again" "the same hooks file is read again"

is "$(code /_up/web)" 404 "web drained through all reloads"
stasis undrain -s "$T/ctl.sock" web >/dev/null
wait_code /_up/web 200; ok $? "undrained: 200"

# A daemon on flags alone has no file to read again, and says so.
stasis serve -s "$T/flags.sock" -S "" -l "127.0.0.1:$(free_port)" >>"$T/serve.log" 2>&1 &
FL=$!
cleanup "kill $FL 2>/dev/null"
WAIT_TRIES=100 wait_for test -S "$T/flags.sock"
like "$(stasis reload -s "$T/flags.sock")" "no configuration file: nothing to reload" "reload without a file: nothing to do"
kill $FL
wait $FL
node_log_clean
done_testing
