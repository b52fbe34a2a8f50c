#!/bin/sh
# stasis serve on its own: flags and config errors, HTTP and TCP checks
# against real servers, a hanging check that must not block /_up, /jails
# for many concurrent clients (with a real jail when `stasis jail` is
# built), the agent port without agent-send, --hooks, the control socket.
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/lib/node.sh"
need_root
command -v python3 >/dev/null || skip_all "python3 not installed"

node_tmp
HTTP=$(free_port); AGENT=$(free_port); WEB=$(free_port); DB=$(free_port)
export STASIS_RUNDIR="$T/run"

run_ok "serve --help" -- stasis serve --help
like "$(stasis serve --help)" 'stasis-serve.conf\(5\)' "--help names the config page"
run_ok "drain --help" -- stasis drain --help

# Bad configuration: a clear error naming the file and the key, exit 1.
printf 'apps:\n  web:\n    chek: {}\n' >"$T/typo.conf"
run_fails "a typo in the config fails" -- stasis serve -t -c "$T/typo.conf"
like "$(stasis serve -t -c "$T/typo.conf" 2>&1)" "^stasis: serve: config: $T/typo.conf: app web: unknown key \"chek\"" "and says where"
printf 'apps:\n  web:\n    check: {tcp: "h:1", interval: 2s, fall: 3}\nbgp:\n  socket: /x\n  withdraw_within: 2s\n  prefixes:\n    192.0.2.1/32: {protocol: p}\n' >"$T/slow.conf"
like "$(stasis serve -t -c "$T/slow.conf" 2>&1)" 'withdraw_within 2000 ms cannot be kept' "a withdraw_within the checks cannot keep is refused"
run_fails "a missing config fails" -- stasis serve -t -c "$T/nonexistent.conf"
is "$(stasis serve -t -c "$T/nonexistent.conf" 2>&1)" "stasis: serve: config: $T/nonexistent.conf: No such file or directory" "a missing config: its path said once"

# The shipped examples stay valid for all three programs.
EX=$(cd "$(dirname "$0")/../../examples/serve" && pwd)
run_ok "examples/serve/serve.conf checks" -- stasis serve -t -c "$EX/serve.conf"
if command -v bird >/dev/null; then
	run_ok "examples/serve/bird.conf parses (bird -p)" -- bird -p -c "$EX/bird.conf"
fi
if command -v haproxy >/dev/null; then
	run_ok "examples/serve/haproxy.cfg parses (haproxy -c)" -- haproxy -c -f "$EX/haproxy.cfg"
fi

python3 -m http.server "$WEB" --bind 127.0.0.1 --directory "$T" >/dev/null 2>&1 &
PY=$!
cleanup "kill $PY"
echo ok >"$T/health"

cat >"$T/serve.conf" <<CONF
listen: [127.0.0.1:$HTTP]
agent: 127.0.0.1:$AGENT
agent_wait: 200ms
state: $T/state.json
jails_ttl: 5s
apps:
  web:
    check: {http: "http://127.0.0.1:$WEB/health", expect: 200,
            interval: 200ms, timeout: 150ms, rise: 1, fall: 1}
  db:
    check: {tcp: "127.0.0.1:$DB", interval: 200ms, timeout: 150ms,
            rise: 1, fall: 1}
  slow:
    check: {command: [sleep, 30], interval: 5s, timeout: 4s}
  svc:
    jail: sv$$
    check: {interval: 200ms, timeout: 100ms, rise: 1, fall: 1}
CONF
run_ok "the config checks" -- stasis serve -t -c "$T/serve.conf"
WAIT_TRIES=100 wait_for curl -sf "http://127.0.0.1:$WEB/health"
node_serve "$T/serve.conf" -P "$T/serve.pid"; ok $? "stasis serve starts"
is "$(cat "$T/serve.pid")" "$SERVE_PID" "the pid file holds its pid"

