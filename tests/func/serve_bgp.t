#!/bin/sh
# The BGP gate with two real bird2 instances in two network namespaces
# peering over eBGP: the peer's routing table gains the anycast /32 while
# the app and the load balancer (a real haproxy) are healthy, loses it
# within bgp.withdraw_within when either is not, gets it back after the
# node's BIRD restarts, and keeps it untouched across a restart of
# stasis serve, nor across a reload of serve.conf that keeps the prefix;
# a reload adds prefixes (one IPv6, over an IPv6 session) and removes one
# (its protocol disabled, the peer loses it).
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/lib/node.sh"
need_root
command -v bird >/dev/null || skip_all "bird2 not installed"
command -v haproxy >/dev/null || skip_all "haproxy not installed"
command -v socat >/dev/null || skip_all "socat not installed"

node_tmp
PFX=192.0.2.77/32
PFX2=192.0.2.78/32
PFX6=2001:db8:77::/48
WITHDRAW_MS=3000
HTTP=$(free_port); AGENT=$(free_port); APP=$(free_port)

node_netns
ok $? "two network namespaces joined by a veth pair"
ip -n "$NSA" addr add fd77::1/64 dev "va$$" nodad &&
ip -n "$NSB" addr add fd77::2/64 dev "vb$$" nodad
ok $? "and IPv6 addresses on it"

# The fragment an operator adds to bird.conf (stasis-serve.conf(5)).
cat >"$T/node.conf" <<CONF
router id 10.77.0.1;
protocol device {}
protocol static anycast_web {
	disabled yes;		# stasis serve enables it while healthy
	ipv4;
	route $PFX blackhole;
}
protocol static anycast_two {
	disabled yes;
	ipv4;
	route $PFX2 blackhole;
}
protocol static anycast_v6 {
	disabled yes;
	ipv6;
	route $PFX6 blackhole;
}
protocol bgp peer {
	local 10.77.0.1 as 65001;
	neighbor 10.77.0.2 as 65002;
	connect retry time 1;
	error wait time 1, 5;
	ipv4 { import none; export where source = RTS_STATIC; };
}
protocol bgp peer6 {
	local fd77::1 as 65001;
	neighbor fd77::2 as 65002;
	connect retry time 1;
	error wait time 1, 5;
	ipv6 { import none; export where source = RTS_STATIC; };
}
CONF
cat >"$T/peer.conf" <<CONF
router id 10.77.0.2;
protocol device {}
protocol bgp node {
	local 10.77.0.2 as 65002;
	neighbor 10.77.0.1 as 65001;
	connect retry time 1;
	error wait time 1, 5;
	ipv4 { import all; export none; };
}
protocol bgp node6 {
	local fd77::2 as 65002;
	neighbor fd77::1 as 65001;
	connect retry time 1;
	error wait time 1, 5;
	ipv6 { import all; export none; };
}
CONF
bird_start node "$NSA"; ok $? "the node's BIRD starts in $NSA"
bird_start peer "$NSB"; ok $? "the peer's BIRD starts in $NSB"
WAIT_TRIES=200 wait_for sh -c "birdc -s $T/peer.ctl show protocols node | grep -q Established"
ok $? "eBGP session established"
WAIT_TRIES=200 wait_for sh -c "birdc -s $T/peer.ctl show protocols node6 | grep -q Established"
ok $? "and the IPv6 one"
ok "$(peer_route peer $PFX >/dev/null; echo $((! $?)))" "before stasis: the peer has no route to $PFX"

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
	bind 127.0.0.1:$(free_port)
	default_backend web
backend web
	option httpchk GET /_up/web
	http-check disable-on-404
	server web1 127.0.0.1:$APP check port $HTTP inter 200ms fall 2 rise 1 agent-check agent-port $AGENT agent-send "web\n" agent-inter 200ms
CONF
# serve_conf [EXTRA-PREFIX-LINES]: the node's serve.conf.
serve_conf() {
cat >"$T/serve.conf.new" <<CONF
listen: [127.0.0.1:$HTTP]
agent: 127.0.0.1:$AGENT
state: $T/state.json
state_max_age: 3s
apps:
  web:
    check: {command: [test, -f, $T/web.healthy], interval: ${INTERVAL:-400ms},
            timeout: 400ms, rise: 2, fall: 2}
lb: {haproxy: $T/haproxy.sock, backend: web, interval: ${INTERVAL:-400ms},
     timeout: 400ms, rise: 1, fall: 2}
bgp:
  socket: $T/node.ctl
  interval: 500ms
  withdraw_within: ${WITHDRAW_MS}ms
  prefixes:
    $PFX: {protocol: anycast_web, apps: [web]}
CONF
printf '%s' "$1" >>"$T/serve.conf.new"
mv "$T/serve.conf.new" "$T/serve.conf"
}
serve_conf

