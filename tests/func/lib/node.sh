# Shell helpers for the stasis serve tests (tests/func/serve*.t): start
# the daemon, haproxy and BIRD instances of their own in a temporary
# directory, and read haproxy's and BIRD's view back.  Source after
# tap.sh; every helper registers its own cleanup.

# node_tmp: a private directory, removed at exit.
node_tmp() {
	T=$(mktemp -d "/tmp/stasis-serve.$$.XXXXXX")
	cleanup "rm -rf '$T'"
	export T
}

# node_mkroot DIR: a minimal jail root; /usr comes from the host through
# a read-only nullfs mount given to jail -c.
node_mkroot() {
	mkdir -p "$1/usr" "$1/etc" "$1/proc" "$1/dev" "$1/tmp" "$1/root"
	for _l in bin sbin lib lib64; do ln -s "usr/$_l" "$1/$_l"; done
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$1/etc/passwd"
	printf 'root:x:0:\n' >"$1/etc/group"
}

# node_serve CONF [ARGS...]: run stasis serve in the background, logging
# to $T/serve.log; waits for its control socket ($T/ctl.sock).
node_serve() {
	_conf=$1; shift
	"$STASIS" serve -c "$_conf" -s "$T/ctl.sock" "$@" \
	    >>"$T/serve.log" 2>&1 &
	SERVE_PID=$!
	cleanup "kill $SERVE_PID 2>/dev/null; sleep 0.2; kill -9 $SERVE_PID 2>/dev/null"
	WAIT_TRIES=100 wait_for test -S "$T/ctl.sock"
}

node_serve_stop() {
	kill "$SERVE_PID" 2>/dev/null
	_i=0
	while kill -0 "$SERVE_PID" 2>/dev/null && [ $_i -lt 50 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
	! kill -0 "$SERVE_PID" 2>/dev/null
}

# node_haproxy CFG: a private haproxy (pidfile $T/haproxy.pid).
node_haproxy() {
	haproxy -f "$1" -D -p "$T/haproxy.pid" >>"$T/haproxy.log" 2>&1 ||
	    return 1
	cleanup "kill \$(cat '$T/haproxy.pid' 2>/dev/null) 2>/dev/null"
}

node_haproxy_stop() {
	kill "$(cat "$T/haproxy.pid")" 2>/dev/null
	sleep 0.3
}

# hap_cmd CMD: a command on the stats socket $T/haproxy.sock.
hap_cmd() {
	echo "$1" | socat -t2 - "UNIX-CONNECT:$T/haproxy.sock"
}

# hap_field BACKEND SERVER FIELD: one field of `show stat` by its name.
hap_field() {
	hap_cmd "show stat" | awk -F, -v b="$1" -v s="$2" -v f="$3" '
		NR == 1 { sub(/^# /, ""); for (i = 1; i <= NF; i++)
			if ($i == f) c = i; next }
		$1 == b && $2 == s { print $c }'
}

# hap_wait BACKEND SERVER FIELD VALUE: until haproxy shows VALUE (up to
# 10 s); prints what it shows last.
hap_wait() {
	_i=0
	while :; do
		_v=$(hap_field "$1" "$2" "$3")
		[ "$_v" = "$4" ] || [ $_i -ge 100 ] && break
		sleep 0.1
		_i=$((_i + 1))
	done
	echo "$_v"
}

# node_netns: two network namespaces joined by a veth pair, $NSA
# (10.77.0.1, the node) and $NSB (10.77.0.2, its BGP peer).
node_netns() {
	NSA=stasis-a$$; NSB=stasis-b$$
	ip netns add "$NSA" || return 1
	cleanup "ip netns del $NSA"
	ip netns add "$NSB" || return 1
	cleanup "ip netns del $NSB"
	ip link add "va$$" type veth peer name "vb$$" || return 1
	ip link set "va$$" netns "$NSA" && ip link set "vb$$" netns "$NSB" &&
	ip -n "$NSA" addr add 10.77.0.1/30 dev "va$$" &&
	ip -n "$NSB" addr add 10.77.0.2/30 dev "vb$$" &&
	ip -n "$NSA" link set "va$$" up && ip -n "$NSB" link set "vb$$" up &&
	ip -n "$NSA" link set lo up && ip -n "$NSB" link set lo up
}

# bird_start NAME NETNS: bird -c $T/NAME.conf, socket $T/NAME.ctl.
bird_start() {
	ip netns exec "$2" bird -c "$T/$1.conf" -s "$T/$1.ctl" \
	    -P "$T/$1.pid" >>"$T/$1.out" 2>&1 || return 1
	cleanup "kill \$(cat '$T/$1.pid' 2>/dev/null) 2>/dev/null"
	WAIT_TRIES=50 wait_for birdc -s "$T/$1.ctl" show status
}

bird_stop() {
	_p=$(cat "$T/$1.pid" 2>/dev/null)
	[ -n "$_p" ] && kill "$_p" 2>/dev/null
	_i=0
	while [ -n "$_p" ] && kill -0 "$_p" 2>/dev/null && [ $_i -lt 50 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
	rm -f "$T/$1.ctl"
}

# peer_route NAME PREFIX: the route line BIRD NAME has for PREFIX, if any.
peer_route() {
	birdc -s "$T/$1.ctl" show route "$2" 2>/dev/null | grep "^$2"
}

# route_same BEFORE AFTER: 0 when two peer_route lines show one route
# that did not change: the same text, and a time no more than 50 ms
# apart.  Two displays of one unchanged route have shown times 1 ms
# apart under load (BIRD stores a route's time on its own clock and
# formats it as wall time when shown); a withdraw and re-announce shows
# seconds apart.
route_same() {
	_re='[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9][0-9][0-9]'
	[ -n "$1" ] || return 1
	[ "$(echo "$1" | sed "s/$_re/T/")" = "$(echo "$2" | sed "s/$_re/T/")" ] ||
	    return 1
	_t1=$(echo "$1" | grep -o "$_re" | head -1)
	_t2=$(echo "$2" | grep -o "$_re" | head -1)
	echo "$_t1 $_t2" | awk '
	function ms(t, a) { split(t, a, /[:.]/); return ((a[1] * 60 + a[2]) * 60 + a[3]) * 1000 + a[4] }
	{ d = ms($2) - ms($1); if (d < 0) d = -d; exit !(d <= 50) }'
}

# now_ms: a monotonic-enough clock in milliseconds.
now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# wait_route NAME PREFIX yes|no [SECONDS]: until the route is (not) there.
wait_route() {
	_end=$(($(now_ms) + ${4:-20} * 1000))
	while [ "$(now_ms)" -lt $_end ]; do
		if peer_route "$1" "$2" >/dev/null; then
			[ "$3" = yes ] && return 0
		else
			[ "$3" = no ] && return 0
		fi
		sleep 0.05
	done
	return 1
}

# node_log_clean: stop the daemon; under `make check SANITIZE=1` its log
# must hold no AddressSanitizer, LeakSanitizer or UBSan report.
node_log_clean() {
	node_serve_stop
	_n=$(grep -cE 'Sanitizer|runtime error' "$T/serve.log")
	is "$_n" 0 "no sanitizer report in the daemon's log"
	[ "$_n" = 0 ] || grep -E -A5 'Sanitizer|runtime error' "$T/serve.log" | head -20 | sed 's/^/# /'
}