code() { curl -s -m 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP$1"; }
WAIT_TRIES=50 wait_for sh -c "[ \$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$HTTP/_up/web) = 200 ]"
is "$(code /_up/web)" 200 "HTTP check passes: /_up/web 200"
is "$(code /_up/db)" 503 "TCP check fails (nothing listens): /_up/db 503"
rm "$T/health"
WAIT_TRIES=50 wait_for sh -c "[ \$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$HTTP/_up/web) = 503 ]"
is "$(code /_up/web)" 503 "the app's health URL answers 404: /_up/web 503"
like "$(curl -s "http://127.0.0.1:$HTTP/_up/web")" 'GET /health: 404' "and the body says why"
echo ok >"$T/health"
WAIT_TRIES=50 wait_for sh -c "[ \$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$HTTP/_up/web) = 200 ]"

# The `slow` check hangs for 4 s at a time; the HTTP side never waits.
t0=$(now_ms)
is "$(code /_up/slow)" 503 "a hanging check: /_up/slow answers 503 at once"
is "$(code /_up/web)" 200 "and the other apps answer too"
dt=$(($(now_ms) - t0))
ok "$([ $dt -lt 1500 ]; echo $?)" "no answer waited on the hanging check ($dt ms)"

python3 -c "
import socket
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1',$DB)); s.listen(64)
while True:
	s.accept()[0].close()" &
DBP=$!
cleanup "kill $DBP"
WAIT_TRIES=50 wait_for sh -c "[ \$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$HTTP/_up/db) = 200 ]"
is "$(code /_up/db)" 200 "TCP check passes once something listens"
is "$(code /_up)" 200 "/_up: at least one app serves"

# The agent without agent-send: the node's answer after agent_wait.
is "$(nc -q1 127.0.0.1 "$AGENT" </dev/null)" "up ready 100%" "agent without a name answers for the node"
is "$(echo db | nc -q1 127.0.0.1 "$AGENT")" "up ready 100%" "agent for db"
is "$(echo nosuch | nc -q1 127.0.0.1 "$AGENT")" "down" "agent for an unknown app: down"
pids=""
for i in $(seq 1 100); do
	(echo db | nc -q1 127.0.0.1 "$AGENT" >"$T/agent.$i") &
	pids="$pids $!"
done
wait $pids
is "$(cat "$T"/agent.* | sort | uniq -c | tr -s ' ')" " 100 up ready 100%" "100 agent checks at once are all answered"

# /jails: the jls document, for many clients at once.
is "$(code /jails)" 200 "/jails answers"
is "$(curl -s "http://127.0.0.1:$HTTP/jails")" "$(jls -v --libxo json)" "/jails is what jls -v --libxo json prints"
for i in $(seq 1 64); do
	curl -s "http://127.0.0.1:$HTTP/jails" >"$T/jails.$i" &
done
wait_ok=0
for i in $(seq 1 64); do
	wait_for test -s "$T/jails.$i" || wait_ok=1
done
sleep 0.5
ok "$(for i in $(seq 1 64); do cmp -s "$T/jails.1" "$T/jails.$i" || echo x; done | wc -l | tr -d ' ' | grep -qx 0; echo $?)" "64 concurrent clients all get the document"
# A real jail: /jails shows it at once (jails_ttl is 5 s, so only the
# inotify watch can make it current) and the app in it comes up; when
# the jail goes, the app is down at once.
ROOT=$T/root
node_mkroot "$ROOT"
is "$(code /_up/svc)" 503 "app svc: its jail does not exist: 503"
jail -q -c name=sv$$ path="$ROOT" "mount=/usr $ROOT/usr nullfs ro" persist
ok $? "jail -c sv$$"
cleanup "jail -q -r sv$$"
WAIT_TRIES=20 wait_for sh -c "curl -s http://127.0.0.1:$HTTP/jails | grep -q '\"name\": \"sv$$\"'"
ok $? "/jails shows the new jail at once"
is "$(curl -s "http://127.0.0.1:$HTTP/jails")" "$(jls -v --libxo json)" "the same document as jls -v --libxo json"
WAIT_TRIES=50 wait_for sh -c "[ \$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$HTTP/_up/svc) = 200 ]"
is "$(code /_up/svc)" 200 "app svc: jail running: 200"
jail -q -r sv$$
WAIT_TRIES=20 wait_for sh -c "[ \$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$HTTP/_up/svc) = 503 ]"
is "$(code /_up/svc)" 503 "jail removed: 503"
like "$(curl -s "http://127.0.0.1:$HTTP/_up/svc")" "jail sv$$ is not running" "and the body says why"
WAIT_TRIES=20 wait_for sh -c "! curl -s http://127.0.0.1:$HTTP/jails | grep -q sv$$"
ok $? "/jails drops it"

# The control socket.
like "$(stasis status -s "$T/ctl.sock")" 'web +- +ready +100% up' "status lists the apps"
is "$(stasis status --json -s "$T/ctl.sock" | jq -r '.apps | length')" 4 "status --json"
run_fails "drain without an app fails" -- stasis drain -s "$T/ctl.sock"
like "$(stasis undrain -w 200 -s "$T/ctl.sock" web 2>&1)" 'percentage' "a weight over 100% is refused"
like "$(stasis status -s "$T/nosuch.sock" 2>&1)" 'is stasis serve running' "no daemon: a clear error"
is "$(echo 'reboot now' | nc -U -q1 "$T/ctl.sock" | jq -r .ok)" false "unknown request refused"
# The error quotes the request: one that is not UTF-8 still gets a JSON answer.
is "$(printf 'reb\351t now\n' | nc -U -q1 "$T/ctl.sock" | jq -r .error)" \
    'unknown request "reb?t" (want status, reload, drain APP, maint APP, undrain APP [PCT], weight APP PCT)' \
    "an unknown request that is not UTF-8: the answer is JSON"
like "$(stat -c %a "$T/ctl.sock")" '^600$' "the control socket is 0600"

# A second daemon on the same socket refuses to start.
run_fails "a second daemon on the same control socket fails" -- stasis serve -c "$T/serve.conf" -s "$T/ctl.sock" -l 127.0.0.1:$(free_port) -a 127.0.0.1:$(free_port) -S "$T/other.state"
like "$(stasis serve -c "$T/serve.conf" -s "$T/ctl.sock" -l 127.0.0.1:$(free_port) -a 127.0.0.1:$(free_port) -S "$T/other.state" 2>&1)" 'another stasis serve is running' "and says why"
ok "$([ ! -e "$T/other.state" ]; echo $?)" "and touched no state"
node_serve_stop; ok $? "stops on SIGTERM"
ok "$([ ! -e "$T/ctl.sock" ]; echo $?)" "and removes its control socket"
ok "$([ ! -e "$T/serve.pid" ]; echo $?)" "and its pid file"

# --hooks: the webhooks in the same daemon; SIGHUP reloads them.
cat >"$T/hooks.yaml" <<CONF
- id: hello
  execute-command: /bin/echo
  response-message: hello from the node
CONF
node_serve "$T/serve.conf" -H "$T/hooks.yaml"; ok $? "serve --hooks starts"
is "$(curl -s "http://127.0.0.1:$HTTP/hooks/hello")" "hello from the node" "a webhook answers on the same port"
is "$(code /_up/web)" 200 "next to /_up"
sed -i 's/hello from the node/reloaded/' "$T/hooks.yaml"
kill -HUP "$SERVE_PID"
WAIT_TRIES=50 wait_for sh -c "curl -s http://127.0.0.1:$HTTP/hooks/hello | grep -q reloaded"
ok $? "SIGHUP reloads the hooks"
node_serve_stop

# HTTPS, and client certificates from a CA (other nodes' haproxies).
if command -v openssl >/dev/null; then
	(cd "$T" &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout ca.key -out ca.pem -days 2 -subj /CN=ca &&
	for n in server client; do
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		    -keyout $n.key -out $n.csr -subj /CN=$n &&
		printf 'subjectAltName=IP:127.0.0.1\n' >$n.ext &&
		openssl x509 -req -in $n.csr -CA ca.pem -CAkey ca.key \
		    -CAcreateserial -out $n.pem -days 2 -extfile $n.ext
	done) >/dev/null 2>&1
	ok $? "a CA, a server and a client certificate"
	TLS=$(free_port)
	printf 'tls: {cert: %s/server.pem, key: %s/server.key, client_ca: %s/ca.pem}\n' "$T" "$T" "$T" >>"$T/serve.conf"
	node_serve "$T/serve.conf" -l 127.0.0.1:$TLS; ok $? "serve with tls and client_ca"
	is "$(curl -s --cacert "$T/ca.pem" --cert "$T/client.pem" --key "$T/client.key" -o /dev/null -w '%{http_code}' "https://127.0.0.1:$TLS/_up/web")" 200 "HTTPS with a client certificate: 200"
	run_fails "no client certificate, no answer" -- curl -sf --cacert "$T/ca.pem" "https://127.0.0.1:$TLS/_up/web"
	# A renewed certificate, in place: a reload serves it.
	peer() {
		openssl s_client -connect 127.0.0.1:$TLS -CAfile "$T/ca.pem" \
		    -cert "$T/client.pem" -key "$T/client.key" </dev/null 2>/dev/null |
		    openssl x509 -noout -subject 2>/dev/null
	}
	is "$(peer)" "subject=CN = server" "TLS: the first certificate"
	(cd "$T" &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout new.key -out new.csr -subj /CN=renewed &&
	openssl x509 -req -in new.csr -CA ca.pem -CAkey ca.key \
	    -CAcreateserial -out new.pem -days 2 -extfile server.ext &&
	mv new.key server.key && mv new.pem server.pem) >/dev/null 2>&1
	out=$(stasis reload -s "$T/ctl.sock" 2>&1)
	like "$out" "tls: serving /CN=renewed, valid until" "reload: a renewed certificate is read again"
	is "$(peer)" "subject=CN = renewed" "and served to new connections"
	is "$(curl -s --cacert "$T/ca.pem" --cert "$T/client.pem" --key "$T/client.key" -o /dev/null -w '%{http_code}' "https://127.0.0.1:$TLS/_up/web")" 200 "HTTPS after the renewal: 200"
	cp "$T/server.pem" "$T/server.pem.good"
	echo broken >"$T/server.pem"
	out=$(stasis reload -s "$T/ctl.sock" 2>&1); rc=$?
	[ "$rc" -ne 0 ]; ok $? "reload with a broken certificate fails"
	like "$out" "tls: TLS certificate .*server.pem" "and names the file"
	is "$(peer)" "subject=CN = renewed" "the running certificate stays"
	mv "$T/server.pem.good" "$T/server.pem"
	sed -i 's/^tls:.*$//' "$T/serve.conf"
	out=$(stasis reload -s "$T/ctl.sock" 2>&1)
	like "$out" "tls changed: a reload cannot apply it" "turning TLS off needs a restart"
	node_serve_stop
else
	ok 0 "# SKIP openssl not installed"
fi

# The hooks file from the configuration instead of -H.
sed -i '/^tls:/d' "$T/serve.conf"
printf 'hooks: %s/hooks.yaml\n' "$T" >>"$T/serve.conf"
node_serve "$T/serve.conf"; ok $? "serve with hooks: in the config"
is "$(curl -s "http://127.0.0.1:$HTTP/hooks/hello")" "reloaded" "the config's hooks file is served"
node_serve_stop

# Webhook runs are bounded under serve: hooks_max_runs at once per hook
# (503 past it), hooks_run_timeout kills a run's process group.
cat >"$T/slow.yaml" <<CONF
- id: slow
  execute-command: /bin/sh
  pass-arguments-to-command:
    - source: string
      name: -c
    - source: string
      name: "sleep 30; : stasis-serve-slow-$$"
CONF
cp "$T/serve.conf" "$T/serve-slow.conf"
sed -i '/^hooks:/d' "$T/serve-slow.conf"
printf 'hooks: %s/slow.yaml\nhooks_max_runs: 1\nhooks_run_timeout: 1s\n' \
    "$T" >>"$T/serve-slow.conf"
node_serve "$T/serve-slow.conf"; ok $? "serve with hooks_max_runs and hooks_run_timeout"
is "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP/hooks/slow")" 200 "a run starts"
WAIT_TRIES=50 wait_for pgrep -f "stasis-serve-slow-$$"
ok $? "and runs"
is "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP/hooks/slow")" 503 "a second at once: 503 (hooks_max_runs: 1)"
WAIT_TRIES=50 wait_for sh -c "! pgrep -f stasis-serve-slo[w]-$$"
ok $? "hooks_run_timeout: 1s killed the run"
node_serve_stop
printf 'hooks_run_timeout: soon\n' >>"$T/serve-slow.conf"
run_fails "a bad hooks_run_timeout is refused" -- stasis serve -t -c "$T/serve-slow.conf"