touch "$T/web.healthy"
node_haproxy "$T/haproxy.cfg"; ok $? "haproxy starts"
node_serve "$T/serve.conf"; ok $? "stasis serve starts"
wait_route peer $PFX yes; ok $? "app and load balancer healthy: the peer gains $PFX"
like "$(peer_route peer $PFX)" 'AS65001' "learnt over eBGP from AS65001"

# withdraw_gate CMD NAME: run CMD, the route must go within WITHDRAW_MS.
withdraw_gate() {
	_t0=$(now_ms)
	eval "$1"
	wait_route peer $PFX no 20
	_r=$?
	_dt=$(($(now_ms) - _t0))
	ok $_r "$2: the peer loses $PFX"
	ok "$([ $_dt -le $WITHDRAW_MS ]; echo $?)" "$2: within withdraw_within (${_dt} ms <= $WITHDRAW_MS ms)"
}

withdraw_gate 'rm -f "$T/web.healthy"' "app fails its check"
touch "$T/web.healthy"
wait_route peer $PFX yes; ok $? "app healthy again: announced again"

withdraw_gate 'stasis drain -s "$T/ctl.sock" web' "operator drains the app"
stasis undrain -s "$T/ctl.sock" web
wait_route peer $PFX yes; ok $? "undrained: announced again"

withdraw_gate 'node_haproxy_stop' "haproxy stops"
like "$(stasis status -s "$T/ctl.sock")" 'load balancer: down' "status: the load balancer is down"
node_haproxy "$T/haproxy.cfg"
wait_route peer $PFX yes; ok $? "haproxy back: announced again"

# The node's BIRD restarts: its config says `disabled yes`, stasis
# re-asserts.
bird_stop node
bird_start node "$NSA"; ok $? "the node's BIRD restarts"
wait_route peer $PFX yes 30; ok $? "after the BIRD restart the peer has $PFX again"
like "$(birdc -s "$T/node.ctl" show protocols anycast_web)" 'anycast_web +Static +master4 +up' "stasis re-enabled the static protocol"

# ... and when the app is down meanwhile, BIRD comes back without it.
rm -f "$T/web.healthy"
wait_route peer $PFX no 10
bird_stop node
bird_start node "$NSA"
WAIT_TRIES=200 wait_for sh -c "birdc -s $T/peer.ctl show protocols node | grep -q Established"
sleep 2
ok "$(peer_route peer $PFX >/dev/null; echo $((! $?)))" "BIRD restarted while the app is down: no route"
like "$(birdc -s "$T/node.ctl" show protocols anycast_web)" 'anycast_web +Static +master4 +down' "the static protocol stays disabled"
touch "$T/web.healthy"
wait_route peer $PFX yes; ok $? "app back: announced"

# Someone disables the protocol by hand (or `birdc configure` resets
# it): the next reconciliation puts it back.
birdc -s "$T/node.ctl" disable anycast_web >/dev/null
wait_route peer $PFX no 5
wait_route peer $PFX yes 10; ok $? "a protocol disabled behind stasis's back is re-enabled"
like "$(cat "$T/serve.log")" 'announced 192.0.2.77/32: BIRD: enable anycast_web' "and the log says so"

# A restart of stasis serve does not flap the route: BIRD's route on the
# peer keeps its timestamp.  Nothing changed for longer than
# state_max_age: the daemon's periodic re-save keeps the file fresh.
sleep 4
before=$(peer_route peer $PFX)
node_serve_stop; ok $? "stasis serve stops"
ok "$(peer_route peer $PFX >/dev/null; echo $?)" "route stays while stasis is stopped"
node_serve "$T/serve.conf"; ok $? "stasis serve starts again"
sleep 2
after=$(peer_route peer $PFX); route_same "$before" "$after"
ok $? "no flap across the restart (same route, same time)" || diag "before: $before" "after:  $after"
like "$(cat "$T/serve.log")" 'state: restored' "the state file was read back"

