#!/bin/sh
# stasis serve in front of a real haproxy: the backend server uses
# `option httpchk GET /_up/web`, `http-check disable-on-404` and
# `agent-check` against stasis; the test flips the app up, drained,
# weighted, down and in maintenance and reads haproxy's view back from
# its stats socket.
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/lib/node.sh"
need_root
command -v haproxy >/dev/null || skip_all "haproxy not installed"
command -v socat >/dev/null || skip_all "socat not installed"

node_tmp
HTTP=$(free_port); AGENT=$(free_port); FE=$(free_port); APP=$(free_port)

# The app's own health: a file the test creates and removes.
cat >"$T/serve.conf" <<CONF
listen: [127.0.0.1:$HTTP]
agent: 127.0.0.1:$AGENT
state: $T/state.json
apps:
  web:
    check: {command: [test, -f, $T/web.healthy], interval: 200ms,
            timeout: 150ms, rise: 1, fall: 2}
  api:
    check: {tcp: 127.0.0.1:$APP, interval: 200ms, timeout: 150ms}
lb: {haproxy: $T/haproxy.sock, backend: web, interval: 200ms,
     timeout: 150ms, rise: 1, fall: 1}
CONF

cat >"$T/haproxy.cfg" <<CONF
global
	stats socket $T/haproxy.sock mode 600 level admin
defaults
	mode http
	timeout connect 1s
	timeout client 5s
	timeout server 5s
	timeout check 1s
frontend fe
	bind 127.0.0.1:$FE
	default_backend web
backend web
	option httpchk GET /_up/web
	http-check disable-on-404
	server web1 127.0.0.1:$APP weight 100 check port $HTTP inter 200ms fall 2 rise 1 agent-check agent-port $AGENT agent-send "web\n" agent-inter 200ms
CONF

touch "$T/web.healthy"
node_serve "$T/serve.conf"
ok $? "stasis serve starts"
node_haproxy "$T/haproxy.cfg"
ok $? "haproxy starts with httpchk, disable-on-404 and agent-check"

is "$(hap_wait web web1 status UP)" UP "healthy app: haproxy says UP"
is "$(hap_field web web1 weight)" 100 "healthy app: full weight"
is "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP/_up/web")" 200 "/_up/web is 200"
is "$(echo web | nc -q1 127.0.0.1 "$AGENT")" "up ready 100%" "agent answers up ready 100%"
WAIT_TRIES=50 wait_for sh -c "stasis status -s $T/ctl.sock | grep -q 'load balancer: up'"
ok $? "stasis sees the load balancer (backend web has a server UP)"

stasis drain -s "$T/ctl.sock" web
ok $? "stasis drain web"
is "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP/_up/web")" 404 "drained: /_up/web is 404"
# 404 makes it NOLB, the agent's "drain" DRAIN: no new traffic either way.
like "$(hap_wait web web1 status NOLB)" '^(NOLB|DRAIN)$' "drained: haproxy stops new traffic (NOLB)"
is "$(hap_field web web1 chkfail)" 0 "drained is not a failed check"

stasis undrain -s "$T/ctl.sock" -w 50 web
ok $? "stasis undrain -w 50 web"
is "$(hap_wait web web1 status UP)" UP "undrained: haproxy says UP again"
is "$(hap_wait web web1 weight 50)" 50 "weighted: haproxy's weight is 50"
is "$(hap_cmd 'show servers state web' | awk '$4 == "web1" {print $8}')" 50 "show servers state agrees (srv_uweight 50)"

stasis undrain -s "$T/ctl.sock" -w 100 web
is "$(hap_wait web web1 weight 100)" 100 "weight back to 100"

rm -f "$T/web.healthy"
like "$(hap_wait web web1 status 'DOWN (agent)')" '^DOWN' "app fails its check: haproxy says DOWN"
is "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP/_up/web")" 503 "down: /_up/web is 503"
like "$(echo web | nc -q1 127.0.0.1 "$AGENT")" '^down' "agent answers down"
WAIT_TRIES=50 wait_for sh -c "stasis status -s $T/ctl.sock | grep -q 'load balancer: down'"
ok $? "with its only server down, the load balancer counts as down"

touch "$T/web.healthy"
is "$(hap_wait web web1 status UP)" UP "app healthy again: UP"

stasis drain -m -s "$T/ctl.sock" web
is "$(hap_wait web web1 status MAINT)" MAINT "stasis drain -m: haproxy says MAINT"
stasis undrain -s "$T/ctl.sock" web
is "$(hap_wait web web1 status UP)" UP "undrain lifts the maintenance"

# The operator's drain survives a restart of the daemon.
stasis drain -s "$T/ctl.sock" web
like "$(hap_wait web web1 status NOLB)" '^(NOLB|DRAIN)$' "drained again"
node_serve_stop
ok $? "stasis serve stops on SIGTERM"
node_serve "$T/serve.conf"
is "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP/_up/web")" 404 "after a restart the app is still drained"
like "$(hap_field web web1 status)" '^(NOLB|DRAIN)' "and haproxy never took it for up or down"
stasis undrain -s "$T/ctl.sock" web
is "$(hap_wait web web1 status UP)" UP "undrained after the restart"

# Unknown apps and bad requests.
run_fails "drain of an unknown app fails" -- stasis drain -s "$T/ctl.sock" nosuch
like "$(stasis drain -s "$T/ctl.sock" nosuch 2>&1)" 'no app "nosuch"' "and says why"
is "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP/_up/nosuch")" 503 "/_up of an unknown app is 503, not 404"
is "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$HTTP/_up/web")" 405 "POST /_up is 405"
like "$(stasis status --json -s "$T/ctl.sock" | jq -r '.apps[] | select(.name == "web") | .health')" '^up$' "status --json"
like "$(stasis status -s "$T/ctl.sock")" 'web +- +ready' "status table"
# A big haproxy's "show stat" is megabytes: read a line at a time, not
# refused as too long (which read as "down" and withdrew the route).  A
# stand-in stats socket answers any command with 2 MiB of other
# backends' servers, then web's one UP server.
python3 -c "
import socket, os
s = socket.socket(socket.AF_UNIX)
s.bind('$T/big.sock'); s.listen(8)
pad = 'x' * 400
body = '# pxname,svname,status,weight,pad\\n' + ''.join(
    'other,s%d,UP,1,%s\\n' % (i, pad) for i in range(5000)) + 'web,web1,UP,100,\\n'
while True:
	c = s.accept()[0]
	c.recv(4096)
	c.sendall(body.encode())
	c.close()
" &
BIG=$!
cleanup "kill $BIG 2>/dev/null"
WAIT_TRIES=50 wait_for test -S "$T/big.sock"
sed "s|haproxy: $T/haproxy.sock|haproxy: $T/big.sock|" "$T/serve.conf" >"$T/serve-big.conf"
node_serve_stop
node_serve "$T/serve-big.conf"; ok $? "serve with a 2 MiB show stat"
WAIT_TRIES=50 wait_for sh -c "stasis status -s $T/ctl.sock | grep -q 'load balancer: up'"
ok $? "a 2 MiB show stat: the load balancer is up"
like "$(stasis status -s "$T/ctl.sock")" 'backend web: 1/1 servers UP' "and web's one server counted"
kill $BIG

node_log_clean
done_testing