# The agent port and the control socket have limits of their own: 300
# agent connections held open (agent_wait 10s, so none is answered) get
# 256 through and the rest closed, and the operator still gets status.
sed 's/^agent_wait: .*/agent_wait: 10s/' "$T/serve.conf" >"$T/serve-flood.conf"
node_serve "$T/serve-flood.conf"; ok $? "serve with agent_wait 10s"
python3 -c "
import socket, select, time, os
socks = [socket.create_connection(('127.0.0.1', $AGENT)) for _ in range(300)]
time.sleep(1)
r, _, _ = select.select(socks, [], [], 0)
closed = sum(1 for s in r if s.recv(1) == b'')
open('$T/flood.closed', 'w').write('%d\\n' % closed)
os.rename('$T/flood.closed', '$T/flood.ready')
time.sleep(8)
" &
FLOOD=$!
cleanup "kill $FLOOD 2>/dev/null"
WAIT_TRIES=100 wait_for test -e "$T/flood.ready"
is "$(cat "$T/flood.ready")" 44 "300 agent connections: 256 held, 44 closed at once"
like "$(stasis status -s "$T/ctl.sock" 2>&1)" 'web +- +' "status answers while the agent port is full"
run_ok "drain answers while the agent port is full" -- stasis drain -s "$T/ctl.sock" web
run_ok "undrain too" -- stasis undrain -s "$T/ctl.sock" web
kill $FLOOD 2>/dev/null
node_serve_stop