is "$(stasis status --json -s "$T/ctl.sock" | jq -r '.bgp.prefixes[0].bird')" up "status: BIRD's protocol is up"
is "$(stasis status --json -s "$T/ctl.sock" | jq -r '.bgp.prefixes[0].announce')" true "status: the gate is open"
like "$(stasis status -s "$T/ctl.sock")" "$PFX +anycast_web +announce +up" "status table shows the gate and BIRD"

# Reloads.  watch_route PREFIX SECONDS: in the background, note in
# $T/gone every moment the peer has no route to PREFIX.
watch_route() {
	rm -f "$T/gone"
	(_end=$(($(now_ms) + $2 * 1000))
	while [ "$(now_ms)" -lt $_end ]; do
		peer_route peer "$1" >/dev/null || echo "$(now_ms)" >>"$T/gone"
		sleep 0.05
	done) &
	WATCH=$!
}

before=$(peer_route peer $PFX)
like "$before" "^$PFX .*AS65001" "before the reload the peer has $PFX"
watch_route $PFX 4
sleep 0.5
# The same reload changes the app's and the load balancer's checks: they
# restart from their health, the gate stays open.
INTERVAL=500ms
serve_conf "    $PFX2: {protocol: anycast_two, apps: [web]}
    $PFX6: {protocol: anycast_v6}
"
out=$(stasis reload -s "$T/ctl.sock"); ok $? "stasis reload adds two prefixes and changes two checks"
like "$out" "app web: check changed; lb check changed; prefix $PFX2 added; prefix $PFX6 added" "and says so"
wait_route peer $PFX2 yes 10; ok $? "the peer gains $PFX2 (added by reload)"
wait_route peer $PFX6 yes 10; ok $? "and the IPv6 $PFX6 over the IPv6 session"
like "$(peer_route peer $PFX6)" 'AS65001' "learnt over eBGP from AS65001"
wait $WATCH
ok "$([ ! -s "$T/gone" ]; echo $?)" "$PFX never left the peer during the reload (polled every 50 ms)"
after=$(peer_route peer $PFX); route_same "$before" "$after"
ok $? "and kept its route and time: no withdraw and re-announce" || diag "before: $before" "after:  $after"

# The app fails: all three go (the gate applies to added prefixes too).
rm -f "$T/web.healthy"
wait_route peer $PFX6 no 10; ok $? "app down: the IPv6 prefix is withdrawn"
wait_route peer $PFX2 no 10; ok $? "and $PFX2"
touch "$T/web.healthy"
wait_route peer $PFX yes 10 && wait_route peer $PFX2 yes 10 &&
    wait_route peer $PFX6 yes 10
ok $? "app back: all announced again"

sleep 1
before=$(peer_route peer $PFX)
before6=$(peer_route peer $PFX6)
like "$before6" "^$PFX6 .*AS65001" "and $PFX6"
watch_route $PFX 4
sleep 0.5
serve_conf "    $PFX6: {protocol: anycast_v6}
"
kill -HUP "$SERVE_PID"
wait_route peer $PFX2 no 10; ok $? "a prefix removed by reload (SIGHUP) is withdrawn"
like "$(birdc -s "$T/node.ctl" show protocols anycast_two)" 'anycast_two +Static +master4 +down' "its static protocol is disabled in BIRD"
wait $WATCH
ok "$([ ! -s "$T/gone" ]; echo $?)" "$PFX never left the peer meanwhile"
after=$(peer_route peer $PFX); route_same "$before" "$after"
ok $? "$PFX: same route, same time" || diag "before: $before" "after:  $after"
after=$(peer_route peer $PFX6); route_same "$before6" "$after"
ok $? "$PFX6: same route, same time" || diag "before: $before6" "after:  $after"
like "$(cat "$T/serve.log")" "reload: $T/serve.conf: prefix $PFX2 removed" "the log says what the reload changed"
is "$(stasis status --json -s "$T/ctl.sock" | jq -r '[.bgp.prefixes[].prefix] | join(" ")')" "$PFX $PFX6" "status lists the prefixes of the new file"

# withdraw_on_exit: a daemon stopped for good takes its routes with it.
node_serve_stop
printf '  withdraw_on_exit: true\n' >>"$T/serve.conf"
node_serve "$T/serve.conf"
sleep 1
ok "$(peer_route peer $PFX >/dev/null; echo $?)" "with withdraw_on_exit the route is there while serving"
withdraw_gate 'node_serve_stop' "stasis serve stops with withdraw_on_exit"
node_log_clean
done_testing