# A reply the control socket does not take at once waits for its client
# to read it, without stopping the loop: a status of 256 apps whose
# checks print control characters (each one \u0001 in the JSON) is more
# than a socket takes; client A asks for it and reads nothing until
# client B has asked for and read a status of its own, and then A still
# gets the whole of it.  A client that never reads is closed.
printf '#!/bin/sh\nhead -c 100 /dev/zero | tr "\\000" "\\001"\nexit 1\n' >"$T/noisy"
chmod +x "$T/noisy"
python3 -c "
print('state: $T/big.state')
print('apps:')
for i in range(256):
    print('  a%03d%s: {check: {command: [$T/noisy], interval: 1h}}' % (i, 'x' * 59))
" >"$T/big.conf"
node_serve "$T/big.conf"; ok $? "serve with 256 apps"
WAIT_TRIES=100 wait_for sh -c "[ \$(stasis status --json -s $T/ctl.sock | jq '[.apps[] | select(.failures > 0)] | length') = 256 ]"
python3 -c "
import socket, select, json
def ask():
    s = socket.socket(socket.AF_UNIX)
    s.connect('$T/ctl.sock')
    s.sendall(b'status\\n')
    return s
def answer(s):
    d = b''
    while True:
        r = s.recv(65536)
        if not r:
            break
        d += r
    try:
        return '%d apps' % len(json.loads(d)['status']['apps'])
    except Exception:
        return 'not JSON (%d bytes)' % len(d)
a = ask()
select.select([a], [], [], 10)
b = answer(ask())
print('B %s, then A %s' % (b, answer(a)))
" >"$T/reply.out" 2>&1
is "$(cat "$T/reply.out")" "B 256 apps, then A 256 apps" "a client that does not read its reply holds up no other, and gets it whole when it reads"
python3 -c "
import socket, select, time
a = socket.socket(socket.AF_UNIX)
a.connect('$T/ctl.sock')
a.sendall(b'status\\n')
time.sleep(30)
" &
NOREAD=$!
cleanup "kill $NOREAD 2>/dev/null"
WAIT_TRIES=150 wait_for grep -q "control socket: a client took [0-9]* of its [0-9]*-byte reply and nothing for 5000 ms: closed" "$T/serve.log"
ok $? "a client that never reads is closed, and the log says so"
like "$(stasis status -s "$T/ctl.sock" 2>&1)" 'a000x+ +- +' "status still answers"
kill $NOREAD 2>/dev/null
node_serve_stop

# A check's output that is not UTF-8 (latin-1 here, or a character cut
# by the message's length) is still shown: each stray byte as '?'.
printf '#!/bin/sh\nprintf "caf\\351 au lait"\nexit 1\n' >"$T/latin1"
chmod +x "$T/latin1"
printf 'state: %s/latin.state\napps:\n  good:\n    check: {command: [/bin/false], interval: 1h}\n  latin:\n    check: {command: [%s/latin1], interval: 1h}\n' "$T" "$T" >"$T/latin.conf"
node_serve "$T/latin.conf"; ok $? "serve with a check that prints latin-1"
WAIT_TRIES=100 wait_for sh -c "[ \$(stasis status --json -s $T/ctl.sock | jq '[.apps[] | select(.failures > 0)] | length') = 2 ]"
is "$(stasis status --json -s "$T/ctl.sock" | jq -r '[.apps[].name] | join(" ")')" "good latin" "status lists both apps"
like "$(stasis status --json -s "$T/ctl.sock" | jq -r '.apps[1].message')" 'latin1: exit 1: caf\? au lait' "the stray byte shown as ?"
node_serve_stop

printf -- '- id: [broken\n' >"$T/bad-hooks.yaml"
run_fails "a bad hooks file fails at start" -- stasis serve -c "$T/serve.conf" -s "$T/ctl2.sock" -l 127.0.0.1:$(free_port) -H "$T/bad-hooks.yaml"
node_log_clean
done_testing
